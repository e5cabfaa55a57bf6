//! The minutes as data: everything the biên bản says, in order, with its Vietnamese
//! words already chosen, so that every renderer prints the same thing. Built from a
//! [`Record`] by [`Minutes::from_record`]; serialized as `quorum.minutes.v1`:
//!
//! ```text
//! { format, meeting, issuing_body, title, urgent, location,
//!   scheduled_at, opened_at?, closed_at?: { unix_ms, local, words },
//!   chair?, secretary?: { member, name, position, unit },
//!   attendance: { invited, voting_members, in_room[], remote[], absent[],
//!                 proxies[{ seat, holder }], guests[],
//!                 quorum: { present, base, required, met, words } },
//!   items[], other?: { number, id, title, description, documents[], speakers[],
//!                      polls[], conclusions[], directives[] },
//!   audit?: { head_seq, head_hash }, last_seq, exported_at }
//! poll: { id, title, secret, round, status, majority, opened_at?, closed_at?,
//!         quorum_overridden, counted, voted, entitled, ballots,
//!         questions[{ text, options[{ label, ballots, weight, percent? }], blank?,
//!                     base, base_words, verdict: { code, words } }],
//!         votes?[{ seat, cast_by?, answers[] }]   (named polls only: null if secret)
//!         receipts?[]                             (secret polls only) }
//! ```
//!
//! Fields are only added within `v1`; a removal or a change of meaning gets `v2`.

mod build;
mod poll;

use serde::Serialize;

pub use poll::{NamedVote, OptionCount, PollMinutes, QuestionResult, VerdictEntry};

use crate::record::Record;

/// The minutes' JSON format name; a change that removes or renames a field gets a new
/// name.
pub const MINUTES_FORMAT: &str = "quorum.minutes.v1";

/// The minutes of one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Minutes {
    /// `quorum.minutes.v1`.
    pub format: String,
    /// The meeting's id.
    pub meeting: String,
    /// The issuing body (top left): the chair's unit, unless the caller sets another.
    pub issuing_body: String,
    /// The meeting's title.
    pub title: String,
    /// An urgent meeting (họp khẩn) rather than a routine one.
    pub urgent: bool,
    /// Where it took place.
    pub location: String,
    /// When it was scheduled.
    pub scheduled_at: Moment,
    /// When the session opened.
    pub opened_at: Option<Moment>,
    /// When it closed.
    pub closed_at: Option<Moment>,
    /// The chair (chủ tọa).
    pub chair: Option<Person>,
    /// The secretary (thư ký).
    pub secretary: Option<Person>,
    /// Who attended, and the quorum.
    pub attendance: Attendance,
    /// The agenda items in order, each with what happened under it.
    pub items: Vec<Item>,
    /// Business not attached to any agenda item (number 0), if any.
    pub other: Option<Item>,
    /// The event log's hash-chain head, when the record carries one.
    pub audit: Option<AuditHead>,
    /// The last event the minutes cover.
    pub last_seq: u64,
    /// When the record was exported.
    pub exported_at: Moment,
}

/// An instant, as a number and in Vietnam's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moment {
    /// Milliseconds since the Unix epoch (UTC).
    pub unix_ms: i64,
    /// ISO 8601 in Vietnam time: `2026-11-28T08:30+07:00`.
    pub local: String,
    /// In words: `08 giờ 30 phút, ngày 28 tháng 11 năm 2026`.
    pub words: String,
}

/// A participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// The member id.
    pub member: String,
    /// Full name.
    pub name: String,
    /// Position.
    pub position: String,
    /// Unit.
    pub unit: String,
}

/// Attendance and the quorum, at the end of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attendance {
    /// Participants invited (guests included).
    pub invited: u32,
    /// Participants with a voting right.
    pub voting_members: u32,
    /// Checked in, in the room (guests excluded).
    pub in_room: Vec<Person>,
    /// Checked in remotely (guests excluded).
    pub remote: Vec<Person>,
    /// Not checked in, without a proxy (guests excluded).
    pub absent: Vec<Person>,
    /// Not checked in, represented by a proxy holder.
    pub proxies: Vec<Proxy>,
    /// Guests (khách mời), present or not.
    pub guests: Vec<Person>,
    /// The quorum.
    pub quorum: Quorum,
}

/// An absent seat represented by another participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proxy {
    /// The absent seat.
    pub seat: Person,
    /// Who votes for it.
    pub holder: Person,
}

/// The quorum (túc số).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quorum {
    /// Weight of the voting seats present.
    pub present: u64,
    /// Weight the quorum is measured against.
    pub base: u64,
    /// Smallest present weight that makes a quorum.
    pub required: u64,
    /// Whether it is met.
    pub met: bool,
    /// The rule and the result in words.
    pub words: String,
}

/// An agenda item and what happened under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Its number on the agenda, from 1 (0: business outside the agenda).
    pub number: u32,
    /// The item's id (empty for business outside the agenda).
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Its documents.
    pub documents: Vec<DocumentEntry>,
    /// Who took the floor, in order.
    pub speakers: Vec<Speaker>,
    /// Its polls, in the order they were opened.
    pub polls: Vec<PollMinutes>,
    /// Its conclusions.
    pub conclusions: Vec<ConclusionEntry>,
    /// Its directives.
    pub directives: Vec<DirectiveEntry>,
}

/// A document of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentEntry {
    /// File name.
    pub name: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content.
    pub sha256: String,
}

/// A turn at the floor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Speaker {
    /// The speaker.
    pub person: Person,
    /// Speech, interpellation or point of order, in words.
    pub kind: String,
    /// Topic.
    pub topic: String,
    /// For an interpellation: to whom.
    pub addressed_to: Option<String>,
    /// When the floor was given.
    pub at: Moment,
}

/// A conclusion (kết luận).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConclusionEntry {
    /// What was concluded.
    pub text: String,
    /// When recorded.
    pub recorded_at: Moment,
}

/// A directive (chỉ đạo) to a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DirectiveEntry {
    /// The unit in charge.
    pub unit: String,
    /// What it must do.
    pub text: String,
    /// Due date.
    pub due: Option<Moment>,
    /// Where it stands, in words.
    pub status: String,
}

/// The event log's hash-chain head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    /// The last event covered.
    pub head_seq: u64,
    /// The chain's hash at that event.
    pub head_hash: String,
}

impl Minutes {
    /// The minutes of a record.
    pub fn from_record(record: &Record) -> Minutes {
        build::minutes(record)
    }

    /// Every poll, in agenda order.
    pub fn polls(&self) -> impl Iterator<Item = &PollMinutes> {
        self.items
            .iter()
            .chain(self.other.as_ref())
            .flat_map(|item| item.polls.iter())
    }
}
