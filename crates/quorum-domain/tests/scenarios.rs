//! Tally and majority rules as data: every file in `tests/scenarios/` sets up a roster,
//! presence and proxies, runs a poll through the real engine, and states the counts,
//! the bases and the verdict it expects. See `tests/scenarios/README.md` for the format.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use quorum_domain::meeting::roster::{Invitee, PresenceMode};
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::poll::question::{Question, QuestionKind, Selection};
use quorum_domain::poll::verdict::Verdict;
use quorum_domain::poll::{Eligibility, PollSpec, ResultsVisibility};
use quorum_domain::rules::{
    Abstentions, MajorityBase, MajorityRule, PresenceRule, QuorumBase, QuorumRule, Ratio, Threshold,
};
use quorum_domain::{
    Actor, BallotId, CreateMeeting, EventRecord, GroupId, Meeting, MeetingCommand, MeetingId,
    MemberId, PollId, Role, Timestamp,
};
use serde::Deserialize;

const MIN_SCENARIOS: usize = 46;

#[test]
fn every_scenario_holds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let mut failures = String::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).unwrap();
        let outcome = toml::from_str::<Scenario>(&text)
            .map_err(|error| format!("cannot parse: {error}"))
            .and_then(|scenario| run(&scenario));
        if let Err(error) = outcome {
            writeln!(failures, "--- {name}\n{error}").unwrap();
        }
    }
    assert!(failures.is_empty(), "scenarios failed:\n{failures}");
    assert!(
        files.len() >= MIN_SCENARIOS,
        "expected at least {MIN_SCENARIOS} scenarios, found {}",
        files.len()
    );
}

// ---------------------------------------------------------------- the file format

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    #[allow(dead_code)] // reason: documentation for the reader of the file.
    title: String,
    roster: RosterSpec,
    #[serde(default)]
    presence: PresenceSpec,
    #[serde(default)]
    meeting: MeetingSpec,
    poll: PollSpecFile,
    #[serde(default)]
    step: Vec<Step>,
    expect: Expect,
    #[serde(default)]
    past_round: Vec<Expect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterSpec {
    /// `d01 … dNN`: delegates with a voting right and weight 1.
    #[serde(default)]
    delegates: usize,
    /// Further seats with their own terms.
    #[serde(default)]
    seats: Vec<SeatSpec>,
    /// Group name → members (ranges allowed).
    #[serde(default)]
    groups: BTreeMap<String, Vec<String>>,
    /// Whether the chair (`chair`) holds a voting right.
    #[serde(default)]
    chair_votes: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeatSpec {
    id: String,
    #[serde(default = "default_role")]
    role: String,
    #[serde(default = "yes")]
    voting_right: bool,
    #[serde(default = "one")]
    weight: u32,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PresenceSpec {
    #[serde(default)]
    in_room: Vec<String>,
    #[serde(default)]
    remote: Vec<String>,
    /// `[seat, holder]` pairs.
    #[serde(default)]
    proxies: Vec<[String; 2]>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MeetingSpec {
    quorum: Option<RuleSpec>,
    /// Stated quorum base instead of all members.
    quorum_stated: Option<u64>,
    remote_counts: Option<bool>,
    proxies_count: Option<bool>,
    max_proxies: Option<u16>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PollSpecFile {
    /// `yes_no_abstain`, `yes_no`, `one_of`, `select`: for a one-question poll.
    kind: Option<String>,
    #[serde(default)]
    options: Vec<String>,
    min: Option<u16>,
    max: Option<u16>,
    seats: Option<u16>,
    /// Several questions (each with kind/options/min/max/seats).
    #[serde(default)]
    questions: Vec<QuestionFile>,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    vote_change: bool,
    #[serde(default)]
    present_only: bool,
    #[serde(default)]
    groups: Vec<String>,
    rule: RuleSpec,
    #[serde(default)]
    override_quorum: bool,
    /// `ok` or the rejection code expected when opening.
    #[serde(default = "ok")]
    expect_open: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    kind: String,
    #[serde(default)]
    options: Vec<String>,
    min: Option<u16>,
    max: Option<u16>,
    seats: Option<u16>,
}

/// A preset name, or a threshold with a base and abstention handling.
#[derive(Deserialize)]
#[serde(untagged)]
enum RuleSpec {
    Preset(String),
    Custom {
        threshold: String,
        base: String,
        #[serde(default = "excluded")]
        abstentions: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    /// `vote` (default), `check_in`, `check_out`, `close`, `revote`, `open`, `pause`,
    /// `resume`, `grant_proxy`, `revoke_proxy`.
    #[serde(default = "vote")]
    action: String,
    /// The seats the step concerns (ranges like `d01..d11` allowed).
    #[serde(default)]
    seats: Vec<String>,
    /// The actor, if not the seat itself (a proxy holder).
    by: Option<String>,
    /// One-question shorthand: `yes`, `no`, `abstain`, or an option index.
    vote: Option<toml::Value>,
    /// Answers to every question, as option indices.
    answers: Option<Vec<Vec<u16>>>,
    /// The ballot id (one seat only); generated otherwise.
    id: Option<String>,
    /// The ballot id this one replaces.
    replaces: Option<String>,
    /// The round the ballot is for; the current round otherwise.
    round: Option<u32>,
    /// For `check_in`: `in_room` (default) or `remote`.
    mode: Option<String>,
    /// For `grant_proxy`: the holder.
    to: Option<String>,
    /// `accepted`, `duplicate`, or the rejection code expected.
    #[serde(default = "accepted")]
    expect: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expect {
    /// The round these expectations are about: required for a past round; for the
    /// final round, checked against the poll's current round.
    round: Option<u32>,
    /// Ballots counted.
    ballots: Option<u64>,
    /// Seats that voted.
    voted: Option<usize>,
    /// One-question shorthand: option name or index → weight.
    counts: Option<BTreeMap<String, u64>>,
    /// One-question shorthand: blank ballots' weight.
    blank: Option<u64>,
    /// One-question shorthand.
    verdict: Option<toml::Value>,
    /// Per question: weights per option, then the verdict.
    #[serde(default)]
    questions: Vec<QuestionExpect>,
    /// Bases of members when counted.
    present_base: Option<u64>,
    members_base: Option<u64>,
    /// Whether the round was opened with a quorum override.
    quorum_overridden: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionExpect {
    counts: Vec<u64>,
    #[serde(default)]
    blank: u64,
    verdict: toml::Value,
}

fn default_role() -> String {
    "delegate".into()
}
fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}
fn ok() -> String {
    "ok".into()
}
fn vote() -> String {
    "vote".into()
}
fn accepted() -> String {
    "accepted".into()
}
fn excluded() -> String {
    "excluded".into()
}

// ---------------------------------------------------------------- running it

struct Run {
    meeting: Meeting,
    log: Vec<EventRecord>,
    now: i64,
    poll: PollId,
    ballots_sent: usize,
}

impl Run {
    fn exec(&mut self, actor: &Actor, command: MeetingCommand) -> Result<Option<String>, String> {
        self.now += 1_000;
        let before = self.meeting.clone();
        match self.meeting.execute(actor, Timestamp(self.now), &command) {
            Ok((records, receipt)) => {
                let outcome = match receipt {
                    Some(_) if records.is_empty() => Some("duplicate".into()),
                    Some(_) => Some("accepted".into()),
                    None => None,
                };
                self.log.extend(records);
                Ok(outcome)
            }
            Err(quorum_domain::ExecuteError::Rejected(rejection)) => {
                if self.meeting != before {
                    return Err(format!("rejected command changed the state: {command:?}"));
                }
                Err(rejection.code.as_str().to_owned())
            }
            Err(error) => Err(format!("apply failed: {error}")),
        }
    }

    fn must(&mut self, actor: &Actor, command: MeetingCommand) -> Result<(), String> {
        let description = format!("{command:?}");
        self.exec(actor, command)
            .map(|_| ())
            .map_err(|code| format!("setup command refused ({code}): {description}"))
    }
}

fn member(id: &str) -> MemberId {
    MemberId::new(id).unwrap()
}

fn as_member(id: &str) -> Actor {
    Actor::Member { member: member(id) }
}

/// Expands `d01..d11` into `d01, d02, …, d11`; other names pass through.
fn expand(names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        match name.split_once("..") {
            Some((first, last)) => {
                let prefix: String = first.chars().take_while(|c| !c.is_ascii_digit()).collect();
                let width = first.len() - prefix.len();
                let from: usize = first[prefix.len()..].parse().unwrap();
                let to: usize = last[prefix.len()..].parse().unwrap();
                out.extend((from..=to).map(|n| format!("{prefix}{n:0width$}")));
            }
            None => out.push(name.clone()),
        }
    }
    out
}

fn rule(spec: &RuleSpec) -> Result<MajorityRule, String> {
    Ok(match spec {
        RuleSpec::Preset(name) => match name.as_str() {
            "simple_majority" => MajorityRule::simple_majority(),
            "majority_of_present" => MajorityRule::more_than_half_of_present(),
            "majority_of_all" => MajorityRule::more_than_half_of_all_members(),
            "two_thirds_of_all" => MajorityRule::two_thirds_of_all_members(),
            other => return Err(format!("unknown rule preset {other}")),
        },
        RuleSpec::Custom {
            threshold,
            base,
            abstentions,
        } => MajorityRule {
            threshold: parse_threshold(threshold)?,
            base: match base.as_str() {
                "votes_cast" => MajorityBase::VotesCast,
                "present" => MajorityBase::MembersPresent,
                "all" => MajorityBase::AllMembers,
                stated => MajorityBase::Stated {
                    members: stated
                        .strip_prefix("stated:")
                        .and_then(|n| n.parse().ok())
                        .ok_or_else(|| format!("unknown base {stated}"))?,
                },
            },
            abstentions: match abstentions.as_str() {
                "excluded" => Abstentions::Excluded,
                "counted" => Abstentions::Counted,
                other => return Err(format!("unknown abstentions {other}")),
            },
        },
    })
}

/// `more_than_half`, `two_thirds`, `three_quarters`, `more_than:1/3`, `at_least:3/5`.
fn parse_threshold(text: &str) -> Result<Threshold, String> {
    let fraction = |body: &str| -> Result<Ratio, String> {
        let (n, d) = body.split_once('/').ok_or("fraction n/d expected")?;
        Ok(Ratio::new(
            n.parse().map_err(|_| "bad numerator")?,
            d.parse().map_err(|_| "bad denominator")?,
        ))
    };
    Ok(match text {
        "more_than_half" => Threshold::MORE_THAN_HALF,
        "two_thirds" => Threshold::TWO_THIRDS,
        "three_quarters" => Threshold::THREE_QUARTERS,
        other => match other.split_once(':') {
            Some(("more_than", body)) => Threshold::MoreThan(fraction(body)?),
            Some(("at_least", body)) => Threshold::AtLeast(fraction(body)?),
            _ => return Err(format!("unknown threshold {other}")),
        },
    })
}

fn question(
    kind: &str,
    options: &[String],
    min: Option<u16>,
    max: Option<u16>,
    seats: Option<u16>,
) -> Result<Question, String> {
    let kind = match kind {
        "yes_no_abstain" => QuestionKind::YesNoAbstain,
        "yes_no" => QuestionKind::YesNo,
        "one_of" => QuestionKind::OneOf {
            options: options.to_vec(),
        },
        "select" => QuestionKind::Select {
            options: options.to_vec(),
            min: min.unwrap_or(0),
            max: max.ok_or("select needs max")?,
            seats,
        },
        other => return Err(format!("unknown question kind {other}")),
    };
    Ok(Question {
        text: "Câu hỏi".into(),
        kind,
    })
}

/// `yes`/`no`/`abstain` or an option index, for a one-question ballot.
fn vote_index(value: &toml::Value) -> Result<Vec<u16>, String> {
    match value {
        toml::Value::String(name) => match name.as_str() {
            "yes" => Ok(vec![0]),
            "no" => Ok(vec![1]),
            "abstain" => Ok(vec![2]),
            "blank" => Ok(vec![]),
            other => Err(format!("unknown vote {other}")),
        },
        toml::Value::Integer(index) => Ok(vec![u16::try_from(*index).map_err(|e| e.to_string())?]),
        toml::Value::Array(indices) => indices
            .iter()
            .map(|v| {
                v.as_integer()
                    .and_then(|i| u16::try_from(i).ok())
                    .ok_or_else(|| "indices must be integers".to_owned())
            })
            .collect(),
        other => Err(format!("bad vote {other}")),
    }
}

fn option_index(name: &str) -> Result<usize, String> {
    match name {
        "yes" => Ok(0),
        "no" => Ok(1),
        "abstain" => Ok(2),
        other => other.parse().map_err(|_| format!("unknown option {other}")),
    }
}

fn parse_verdict(value: &toml::Value) -> Result<Verdict, String> {
    let indices = |value: Option<&toml::Value>| -> Result<Vec<u16>, String> {
        value
            .and_then(toml::Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|v| v.as_integer().and_then(|i| u16::try_from(i).ok()))
                    .collect::<Option<Vec<u16>>>()
                    .ok_or_else(|| "indices must be integers".to_owned())
            })
            .unwrap_or(Ok(Vec::new()))
    };
    match value {
        toml::Value::String(name) => match name.as_str() {
            "passed" => Ok(Verdict::Passed),
            "not_passed" => Ok(Verdict::NotPassed),
            "tie" => Ok(Verdict::Tie),
            other => Err(format!("unknown verdict {other}")),
        },
        toml::Value::Table(table) => {
            if let Some(option) = table.get("chosen") {
                let option = option
                    .as_integer()
                    .and_then(|i| u16::try_from(i).ok())
                    .ok_or("chosen takes an index")?;
                return Ok(Verdict::Chosen { option });
            }
            Ok(Verdict::Elected {
                elected: indices(table.get("elected"))?,
                tied: indices(table.get("tied"))?,
            })
        }
        other => Err(format!("bad verdict {other}")),
    }
}

fn run(scenario: &Scenario) -> Result<(), String> {
    let mut settings = MeetingSettings::default();
    let spec = &scenario.meeting;
    if let Some(quorum) = &spec.quorum {
        let majority = rule(quorum)?;
        settings.quorum = QuorumRule {
            threshold: majority.threshold,
            base: QuorumBase::AllMembers,
        };
    }
    if let Some(members) = spec.quorum_stated {
        settings.quorum.base = QuorumBase::Stated { members };
    }
    settings.presence = PresenceRule {
        remote_counts: spec.remote_counts.unwrap_or(true),
        proxies_count: spec.proxies_count.unwrap_or(false),
    };
    if let Some(max) = spec.max_proxies {
        settings.proxies.max_per_holder = max;
    }
    let admin = Actor::Admin;
    let created = Meeting::create(
        MeetingId::new("scenario").unwrap(),
        &admin,
        CreateMeeting {
            details: MeetingDetails {
                title: "Kỳ họp thử nghiệm".into(),
                kind: MeetingKind::Routine,
                location: "Hội trường".into(),
                scheduled_at: Timestamp(0),
            },
            settings,
        },
    )
    .map_err(|r| r.to_string())?;
    let log = vec![EventRecord {
        seq: 1,
        at: Timestamp(0),
        event: created,
    }];
    let meeting = Meeting::from_created(&log[0]).map_err(|e| e.to_string())?;
    let mut run = Run {
        meeting,
        log,
        now: 0,
        poll: PollId::new("poll").unwrap(),
        ballots_sent: 0,
    };

    // The roster: the chair, the numbered delegates, then the named seats.
    let groups_of = |id: &str| -> Vec<GroupId> {
        scenario
            .roster
            .groups
            .iter()
            .filter(|(_, members)| expand(members).iter().any(|m| m == id))
            .map(|(group, _)| GroupId::new(group.as_str()).unwrap())
            .collect()
    };
    let invitee = |id: &str, role: Role, voting_right: bool, weight: u32| Invitee {
        member: member(id),
        name: format!("Đại biểu {id}"),
        position: String::new(),
        unit: None,
        unit_name: String::new(),
        role,
        voting_right,
        weight,
        groups: groups_of(id),
    };
    let mut invitees = vec![invitee(
        "chair",
        Role::Chair,
        scenario.roster.chair_votes,
        1,
    )];
    let width = scenario.roster.delegates.to_string().len().max(2);
    for n in 1..=scenario.roster.delegates {
        invitees.push(invitee(&format!("d{n:0width$}"), Role::Delegate, true, 1));
    }
    for seat in &scenario.roster.seats {
        let role = match seat.role.as_str() {
            "delegate" => Role::Delegate,
            "guest" => Role::Guest,
            "secretary" => Role::Secretary,
            "chair" => Role::Chair,
            other => return Err(format!("unknown role {other}")),
        };
        let voting_right = seat.voting_right && role != Role::Guest;
        invitees.push(invitee(&seat.id, role, voting_right, seat.weight));
    }
    run.must(
        &admin,
        MeetingCommand::Invite {
            invitees,
            group: None,
        },
    )?;
    run.must(&as_member("chair"), MeetingCommand::OpenMeeting)?;
    for (names, mode) in [
        (&scenario.presence.in_room, PresenceMode::InRoom),
        (&scenario.presence.remote, PresenceMode::Remote),
    ] {
        for id in expand(names) {
            run.must(
                &as_member(&id),
                MeetingCommand::CheckIn { member: None, mode },
            )?;
        }
    }
    for [seat, holder] in &scenario.presence.proxies {
        run.must(
            &as_member(seat),
            MeetingCommand::GrantProxy {
                from: None,
                to: member(holder),
            },
        )?;
    }

    // The poll.
    let poll_file = &scenario.poll;
    let questions = if poll_file.questions.is_empty() {
        let kind = poll_file
            .kind
            .as_deref()
            .ok_or("poll needs kind or questions")?;
        vec![question(
            kind,
            &poll_file.options,
            poll_file.min,
            poll_file.max,
            poll_file.seats,
        )?]
    } else {
        poll_file
            .questions
            .iter()
            .map(|q| question(&q.kind, &q.options, q.min, q.max, q.seats))
            .collect::<Result<_, _>>()?
    };
    let spec = PollSpec {
        title: "Biểu quyết".into(),
        item: None,
        questions,
        secret: poll_file.secret,
        vote_change: poll_file.vote_change,
        visibility: ResultsVisibility::LiveToAll,
        eligibility: Eligibility {
            present_only: poll_file.present_only,
            groups: poll_file
                .groups
                .iter()
                .map(|g| GroupId::new(g.as_str()).unwrap())
                .collect(),
        },
        majority: rule(&poll_file.rule)?,
    };
    let chair = as_member("chair");
    run.must(
        &chair,
        MeetingCommand::CreatePoll {
            poll: run.poll.clone(),
            spec,
        },
    )?;
    let opened = run.exec(
        &chair,
        MeetingCommand::OpenPoll {
            poll: run.poll.clone(),
            deadline: None,
            override_quorum: poll_file.override_quorum,
        },
    );
    let opened = match opened {
        Ok(_) => "ok".to_owned(),
        Err(code) => code,
    };
    if opened != poll_file.expect_open {
        return Err(format!(
            "opening the poll: expected {}, got {opened}",
            poll_file.expect_open
        ));
    }

    for (index, step) in scenario.step.iter().enumerate() {
        run_step(&mut run, step).map_err(|error| format!("step {}: {error}", index + 1))?;
    }

    // Count: close the round if it is still running.
    let running = run
        .meeting
        .poll(&run.poll)
        .is_some_and(|poll| poll.status.is_running());
    if running {
        run.must(
            &chair,
            MeetingCommand::ClosePoll {
                poll: run.poll.clone(),
            },
        )?;
    }
    check_invariants(&run)?;
    let poll = run.meeting.poll(&run.poll).ok_or("the poll is gone")?;
    let mut errors = String::new();
    if let Some(round) = scenario.expect.round
        && poll.round != round
    {
        writeln!(
            errors,
            "final round: expected round {round}, got {}",
            poll.round
        )
        .unwrap();
    }
    check_round(
        &mut errors,
        "final round",
        &scenario.expect,
        poll.result.as_ref(),
        &poll.ballots,
        poll.opening.as_ref(),
    );
    for expected in &scenario.past_round {
        let round = expected.round.ok_or("past_round needs round")?;
        let Some(past) = poll.past_rounds.iter().find(|past| past.round == round) else {
            writeln!(errors, "no past round {round}").unwrap();
            continue;
        };
        check_round(
            &mut errors,
            &format!("round {round}"),
            expected,
            past.result.as_ref(),
            &past.ballots,
            past.opening.as_ref(),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn run_step(run: &mut Run, step: &Step) -> Result<(), String> {
    let chair = as_member("chair");
    let poll = run.poll.clone();
    let seats = expand(&step.seats);
    let simple = |command: MeetingCommand| vec![(chair.clone(), command)];
    let commands: Vec<(Actor, MeetingCommand)> = match step.action.as_str() {
        "vote" => {
            let answers: Vec<Selection> = match (&step.answers, &step.vote) {
                (Some(answers), None) => answers.iter().cloned().map(Selection).collect(),
                (None, Some(vote)) => vec![Selection(vote_index(vote)?)],
                _ => return Err("a vote step needs exactly one of vote or answers".into()),
            };
            if step.id.is_some() && seats.len() != 1 {
                return Err("a ballot id names one seat".into());
            }
            let round = step
                .round
                .unwrap_or_else(|| run.meeting.poll(&poll).map_or(1, |poll| poll.round));
            let mut commands = Vec::new();
            for seat in &seats {
                run.ballots_sent += 1;
                let id = step
                    .id
                    .clone()
                    .unwrap_or_else(|| format!("auto-{}", run.ballots_sent));
                let actor = as_member(step.by.as_deref().unwrap_or(seat));
                commands.push((
                    actor,
                    MeetingCommand::CastBallot {
                        poll: poll.clone(),
                        round,
                        ballot: BallotId::new(id).unwrap(),
                        seat: step.by.as_ref().map(|_| member(seat)),
                        answers: answers.clone(),
                        replaces: step
                            .replaces
                            .as_ref()
                            .map(|r| BallotId::new(r.as_str()).unwrap()),
                    },
                ));
            }
            commands
        }
        "check_in" | "check_out" => seats
            .iter()
            .map(|seat| {
                let mode = match step.mode.as_deref() {
                    Some("remote") => PresenceMode::Remote,
                    _ => PresenceMode::InRoom,
                };
                let command = if step.action == "check_in" {
                    MeetingCommand::CheckIn { member: None, mode }
                } else {
                    MeetingCommand::CheckOut { member: None }
                };
                (as_member(seat), command)
            })
            .collect(),
        "grant_proxy" => seats
            .iter()
            .map(|seat| {
                let to = member(step.to.as_deref().unwrap_or_default());
                (
                    as_member(seat),
                    MeetingCommand::GrantProxy { from: None, to },
                )
            })
            .collect(),
        "revoke_proxy" => seats
            .iter()
            .map(|seat| (as_member(seat), MeetingCommand::RevokeProxy { from: None }))
            .collect(),
        "close" => simple(MeetingCommand::ClosePoll { poll }),
        "pause" => simple(MeetingCommand::PausePoll { poll }),
        "resume" => simple(MeetingCommand::ResumePoll {
            poll,
            deadline: None,
        }),
        "revote" => simple(MeetingCommand::RevotePoll { poll }),
        "open" => simple(MeetingCommand::OpenPoll {
            poll,
            deadline: None,
            override_quorum: false,
        }),
        other => return Err(format!("unknown action {other}")),
    };
    for (actor, command) in commands {
        let outcome = match run.exec(&actor, command) {
            Ok(Some(outcome)) => outcome,
            Ok(None) => "accepted".to_owned(),
            Err(code) => code,
        };
        if outcome != step.expect {
            return Err(format!(
                "{} by {actor:?}: expected {}, got {outcome}",
                step.action, step.expect
            ));
        }
    }
    Ok(())
}

fn check_round(
    errors: &mut String,
    label: &str,
    expected: &Expect,
    result: Option<&quorum_domain::poll::PollResult>,
    ballots: &quorum_domain::poll::BallotBox,
    opening: Option<&quorum_domain::poll::Opening>,
) {
    let mut fail = |message: String| writeln!(errors, "{label}: {message}").unwrap();
    if let Some(voted) = expected.voted
        && ballots.voters.len() != voted
    {
        fail(format!(
            "voted: expected {voted}, got {}",
            ballots.voters.len()
        ));
    }
    if let Some(overridden) = expected.quorum_overridden {
        let got = opening.is_some_and(|o| o.quorum_overridden);
        if got != overridden {
            fail(format!(
                "quorum_overridden: expected {overridden}, got {got}"
            ));
        }
    }
    let Some(result) = result else {
        let wants_result = expected.ballots.is_some()
            || expected.counts.is_some()
            || expected.blank.is_some()
            || expected.verdict.is_some()
            || !expected.questions.is_empty()
            || expected.present_base.is_some()
            || expected.members_base.is_some();
        if wants_result {
            fail("the round was never counted".into());
        }
        return;
    };
    if let Some(count) = expected.ballots
        && result.tally.ballots.ballots != count
    {
        fail(format!(
            "ballots: expected {count}, got {}",
            result.tally.ballots.ballots
        ));
    }
    if let Some(present) = expected.present_base
        && result.bases.present != present
    {
        fail(format!(
            "present base: expected {present}, got {}",
            result.bases.present
        ));
    }
    if let Some(members) = expected.members_base
        && result.bases.members != members
    {
        fail(format!(
            "members base: expected {members}, got {}",
            result.bases.members
        ));
    }
    let mut questions: Vec<(Vec<u64>, u64, Option<&toml::Value>)> = Vec::new();
    if let Some(counts) = &expected.counts {
        let options = result
            .tally
            .questions
            .first()
            .map_or(0, |q| q.options.len());
        let mut weights = vec![0; options];
        for (name, weight) in counts {
            match option_index(name) {
                Ok(index) if index < options => weights[index] = *weight,
                _ => fail(format!("unknown option {name}")),
            }
        }
        questions.push((
            weights,
            expected.blank.unwrap_or(0),
            expected.verdict.as_ref(),
        ));
    } else if let Some(verdict) = &expected.verdict {
        let weights = result.tally.questions[0]
            .options
            .iter()
            .map(|c| c.weight)
            .collect();
        questions.push((
            weights,
            result.tally.questions[0].blank.weight,
            Some(verdict),
        ));
    }
    for question in &expected.questions {
        questions.push((
            question.counts.clone(),
            question.blank,
            Some(&question.verdict),
        ));
    }
    for (index, (weights, blank, verdict)) in questions.into_iter().enumerate() {
        let Some(tally) = result.tally.questions.get(index) else {
            fail(format!("no question {index}"));
            continue;
        };
        let got: Vec<u64> = tally.options.iter().map(|c| c.weight).collect();
        if got != weights {
            fail(format!(
                "question {index} counts: expected {weights:?}, got {got:?}"
            ));
        }
        if tally.blank.weight != blank {
            fail(format!(
                "question {index} blank: expected {blank}, got {}",
                tally.blank.weight
            ));
        }
        if let Some(verdict) = verdict {
            match parse_verdict(verdict) {
                Ok(verdict) if result.verdicts.get(index) == Some(&verdict) => {}
                Ok(verdict) => fail(format!(
                    "question {index} verdict: expected {verdict:?}, got {:?}",
                    result.verdicts.get(index)
                )),
                Err(error) => fail(error),
            }
        }
    }
}

/// Checks what must hold after any scenario: the running tally equals a recount, each
/// voter has exactly one counted ballot, and replaying the log gives the same state.
fn check_invariants(run: &Run) -> Result<(), String> {
    let poll = run.meeting.poll(&run.poll).ok_or("the poll is gone")?;
    if poll.recount() != poll.tally {
        return Err("the running tally differs from a recount".into());
    }
    let counted = poll.ballots.counted().count();
    if counted != poll.ballots.voters.len() {
        return Err(format!(
            "{counted} ballots counted for {} voters",
            poll.ballots.voters.len()
        ));
    }
    let replayed = Meeting::replay(run.log.iter()).map_err(|e| e.to_string())?;
    if replayed != run.meeting {
        return Err("replaying the log gives a different state".into());
    }
    Ok(())
}
