//! Reliability R1 on the embedded hub: devices following the meeting are each cut off
//! five times, for a random while, as a phone leaving the hall's Wi-Fi is, while the
//! chair keeps the meeting moving. Every resume must be gap-free and duplicate-free, or
//! say `recovered: false` and bring a snapshot (the resume window is kept small so that
//! long cuts take that path); in the end every device shows what a fresh connection of
//! the same person is shown.

use std::hash::{BuildHasher as _, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use quorum_domain::{MeetingCommand, MeetingId, PollId};
use tokio::task::JoinSet;
use tokio::time::sleep;

use super::crowd::{self, expect_ack};
use super::device::{Device, DeviceSpec};
use super::meeting::{self, named_motion};
use super::report::Report;
use crate::node::{Cluster, LogsOnFailure};

const MEETING: &str = "hdnd-tinh-cuts";
const CUTS: u32 = 5;
/// Events the hub keeps for resumes: a cut longer than a second or two (the chair
/// commits a few dozen events a second here) misses more.
const WINDOW: usize = 30;
/// The chair's pause between two commands.
const PACE: Duration = Duration::from_millis(20);

/// How big the run is: the test command's, or the reliability table's with
/// `QUORUM_FULL_SCALE=1`.
#[derive(Debug, Clone, Copy)]
struct Scale {
    devices: usize,
    /// The longest cut; each lasts a random while up to it.
    longest: Duration,
}

impl Scale {
    fn chosen() -> Scale {
        if std::env::var("QUORUM_FULL_SCALE").is_ok_and(|value| value == "1") {
            Scale {
                devices: 500,
                longest: Duration::from_secs(30),
            }
        } else {
            Scale {
                devices: 50,
                longest: Duration::from_secs(3),
            }
        }
    }
}

/// Runs the scenario.
pub(crate) async fn run() {
    let scale = Scale::chosen();
    let mut report = Report::new(&format!(
        "{} devices cut off {CUTS} times for 0-{:?} while events flow",
        scale.devices, scale.longest
    ));
    let mut cluster = Cluster::embedded(&format!("resume_window = {WINDOW}"));
    let _logs = LogsOnFailure(cluster.log_paths());
    let people = meeting::open(&mut cluster, &mut report, MEETING, scale.devices).await;
    let meeting = MeetingId::new(MEETING).unwrap();
    let url = cluster.nodes[0].ws_url();
    let nodes = Arc::new(vec![url.clone()]);
    let spec = |label: &str, token: &str| DeviceSpec {
        label: label.to_owned(),
        token: token.to_owned(),
        nodes: Arc::clone(&nodes),
        home: 0,
        meeting: meeting.clone(),
        follow: true,
    };
    let chair = Device::start(spec("chair", &people.chair)).await.unwrap();
    let labels: Vec<String> = people
        .delegates
        .iter()
        .map(|(member, _)| member.clone())
        .collect();
    let devices = Arc::new(
        crowd::start(
            people
                .delegates
                .iter()
                .map(|(member, token)| spec(member, token))
                .collect(),
        )
        .await,
    );
    expect_ack(&chair, MeetingCommand::OpenMeeting).await;
    report.phase("connect devices");

    // The cuts, each device on its own random schedule, while the chair moves polls
    // through their states.
    let flowing = Arc::new(AtomicBool::new(true));
    let traffic = tokio::spawn(keep_moving(chair, Arc::clone(&flowing)));
    let hasher = RandomState::new();
    let longest = u64::try_from(scale.longest.as_millis()).unwrap();
    let mut cutting = JoinSet::new();
    for index in 0..devices.len() {
        let devices = Arc::clone(&devices);
        let schedule: Vec<(Duration, Duration)> = (0..CUTS)
            .map(|cut| {
                let random = |salt: u64| hasher.hash_one((index, cut, salt)) % longest.max(1);
                (
                    Duration::from_millis(random(0) / 4),
                    Duration::from_millis(random(1)),
                )
            })
            .collect();
        cutting.spawn(async move {
            for (connected, away) in schedule {
                sleep(connected).await;
                let _ = devices[index].cut(away).await;
            }
        });
    }
    while let Some(joined) = cutting.join_next().await {
        joined.unwrap();
    }
    flowing.store(false, Ordering::Relaxed);
    let (chair, events) = traffic.await.unwrap();
    report.phase("cuts while events flow");
    report.line(format!("  {events} commands of the chair acknowledged"));

    // Every device catches up with the head and shows what a fresh connection shows.
    let head = crowd::snapshot(&url, &people.chair, &meeting).await.seq;
    let late = crowd::reach_all(&devices, &labels, head).await;
    if !late.is_empty() {
        report.violation(format!(
            "{} devices never reached {head}: {late:?}",
            late.len()
        ));
    }
    let mut fresh = Vec::new();
    for (_, token) in &people.delegates {
        fresh.push(crowd::snapshot(&url, token, &meeting).await);
    }
    let mut everyone = Arc::into_inner(devices).expect("the cutters are done");
    everyone.push(chair);
    let reports = crowd::finish_all(everyone).await;
    report.phase("catch up, compare");

    let (mut cuts, mut recovered, mut resets) = (0, 0, 0);
    for (device, view) in reports.iter().zip(&fresh) {
        cuts += device.cuts;
        let Some(follower) = &device.follower else {
            report.violation(format!("{} followed nothing", device.label));
            continue;
        };
        recovered += follower.recovered;
        resets += follower.resets.len();
        for violation in follower.violations.iter().take(3) {
            report.violation(format!("{}: {violation}", device.label));
        }
        if follower.last_seq != head {
            report.violation(format!(
                "{} ended at {}, not {head}",
                device.label, follower.last_seq
            ));
        }
        let shown: Vec<_> = follower.polls.values().collect();
        let server: Vec<_> = view.polls.iter().collect();
        if shown != server {
            report.violation(format!(
                "{} shows other polls than the server",
                device.label
            ));
        }
    }
    report.line(format!(
        "  {cuts} cuts: {recovered} resumes replayed the missed updates, {resets} answered with a snapshot"
    ));
    if cuts != CUTS * u32::try_from(scale.devices).unwrap() {
        report.violation(format!("{cuts} cuts made"));
    }
    if recovered == 0 || resets == 0 {
        report.violation("the run did not take both resume paths".into());
    }
    report.devices(&reports);
    report.finish();
}

/// The chair moves polls through their states until told to stop: each poll is
/// created and opened, paused and resumed ten times, then closed. Returns the console
/// and how many commands it had acknowledged.
async fn keep_moving(chair: Device, flowing: Arc<AtomicBool>) -> (Device, u64) {
    let mut acked = 0;
    let mut number = 0;
    while flowing.load(Ordering::Relaxed) {
        number += 1;
        let poll = PollId::new(format!("bq-{number:04}")).unwrap();
        let mut commands = vec![
            MeetingCommand::CreatePoll {
                poll: poll.clone(),
                spec: named_motion(&format!("Biểu quyết số {number}")),
            },
            MeetingCommand::OpenPoll {
                poll: poll.clone(),
                deadline: None,
                override_quorum: true,
            },
        ];
        for _ in 0..10 {
            commands.push(MeetingCommand::PausePoll { poll: poll.clone() });
            commands.push(MeetingCommand::ResumePoll {
                poll: poll.clone(),
                deadline: None,
            });
        }
        commands.push(MeetingCommand::ClosePoll { poll });
        for command in commands {
            expect_ack(&chair, command).await;
            acked += 1;
            sleep(PACE).await;
        }
    }
    (chair, acked)
}
