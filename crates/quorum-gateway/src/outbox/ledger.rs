//! The `outbox` stream: what was derived from the meeting logs (cursors and enqueued
//! notices) and what became of each notice (attempts, delivery, giving up), and the
//! state folded from it. Only the outbox worker appends to this stream.

use std::collections::{BTreeMap, HashMap};

use quorum_domain::{DirectiveId, MeetingId, MemberId, UnitId};
use serde::{Deserialize, Serialize};

/// The stream that holds [`OutboxEvent`]s.
pub const OUTBOX_STREAM: &str = "outbox";

/// How a notice travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A signed HTTP POST.
    Webhook,
    /// An e-mail over SMTP.
    Email,
    /// Web Push to each browser a member subscribed.
    Push,
}

impl Channel {
    /// The channel's name in notice ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Email => "email",
            Channel::Push => "push",
        }
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted by the receiver.
    Delivered,
    /// Failed; another attempt will follow.
    Retry,
    /// Refused for good (a 4xx answer, a 5xx SMTP reply, or no attempts left).
    Permanent,
}

/// A notice as enqueued: everything needed to send it, derived from one meeting event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enqueued {
    /// `{meeting}:{seq}:{recipient}:{channel}`: the same event, recipient and channel
    /// always give the same id, so re-deriving after a crash never enqueues a notice
    /// twice.
    pub id: String,
    /// The meeting.
    pub meeting: MeetingId,
    /// The meeting event it was derived from.
    pub seq: u64,
    /// The unit it goes to (webhooks and e-mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitId>,
    /// The member it goes to (Web Push, to each of their subscribed browsers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberId>,
    /// How.
    pub channel: Channel,
    /// The URL or the address.
    pub target: String,
    /// What the notice is about (`directive_issued`, `poll_results`, …).
    pub kind: String,
    /// The e-mail subject (also shown to the secretary).
    pub subject: String,
    /// The JSON document (webhook) or the plain text (e-mail). A directive's status
    /// token is not stored: it is derived and inserted when sending.
    pub body: String,
    /// The directive the notice is about, for its status link.
    pub directive: Option<DirectiveId>,
    /// When it was enqueued (ms since the epoch).
    pub created: i64,
}

/// One record of the `outbox` stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutboxEvent {
    /// The meeting's log was read up to `seq` and its notices enqueued (written in the
    /// same append as those notices).
    Scanned {
        /// The meeting.
        meeting: MeetingId,
        /// The last event read.
        seq: u64,
    },
    /// A notice to send.
    Enqueued(Enqueued),
    /// An attempt to send it.
    Attempt {
        /// The notice.
        id: String,
        /// 1 for the first attempt.
        n: u32,
        /// When it ended.
        at: i64,
        /// How it ended.
        outcome: Outcome,
        /// What went wrong, or the receiver's answer (`HTTP 503`, `timeout`, `SMTP 550 …`).
        error: Option<String>,
        /// When the next attempt is due, after a retryable failure.
        next_at: Option<i64>,
    },
    /// The receiver accepted it.
    Delivered {
        /// The notice.
        id: String,
        /// When.
        at: i64,
    },
    /// No more attempts will be made.
    GaveUp {
        /// The notice.
        id: String,
        /// When.
        at: i64,
    },
}

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NoticeState {
    /// Not delivered yet; the next attempt is due at `next_at`.
    Pending {
        /// When (ms since the epoch).
        next_at: i64,
    },
    /// Delivered.
    Delivered {
        /// When.
        at: i64,
    },
    /// Given up.
    GaveUp {
        /// When.
        at: i64,
    },
}

/// One recorded attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptRecord {
    /// 1 for the first.
    pub n: u32,
    /// When it ended.
    pub at: i64,
    /// How.
    pub outcome: Outcome,
    /// The error or answer.
    pub error: Option<String>,
}

/// A notice with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// What was enqueued.
    #[serde(flatten)]
    pub enqueued: Enqueued,
    /// Where it stands.
    pub state: NoticeState,
    /// Every attempt so far.
    pub attempts: Vec<AttemptRecord>,
}

/// The outbox, folded from its stream.
#[derive(Debug, Default)]
pub struct Ledger {
    head: u64,
    cursors: HashMap<MeetingId, u64>,
    notices: BTreeMap<String, Notice>,
}

impl Ledger {
    /// The sequence number of the last record applied.
    pub fn head(&self) -> u64 {
        self.head
    }

    /// The last event of `meeting` already turned into notices.
    pub fn cursor(&self, meeting: &MeetingId) -> u64 {
        self.cursors.get(meeting).copied().unwrap_or(0)
    }

    /// Whether a notice with this id was ever enqueued.
    pub fn knows(&self, id: &str) -> bool {
        self.notices.contains_key(id)
    }

    /// A notice by id.
    pub fn notice(&self, id: &str) -> Option<&Notice> {
        self.notices.get(id)
    }

    /// The notices of a meeting, in id order.
    pub fn of_meeting<'a>(&'a self, meeting: &'a MeetingId) -> impl Iterator<Item = &'a Notice> {
        self.notices
            .values()
            .filter(move |notice| &notice.enqueued.meeting == meeting)
    }

    /// The notices not yet delivered nor given up.
    pub fn pending(&self) -> impl Iterator<Item = (&Notice, i64)> {
        self.notices
            .values()
            .filter_map(|notice| match notice.state {
                NoticeState::Pending { next_at } => Some((notice, next_at)),
                _ => None,
            })
    }

    /// Applies the record numbered `seq`.
    pub fn apply(&mut self, seq: u64, event: &OutboxEvent) {
        self.head = seq;
        match event {
            OutboxEvent::Scanned { meeting, seq } => {
                let cursor = self.cursors.entry(meeting.clone()).or_default();
                *cursor = (*cursor).max(*seq);
            }
            OutboxEvent::Enqueued(enqueued) => {
                self.notices
                    .entry(enqueued.id.clone())
                    .or_insert_with(|| Notice {
                        enqueued: enqueued.clone(),
                        state: NoticeState::Pending {
                            next_at: enqueued.created,
                        },
                        attempts: Vec::new(),
                    });
            }
            OutboxEvent::Attempt {
                id,
                n,
                at,
                outcome,
                error,
                next_at,
            } => {
                if let Some(notice) = self.notices.get_mut(id) {
                    notice.attempts.push(AttemptRecord {
                        n: *n,
                        at: *at,
                        outcome: *outcome,
                        error: error.clone(),
                    });
                    if let NoticeState::Pending { .. } = notice.state {
                        notice.state = NoticeState::Pending {
                            next_at: next_at.unwrap_or(*at),
                        };
                    }
                }
            }
            OutboxEvent::Delivered { id, at } => {
                if let Some(notice) = self.notices.get_mut(id) {
                    notice.state = NoticeState::Delivered { at: *at };
                }
            }
            OutboxEvent::GaveUp { id, at } => {
                if let Some(notice) = self.notices.get_mut(id) {
                    notice.state = NoticeState::GaveUp { at: *at };
                }
            }
        }
    }
}

/// The deterministic id of the notice of `meeting`'s event `seq` to `recipient` (a
/// unit, or a member for Web Push) by `channel`.
pub fn notice_id(meeting: &MeetingId, seq: u64, recipient: &str, channel: Channel) -> String {
    format!("{meeting}:{seq}:{recipient}:{}", channel.as_str())
}
