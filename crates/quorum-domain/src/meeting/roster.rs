//! Participants: invitations, roles and voting rights, attendance (in the room or
//! remote), proxies, and answers to urgent-meeting alerts.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::{GroupId, MemberId, UnitId};
use crate::meeting::Meeting;
use crate::meeting::caller::Caller;
use crate::meeting::event::MeetingEvent;
use crate::meeting::settings::{MeetingKind, MeetingStatus};
use crate::policy::{Action, Role};
use crate::rejection::{Entity, Rejection, RejectionCode};
use crate::text;
use crate::time::Timestamp;

/// Most participants in one meeting.
pub const MAX_PARTICIPANTS: usize = 100_000;
/// Largest vote weight.
pub const MAX_WEIGHT: u32 = 1_000_000;

/// A member invited to a meeting, with their terms. The name and unit are copied from
/// the directory so the meeting's record stands on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Invitee {
    /// The member.
    pub member: MemberId,
    /// Full name.
    pub name: String,
    /// Position (chức vụ), as printed in the minutes.
    pub position: String,
    /// Their unit.
    pub unit: Option<UnitId>,
    /// Their unit's name.
    pub unit_name: String,
    /// Role in this meeting.
    pub role: Role,
    /// Whether they may vote.
    pub voting_right: bool,
    /// Their vote weight (1 unless the meeting weighs votes).
    pub weight: u32,
    /// Groups they belong to, for poll eligibility.
    pub groups: Vec<GroupId>,
}

impl Invitee {
    /// Checks the texts and the terms.
    pub fn validate(&self) -> Result<(), Rejection> {
        text::required_line("invitees.name", &self.name, text::NAME_MAX)?;
        text::line("invitees.position", &self.position, text::NAME_MAX)?;
        text::line("invitees.unit_name", &self.unit_name, text::NAME_MAX)?;
        validate_terms(self.role, self.voting_right, self.weight, &self.groups)
    }
}

fn validate_terms(
    role: Role,
    voting_right: bool,
    weight: u32,
    groups: &[GroupId],
) -> Result<(), Rejection> {
    if role == Role::Guest && voting_right {
        return Err(Rejection::invalid(
            "voting_right",
            "a guest cannot hold a voting right",
        ));
    }
    if weight == 0 || weight > MAX_WEIGHT {
        return Err(Rejection::invalid(
            "weight",
            "must be between 1 and 1000000",
        ));
    }
    if groups.len() > 1_000 {
        return Err(Rejection::invalid("groups", "too many groups"));
    }
    Ok(())
}

/// In the room, or taking part from elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PresenceMode {
    /// In the meeting room.
    InRoom,
    /// Remote (trực tuyến).
    Remote,
}

/// Whether a participant is checked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Attendance {
    /// Not checked in.
    Absent,
    /// Checked in.
    Present {
        /// In the room or remote.
        mode: PresenceMode,
        /// Since when.
        since: Timestamp,
    },
}

/// An answer to an urgent-meeting alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum AlertAnswer {
    /// Đã nhận: seen, no decision yet.
    Received,
    /// Will join remotely.
    JoiningRemotely,
    /// Will be (or is) in the room.
    InTheRoom,
    /// Cannot attend.
    CannotAttend {
        /// Why.
        reason: String,
    },
}

/// A participant's answer and when it was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AnsweredAlert {
    /// The alert answered.
    pub number: u32,
    /// The answer.
    pub answer: AlertAnswer,
    /// When.
    pub at: Timestamp,
}

/// The current urgent-meeting alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Alert {
    /// Its number in this meeting, from 1.
    pub number: u32,
    /// What it says.
    pub message: String,
    /// When it was raised.
    pub raised_at: Timestamp,
}

/// A member of this meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Participant {
    /// Who they are and their terms.
    pub invitee: Invitee,
    /// Whether they are checked in.
    pub attendance: Attendance,
    /// Their latest answer to an alert.
    pub alert_answer: Option<AnsweredAlert>,
}

impl Participant {
    /// Their role.
    pub fn role(&self) -> Role {
        self.invitee.role
    }

    /// Their member id.
    pub fn member(&self) -> &MemberId {
        &self.invitee.member
    }

    /// Whether they hold a voting right.
    pub fn votes(&self) -> bool {
        self.invitee.voting_right && self.invitee.role != Role::Guest
    }

    /// Where they are, if checked in.
    pub fn presence(&self) -> Option<PresenceMode> {
        match self.attendance {
            Attendance::Absent => None,
            Attendance::Present { mode, .. } => Some(mode),
        }
    }
}

impl Meeting {
    pub(super) fn decide_invite(
        &self,
        caller: &Caller<'_>,
        invitees: &[Invitee],
        group: &Option<GroupId>,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareMeeting)?;
        let mut fresh: Vec<Invitee> = Vec::new();
        for invitee in invitees {
            invitee.validate()?;
            if self.participants.contains_key(&invitee.member) {
                continue;
            }
            if fresh.iter().any(|other| other.member == invitee.member) {
                return Err(Rejection::duplicate(Entity::Member, &invitee.member));
            }
            fresh.push(invitee.clone());
        }
        if fresh.is_empty() {
            return Ok(Vec::new());
        }
        if self.participants.len().saturating_add(fresh.len()) > MAX_PARTICIPANTS {
            return Err(Rejection::invalid("invitees", "too many participants"));
        }
        // New voters would change the base of a running poll.
        if fresh.iter().any(|invitee| invitee.voting_right) {
            self.require_no_running_poll()?;
        }
        Ok(vec![MeetingEvent::ParticipantsInvited {
            invitees: fresh,
            group: group.clone(),
        }])
    }

    pub(super) fn decide_update_participant(
        &self,
        caller: &Caller<'_>,
        member: &MemberId,
        role: Role,
        voting_right: bool,
        weight: u32,
        groups: &[GroupId],
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareMeeting)?;
        self.known_participant(member)?;
        validate_terms(role, voting_right, weight, groups)?;
        self.require_no_running_poll()?;
        let loses_vote = !voting_right || role == Role::Guest;
        if loses_vote && self.proxy_involvement(member) {
            return Err(RejectionCode::ProxyConflict.into());
        }
        Ok(vec![MeetingEvent::ParticipantUpdated {
            member: member.clone(),
            role,
            voting_right,
            weight,
            groups: groups.to_vec(),
        }])
    }

    pub(super) fn decide_remove_participant(
        &self,
        caller: &Caller<'_>,
        member: &MemberId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareMeeting)?;
        self.known_participant(member)?;
        if self.status != MeetingStatus::Scheduled {
            return Err(RejectionCode::MeetingAlreadyOpen.into());
        }
        Ok(vec![MeetingEvent::ParticipantRemoved {
            member: member.clone(),
        }])
    }

    pub(super) fn decide_check_in(
        &self,
        caller: &Caller<'_>,
        member: Option<&MemberId>,
        mode: PresenceMode,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        let participant = caller.subject(self, member, Action::KeepAttendance)?;
        if participant.presence() == Some(mode) {
            return Ok(Vec::new());
        }
        Ok(vec![MeetingEvent::CheckedIn {
            member: participant.member().clone(),
            mode,
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_check_out(
        &self,
        caller: &Caller<'_>,
        member: Option<&MemberId>,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        let participant = caller.subject(self, member, Action::KeepAttendance)?;
        if participant.presence().is_none() {
            return Ok(Vec::new());
        }
        Ok(vec![MeetingEvent::CheckedOut {
            member: participant.member().clone(),
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_grant_proxy(
        &self,
        caller: &Caller<'_>,
        from: Option<&MemberId>,
        to: &MemberId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        let giver = caller.subject(self, from, Action::KeepAttendance)?;
        let holder = self.known_participant(to)?;
        let policy = self.settings.proxies;
        if !policy.allowed {
            return Err(RejectionCode::ProxiesNotAllowed.into());
        }
        if !giver.votes() {
            return Err(RejectionCode::NotEntitled.into());
        }
        if !holder.votes() {
            return Err(Rejection::invalid(
                "to",
                "the holder must have a voting right",
            ));
        }
        let seat = giver.member();
        // No seat twice, no chains: the giver gives once and holds nothing; the holder
        // gives nothing.
        let conflict = seat == to
            || self.proxies.contains_key(seat)
            || self.proxies.values().any(|held_by| held_by == seat)
            || self.proxies.contains_key(to);
        if conflict {
            return Err(RejectionCode::ProxyConflict.into());
        }
        let held = self
            .proxies
            .values()
            .filter(|held_by| *held_by == to)
            .count();
        if held >= usize::from(policy.max_per_holder) {
            return Err(RejectionCode::ProxyLimitReached.into());
        }
        Ok(vec![MeetingEvent::ProxyGranted {
            from: seat.clone(),
            to: to.clone(),
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_revoke_proxy(
        &self,
        caller: &Caller<'_>,
        from: Option<&MemberId>,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        let giver = caller.subject(self, from, Action::KeepAttendance)?;
        if !self.proxies.contains_key(giver.member()) {
            return Err(RejectionCode::NoProxy.into());
        }
        Ok(vec![MeetingEvent::ProxyRevoked {
            from: giver.member().clone(),
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_raise_alert(
        &self,
        caller: &Caller<'_>,
        message: &str,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::RaiseAlert)?;
        if self.details.kind != MeetingKind::Urgent {
            return Err(RejectionCode::NotUrgent.into());
        }
        text::required_text("message", message, text::TEXT_MAX)?;
        let number = self
            .alert
            .as_ref()
            .map_or(1, |alert| alert.number.saturating_add(1));
        Ok(vec![MeetingEvent::AlertRaised {
            number,
            message: message.to_owned(),
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_convene(
        &self,
        caller: &Caller<'_>,
        message: &str,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        let mut events = Vec::with_capacity(2);
        if self.status == MeetingStatus::Scheduled {
            caller.require(Action::LeadMeeting)?;
            events.push(MeetingEvent::MeetingOpened {
                by: caller.actor.clone(),
            });
        }
        events.extend(self.decide_raise_alert(caller, message)?);
        Ok(events)
    }

    pub(super) fn decide_answer_alert(
        &self,
        caller: &Caller<'_>,
        answer: &AlertAnswer,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        let participant = caller.participant()?;
        if self.alert.is_none() {
            return Err(RejectionCode::NoAlert.into());
        }
        if let AlertAnswer::CannotAttend { reason } = answer {
            text::required_line("answer.reason", reason, text::NAME_MAX)?;
        }
        Ok(vec![MeetingEvent::AlertAnswered {
            member: participant.member().clone(),
            answer: answer.clone(),
        }])
    }

    /// The participant `member`, or an `unknown` rejection.
    pub(crate) fn known_participant(&self, member: &MemberId) -> Result<&Participant, Rejection> {
        self.participants
            .get(member)
            .ok_or_else(|| Rejection::unknown(Entity::Member, member))
    }

    /// Whether the member gives or holds a proxy.
    fn proxy_involvement(&self, member: &MemberId) -> bool {
        self.proxies.contains_key(member) || self.proxies.values().any(|holder| holder == member)
    }

    pub(super) fn apply_invited(&mut self, invitees: &[Invitee]) {
        for invitee in invitees {
            self.participants
                .entry(invitee.member.clone())
                .or_insert_with(|| Participant {
                    invitee: invitee.clone(),
                    attendance: Attendance::Absent,
                    alert_answer: None,
                });
        }
    }

    pub(super) fn apply_participant_updated(
        &mut self,
        member: &MemberId,
        role: Role,
        voting_right: bool,
        weight: u32,
        groups: &[GroupId],
    ) -> Option<()> {
        let participant = self.participants.get_mut(member)?;
        let invitee = &mut participant.invitee;
        invitee.role = role;
        invitee.voting_right = voting_right;
        invitee.weight = weight;
        invitee.groups = groups.to_vec();
        Some(())
    }

    pub(super) fn apply_participant_removed(&mut self, member: &MemberId) {
        self.participants.remove(member);
        self.proxies
            .retain(|seat, holder| seat != member && holder != member);
    }

    pub(super) fn apply_checked_in(
        &mut self,
        at: Timestamp,
        member: &MemberId,
        mode: PresenceMode,
    ) -> Option<()> {
        self.participants.get_mut(member)?.attendance = Attendance::Present { mode, since: at };
        Some(())
    }

    pub(super) fn apply_checked_out(&mut self, member: &MemberId) -> Option<()> {
        self.participants.get_mut(member)?.attendance = Attendance::Absent;
        Some(())
    }

    pub(super) fn apply_alert_raised(&mut self, at: Timestamp, number: u32, message: &str) {
        self.alert = Some(Alert {
            number,
            message: message.to_owned(),
            raised_at: at,
        });
    }

    pub(super) fn apply_alert_answered(
        &mut self,
        at: Timestamp,
        member: &MemberId,
        answer: &AlertAnswer,
    ) -> Option<()> {
        let number = self.alert.as_ref().map_or(0, |alert| alert.number);
        self.participants.get_mut(member)?.alert_answer = Some(AnsweredAlert {
            number,
            answer: answer.clone(),
            at,
        });
        Some(())
    }
}
