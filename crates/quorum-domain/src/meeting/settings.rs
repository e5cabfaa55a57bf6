//! A meeting's details and rules: kind, schedule, quorum, default majority, proxies and
//! speaking times.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::rejection::Rejection;
use crate::rules::{MajorityRule, PresenceRule, QuorumRule};
use crate::text;
use crate::time::{Millis, Timestamp};

/// Routine or urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// A scheduled, routine meeting.
    Routine,
    /// Họp khẩn: convened at once (security, natural disaster); raises alerts.
    Urgent,
}

/// Where a meeting is in its life: scheduled → open → closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    /// Announced; being prepared.
    Scheduled,
    /// In session.
    Open,
    /// Over; read-only.
    Closed,
}

/// What people read about a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingDetails {
    /// The meeting's title.
    pub title: String,
    /// Routine or urgent.
    pub kind: MeetingKind,
    /// Where it takes place (a hall, or "trực tuyến").
    pub location: String,
    /// When it is scheduled to start.
    pub scheduled_at: Timestamp,
}

impl MeetingDetails {
    /// Checks the texts.
    pub fn validate(&self) -> Result<(), Rejection> {
        text::required_line("title", &self.title, text::NAME_MAX)?;
        text::line("location", &self.location, text::NAME_MAX)
    }
}

/// May absent delegates give a proxy, and how many may one holder carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProxyPolicy {
    /// Proxies are allowed at all.
    pub allowed: bool,
    /// Most seats one holder may vote for, besides their own.
    pub max_per_holder: u16,
}

impl Default for ProxyPolicy {
    fn default() -> Self {
        ProxyPolicy {
            allowed: true,
            max_per_holder: 1,
        }
    }
}

/// Default speaking time per kind of request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SpeakingTimes {
    /// A speech (phát biểu).
    pub speech: Millis,
    /// An interpellation (chất vấn).
    pub interpellation: Millis,
    /// A point of order.
    pub point_of_order: Millis,
}

impl Default for SpeakingTimes {
    fn default() -> Self {
        SpeakingTimes {
            speech: Millis::minutes(5),
            interpellation: Millis::minutes(3),
            point_of_order: Millis::minutes(1),
        }
    }
}

/// The longest speaking time the chair may give at once.
pub const MAX_SPEAKING_TIME: Millis = Millis::minutes(120);

/// The rules of one meeting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MeetingSettings {
    /// When the meeting has a quorum.
    pub quorum: QuorumRule,
    /// What counts as present, for the quorum and for majorities of members present.
    pub presence: PresenceRule,
    /// The majority rule new polls start from.
    pub default_majority: MajorityRule,
    /// Proxies.
    pub proxies: ProxyPolicy,
    /// Default speaking times.
    pub speaking_times: SpeakingTimes,
}

impl MeetingSettings {
    /// Checks every rule.
    pub fn validate(&self) -> Result<(), Rejection> {
        self.quorum.validate()?;
        self.default_majority.validate()?;
        let times = self.speaking_times;
        for time in [times.speech, times.interpellation, times.point_of_order] {
            if time.0 == 0 || time > MAX_SPEAKING_TIME {
                return Err(Rejection::invalid(
                    "speaking_times",
                    "must be between 1 ms and 120 minutes",
                ));
            }
        }
        Ok(())
    }
}
