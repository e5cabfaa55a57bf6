//! A poll in the minutes: its question, its rule in words, its counts, its base and its
//! verdict; who voted how for named polls only, and for secret polls only the number
//! of ballots and the receipt codes.

use quorum_domain::poll::PollStatus;
use quorum_domain::poll::question::{ABSTAIN, NO, Question, QuestionKind, YES};
use quorum_domain::poll::tally::{Count, QuestionTally};
use quorum_domain::poll::verdict::{Bases, Verdict};
use quorum_domain::rules::{Abstentions, MajorityBase, MajorityRule};
use quorum_domain::view::{PollView, ResultsView};
use serde::Serialize;

use super::Moment;
use super::build::{moment, nfc};
use crate::words;

/// A poll and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PollMinutes {
    /// The poll's id.
    pub id: String,
    /// The motion or election.
    pub title: String,
    /// A secret ballot (bỏ phiếu kín).
    pub secret: bool,
    /// The round reported (from 1).
    pub round: u32,
    /// Where it stands, in words.
    pub status: String,
    /// The majority rule in words.
    pub majority: String,
    /// When the round opened.
    pub opened_at: Option<Moment>,
    /// When it closed.
    pub closed_at: Option<Moment>,
    /// The chair opened it without a quorum.
    pub quorum_overridden: bool,
    /// Counted at close (false: no final result in the record).
    pub counted: bool,
    /// Seats that voted.
    pub voted: u32,
    /// Seats entitled to vote.
    pub entitled: u32,
    /// Ballots counted.
    pub ballots: u64,
    /// One result per question.
    pub questions: Vec<QuestionResult>,
    /// Named polls only: who voted how. Always `None` for a secret poll.
    pub votes: Option<Vec<NamedVote>>,
    /// Secret polls only: the receipt codes published, when known.
    pub receipts: Option<Vec<String>>,
}

/// One question's count and verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionResult {
    /// The question.
    pub text: String,
    /// The count per option, in ballot order.
    pub options: Vec<OptionCount>,
    /// Blank ballots, where the question allows them.
    pub blank: Option<OptionCount>,
    /// The base the rule was measured against (weight).
    pub base: u64,
    /// What the base is, in words.
    pub base_words: String,
    /// The verdict.
    pub verdict: VerdictEntry,
}

/// The count of one option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OptionCount {
    /// The option: "Tán thành", "Không tán thành", "Không biểu quyết" or a choice.
    pub label: String,
    /// Ballots.
    pub ballots: u64,
    /// Their weight (equal to `ballots` when every weight is 1).
    pub weight: u64,
    /// The weight as a share of the base: "62,50%".
    pub percent: Option<String>,
}

/// A verdict, as a stable code and in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictEntry {
    /// `passed`, `not_passed`, `tie`, `chosen`, `elected` or `not_counted`.
    pub code: String,
    /// "THÔNG QUA", "KHÔNG THÔNG QUA", …
    pub words: String,
}

/// How one seat voted in a named poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedVote {
    /// The seat's name.
    pub seat: String,
    /// The proxy holder who cast it, if not the seat itself.
    pub cast_by: Option<String>,
    /// The answers in words (one per question), or empty if not visible.
    pub answers: Vec<String>,
}

/// The minutes of one poll; `name` resolves a member id to a name.
pub(super) fn poll_minutes(
    poll: &PollView,
    receipts: Option<&[String]>,
    name: &dyn Fn(&str) -> String,
) -> PollMinutes {
    let spec = &poll.spec;
    let results = poll.results.as_ref().filter(|results| results.r#final);
    let questions = spec
        .questions
        .iter()
        .enumerate()
        .map(|(index, question)| question_result(question, index, results, &spec.majority))
        .collect();
    let motion = spec.questions.iter().all(Question::is_motion);
    let votes = (!spec.secret)
        .then_some(poll.voters.as_ref())
        .flatten()
        .map(|voters| {
            voters
                .iter()
                .map(|vote| NamedVote {
                    seat: name(vote.seat.as_str()),
                    cast_by: (vote.cast_by != vote.seat).then(|| name(vote.cast_by.as_str())),
                    answers: vote
                        .answers
                        .as_ref()
                        .map(|answers| {
                            spec.questions
                                .iter()
                                .zip(answers)
                                .map(|(question, selection)| {
                                    let chosen: Vec<String> = selection
                                        .indices()
                                        .iter()
                                        .map(|&option| option_label(question, option))
                                        .collect();
                                    if chosen.is_empty() {
                                        "Phiếu trống".to_owned()
                                    } else {
                                        chosen.join(", ")
                                    }
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        });
    let receipts = spec.secret.then(|| {
        receipts
            .map(|list| {
                list.iter()
                    .map(|receipt| grouped(receipt))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_else(|| {
                poll.receipts
                    .iter()
                    .flatten()
                    .filter(|entry| entry.counted)
                    .map(|entry| entry.receipt.grouped())
                    .collect()
            })
    });
    PollMinutes {
        id: poll.id.to_string(),
        title: nfc(&spec.title),
        secret: spec.secret,
        round: poll.round,
        status: status_words(poll.status).to_owned(),
        majority: words::majority_words(&spec.majority, motion),
        opened_at: poll.opening.as_ref().map(|opening| moment(opening.at)),
        closed_at: poll.closed_at.map(moment),
        quorum_overridden: poll
            .opening
            .as_ref()
            .is_some_and(|opening| opening.quorum_overridden),
        counted: results.is_some(),
        voted: poll.progress.voted,
        entitled: poll.progress.entitled,
        ballots: results.map_or(0, |results| results.tally.ballots.ballots),
        questions,
        votes,
        receipts: receipts.filter(|list| !list.is_empty()),
    }
}

/// A receipt in groups of five, as voters' devices show it.
fn grouped(receipt: &str) -> String {
    if receipt.contains('-') {
        return receipt.to_owned();
    }
    let mut out = String::with_capacity(receipt.len() + receipt.len() / 5);
    for (index, c) in receipt.chars().enumerate() {
        if index > 0 && index % 5 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

fn status_words(status: PollStatus) -> &'static str {
    match status {
        PollStatus::Draft => "chưa mở",
        PollStatus::Open => "đang biểu quyết",
        PollStatus::Paused => "tạm dừng",
        PollStatus::Closed => "đã kết thúc",
        PollStatus::Published => "đã công bố kết quả",
    }
}

/// An option's label.
fn option_label(question: &Question, option: u16) -> String {
    let index = usize::from(option);
    match &question.kind {
        QuestionKind::YesNoAbstain | QuestionKind::YesNo => words::MOTION_OPTIONS
            .get(index)
            .map_or_else(|| format!("#{option}"), |label| (*label).to_owned()),
        QuestionKind::OneOf { options } | QuestionKind::Select { options, .. } => options
            .get(index)
            .map_or_else(|| format!("#{option}"), |label| nfc(label)),
    }
}

fn question_result(
    question: &Question,
    index: usize,
    results: Option<&ResultsView>,
    rule: &MajorityRule,
) -> QuestionResult {
    let empty = QuestionTally {
        options: vec![Count::default(); question.option_count()],
        blank: Count::default(),
    };
    let tally = results
        .and_then(|results| results.tally.questions.get(index))
        .unwrap_or(&empty);
    let ballots = results
        .map(|results| results.tally.ballots)
        .unwrap_or_default();
    let bases = results.map(|results| results.bases).unwrap_or_default();
    let base = base_value(question, tally, ballots, &bases, rule);
    let options = tally
        .options
        .iter()
        .enumerate()
        .map(|(option, count)| OptionCount {
            label: option_label(question, u16::try_from(option).unwrap_or(u16::MAX)),
            ballots: count.ballots,
            weight: count.weight,
            percent: words::percent(count.weight, base),
        })
        .collect();
    let blank = matches!(question.kind, QuestionKind::Select { min: 0, .. }).then(|| OptionCount {
        label: "Phiếu trống".to_owned(),
        ballots: tally.blank.ballots,
        weight: tally.blank.weight,
        percent: words::percent(tally.blank.weight, base),
    });
    let verdict = match results.and_then(|results| results.verdicts.get(index)) {
        Some(verdict) => verdict_entry(question, verdict),
        None => VerdictEntry {
            code: "not_counted".to_owned(),
            words: "CHƯA KIỂM PHIẾU".to_owned(),
        },
    };
    QuestionResult {
        text: nfc(&question.text),
        options,
        blank,
        base,
        base_words: words::base_words(rule),
        verdict,
    }
}

/// The base the rule measured against, as the domain's verdict computes it.
fn base_value(
    question: &Question,
    tally: &QuestionTally,
    ballots: Count,
    bases: &Bases,
    rule: &MajorityRule,
) -> u64 {
    let weight = |index: u16| {
        tally
            .options
            .get(usize::from(index))
            .map_or(0, |count| count.weight)
    };
    let cast = match (&question.kind, rule.abstentions) {
        (QuestionKind::YesNoAbstain | QuestionKind::YesNo, Abstentions::Excluded) => {
            weight(YES).saturating_add(weight(NO))
        }
        (QuestionKind::YesNoAbstain | QuestionKind::YesNo, Abstentions::Counted) => weight(YES)
            .saturating_add(weight(NO))
            .saturating_add(weight(ABSTAIN)),
        (QuestionKind::OneOf { .. }, _) | (QuestionKind::Select { .. }, Abstentions::Counted) => {
            ballots.weight
        }
        (QuestionKind::Select { .. }, Abstentions::Excluded) => {
            ballots.weight.saturating_sub(tally.blank.weight)
        }
    };
    match rule.base {
        MajorityBase::VotesCast => cast,
        MajorityBase::MembersPresent => bases.present,
        MajorityBase::AllMembers => bases.members,
        MajorityBase::Stated { members } => members,
    }
}

fn verdict_entry(question: &Question, verdict: &Verdict) -> VerdictEntry {
    let (code, text) = match verdict {
        Verdict::Passed => ("passed", "THÔNG QUA".to_owned()),
        Verdict::NotPassed if question.is_motion() => ("not_passed", "KHÔNG THÔNG QUA".to_owned()),
        Verdict::NotPassed => (
            "not_passed",
            "KHÔNG THÔNG QUA (không phương án nào đạt)".to_owned(),
        ),
        Verdict::Tie => ("tie", "KHÔNG THÔNG QUA (số phiếu ngang nhau)".to_owned()),
        Verdict::Chosen { option } => (
            "chosen",
            format!("THÔNG QUA phương án: {}", option_label(question, *option)),
        ),
        Verdict::Elected { elected, tied } => {
            let names = |list: &[u16]| {
                list.iter()
                    .map(|&option| option_label(question, option))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut text = if elected.is_empty() {
                "KHÔNG CÓ NGƯỜI (PHƯƠNG ÁN) ĐẠT".to_owned()
            } else {
                format!("TRÚNG CỬ (ĐƯỢC CHỌN): {}", names(elected))
            };
            if !tied.is_empty() {
                text.push_str(&format!("; ngang phiếu, bầu lại: {}", names(tied)));
            }
            ("elected", text)
        }
    };
    VerdictEntry {
        code: code.to_owned(),
        words: text,
    }
}
