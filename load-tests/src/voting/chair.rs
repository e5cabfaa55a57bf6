//! The chairs' connections, held by the coordinator: they open each meeting and its
//! poll, close and publish it, publish the `fanout` scenario's updates, and read back
//! how many ballots the hub counted.

use std::time::Duration;

use anyhow::Context as _;
use quorum_client::{CommandOutcome, ConnectOptions, Connection, Http, new_request_id};
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind};
use quorum_domain::poll::question::{Question, QuestionKind};
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::MajorityRule;
use quorum_domain::{MeetingCommand, MeetingId, MeetingView, PollId, Timestamp};
use tokio::time::Instant;

use super::prepare::Prepared;
use crate::devices::unix_micros;

/// The poll every meeting votes on.
pub(crate) const POLL: &str = "bq-1";

/// What the chairs do in every meeting.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    OpenMeeting,
    /// Create the poll (live tally to all) and open it.
    OpenPoll {
        /// A secret ballot, or a named one.
        secret: bool,
    },
    ClosePublish,
}

/// One chair per meeting.
pub(crate) struct Chairs {
    chairs: Vec<Chair>,
}

struct Chair {
    meeting: MeetingId,
    token: String,
    connection: Connection,
    /// The sequence number of the last event the chair's commands made.
    head: u64,
}

impl Chairs {
    /// Signs every chair in on `ws_url`.
    pub(crate) async fn connect(ws_url: &str, meetings: &[Prepared]) -> anyhow::Result<Chairs> {
        let mut chairs = Vec::with_capacity(meetings.len());
        for prepared in meetings {
            let options = ConnectOptions {
                request_timeout: Duration::from_secs(120),
                buffer_limit: None,
                ..ConnectOptions::new(prepared.chair.as_str())
            };
            let (connection, _) = Connection::connect(ws_url, &options)
                .await
                .with_context(|| format!("the chair of {} cannot connect", prepared.id))?;
            chairs.push(Chair {
                meeting: MeetingId::new(prepared.id.clone())
                    .map_err(|error| anyhow::anyhow!("bad meeting id: {error:?}"))?,
                token: prepared.chair.clone(),
                connection,
                head: 0,
            });
        }
        Ok(Chairs { chairs })
    }

    /// Does `step` in every meeting, one after the other.
    pub(crate) async fn everywhere(&mut self, step: Step) -> anyhow::Result<()> {
        for chair in &mut self.chairs {
            let commands = match step {
                Step::OpenMeeting => vec![MeetingCommand::OpenMeeting],
                Step::OpenPoll { secret } => vec![
                    MeetingCommand::CreatePoll {
                        poll: poll_id()?,
                        spec: motion(secret),
                    },
                    MeetingCommand::OpenPoll {
                        poll: poll_id()?,
                        deadline: None,
                        override_quorum: false,
                    },
                ],
                Step::ClosePublish => vec![
                    MeetingCommand::ClosePoll { poll: poll_id()? },
                    MeetingCommand::PublishPoll { poll: poll_id()? },
                ],
            };
            for command in commands {
                chair.command(command).await?;
            }
        }
        Ok(())
    }

    /// `fanout`: the first meeting's chair changes the meeting's title `rate` times a
    /// second for `length`, without waiting for each answer (they are collected at the
    /// end, so the rate does not depend on the hub's round trip); returns `(seq, sent at
    /// µs)` of each change.
    pub(crate) async fn publish(
        &mut self,
        rate: u32,
        length: Duration,
    ) -> anyhow::Result<Vec<(u64, u64)>> {
        let chair = self.chairs.first_mut().context("no meeting")?;
        let every = Duration::from_secs(1) / rate.max(1);
        let started = Instant::now();
        let mut next = started;
        let mut sent = Vec::new();
        while started.elapsed() < length {
            tokio::time::sleep_until(next).await;
            next += every;
            let details = MeetingDetails {
                title: format!("Kỳ họp thử tải — cập nhật {}", sent.len() + 1),
                kind: MeetingKind::Routine,
                location: "Hội trường".to_owned(),
                scheduled_at: Timestamp(0),
            };
            let request = new_request_id()?;
            let sent_us = unix_micros();
            chair
                .connection
                .send_command(
                    request.clone(),
                    &chair.meeting,
                    MeetingCommand::UpdateDetails { details },
                )
                .await?;
            sent.push((request, sent_us));
        }
        let mut published = Vec::with_capacity(sent.len());
        for (request, sent_us) in sent {
            match chair.connection.outcome(&request).await? {
                CommandOutcome::Acked { seq, .. } => {
                    chair.head = chair.head.max(seq);
                    published.push((seq, sent_us));
                }
                other => anyhow::bail!("an update was not acknowledged: {other:?}"),
            }
        }
        Ok(published)
    }

    /// The last sequence number of each meeting, by meeting index.
    pub(crate) fn heads(&self) -> Vec<u64> {
        self.chairs.iter().map(|chair| chair.head).collect()
    }

    /// How many seats each meeting's poll counted, read back over HTTP.
    pub(crate) async fn counted(&self, nodes: &[Http]) -> anyhow::Result<Vec<u64>> {
        let http = nodes.first().context("no hub")?;
        let mut counted = Vec::with_capacity(self.chairs.len());
        let poll = poll_id()?;
        for chair in &self.chairs {
            let view: MeetingView = http
                .get_json(
                    &format!("/api/meetings/{}", chair.meeting.as_str()),
                    Some(&chair.token),
                )
                .await
                .with_context(|| format!("cannot read meeting {}", chair.meeting.as_str()))?;
            let voted = view
                .polls
                .iter()
                .find(|view| view.id == poll)
                .map_or(0, |view| u64::from(view.progress.voted));
            counted.push(voted);
        }
        Ok(counted)
    }
}

impl Chair {
    /// Runs one command; it must be acknowledged. Returns its sequence number.
    async fn command(&mut self, command: MeetingCommand) -> anyhow::Result<u64> {
        let kind = format!("{command:?}");
        match self.connection.command(&self.meeting, command).await? {
            CommandOutcome::Acked { seq, .. } => {
                self.head = self.head.max(seq);
                Ok(seq)
            }
            other => anyhow::bail!(
                "{}: the chair's {} was not acknowledged: {other:?}",
                self.meeting.as_str(),
                kind.split([' ', '{']).next().unwrap_or("command")
            ),
        }
    }
}

fn poll_id() -> anyhow::Result<PollId> {
    PollId::new(POLL).map_err(|error| anyhow::anyhow!("bad poll id: {error:?}"))
}

/// A yes/no/abstain motion whose tally everyone sees live: every ballot changes what
/// every device shows. Named, every device is also shown each vote.
fn motion(secret: bool) -> PollSpec {
    let title = "Nghị quyết thông qua kế hoạch đầu tư công năm 2027";
    PollSpec {
        title: title.into(),
        item: None,
        questions: vec![Question {
            text: title.into(),
            kind: QuestionKind::YesNoAbstain,
        }],
        secret,
        vote_change: false,
        visibility: ResultsVisibility::LiveToAll,
        eligibility: Eligibility::default(),
        majority: MajorityRule::simple_majority(),
    }
}
