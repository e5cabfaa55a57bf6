//! What the generated commands reached, counted from the events they caused, to check
//! that the generator keeps reaching the states worth checking.

use quorum_domain::meeting::projector::ProjectorDisplay;
use quorum_domain::{Actor, EventRecord, MeetingCommand, MeetingEvent};

/// What the generated commands reached, to check the generator stays useful.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    pub(crate) commands: u64,
    pub(crate) rejected: u64,
    pub(crate) named_ballots: u64,
    pub(crate) secret_ballots: u64,
    pub(crate) changed: u64,
    pub(crate) resent: u64,
    pub(crate) by_proxy: u64,
    pub(crate) polls_opened: u64,
    pub(crate) closed_at_deadline: u64,
    pub(crate) published: u64,
    pub(crate) revotes: u64,
    pub(crate) documents: u64,
    pub(crate) floor_granted: u64,
    pub(crate) projector_polls: u64,
}

impl Stats {
    /// Counts what one accepted command reached, from its events (a ballot accepted
    /// without any was resent).
    pub(crate) fn count(&mut self, command: &MeetingCommand, records: &[EventRecord]) {
        if matches!(command, MeetingCommand::CastBallot { .. }) && records.is_empty() {
            self.resent += 1;
        }
        for record in records {
            match &record.event {
                MeetingEvent::BallotCast {
                    seat,
                    cast_by,
                    replaces,
                    ..
                } => {
                    self.named_ballots += 1;
                    self.by_proxy += u64::from(seat != cast_by);
                    self.changed += u64::from(replaces.is_some());
                }
                MeetingEvent::VoteRegistered { seat, cast_by, .. } => {
                    self.by_proxy += u64::from(seat != cast_by);
                }
                MeetingEvent::SecretBallotCast { replaces, .. } => {
                    self.secret_ballots += 1;
                    self.changed += u64::from(replaces.is_some());
                }
                MeetingEvent::PollOpened { .. } => self.polls_opened += 1,
                MeetingEvent::PollClosed { by, .. } => {
                    self.closed_at_deadline += u64::from(*by == Actor::System);
                }
                MeetingEvent::PollPublished { .. } => self.published += 1,
                MeetingEvent::RevoteStarted { .. } => self.revotes += 1,
                MeetingEvent::DocumentAttached { .. } => self.documents += 1,
                MeetingEvent::FloorGranted { .. } => self.floor_granted += 1,
                MeetingEvent::ProjectorDisplaySet {
                    display: ProjectorDisplay::Poll { .. },
                    ..
                } => self.projector_polls += 1,
                _ => {}
            }
        }
    }

    /// Adds up the counts of another run.
    pub(crate) fn add(&mut self, other: &Stats) {
        self.commands += other.commands;
        self.rejected += other.rejected;
        self.named_ballots += other.named_ballots;
        self.secret_ballots += other.secret_ballots;
        self.changed += other.changed;
        self.resent += other.resent;
        self.by_proxy += other.by_proxy;
        self.polls_opened += other.polls_opened;
        self.closed_at_deadline += other.closed_at_deadline;
        self.published += other.published;
        self.revotes += other.revotes;
        self.documents += other.documents;
        self.floor_granted += other.floor_granted;
        self.projector_polls += other.projector_polls;
    }
}
