//! Follows one meeting as a device would: a snapshot, then updates in sequence order. A
//! gap or a duplicate is reported, never papered over. The domain has no function that
//! applies a `ViewChange` to a `MeetingView`, so the mirror keeps the snapshot and the
//! updates since, and answers "what is the latest …" by looking at the newest first.

use quorum_domain::meeting::quorum::QuorumState;
use quorum_domain::poll::PollStatus;
use quorum_domain::poll::verdict::Verdict;
use quorum_domain::view::{
    FloorView, MeetingInfo, MyView, ParticipantView, PollView, Progress, ResultsView,
};
use quorum_domain::{MeetingId, MeetingView, MemberId, PollId, ViewChange};
use quorum_protocol::{ServerMessage, Update};

use crate::answer::Subscribed;

/// Why an update or a resume does not fit the mirror. The mirror is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MirrorError {
    /// An update skipped ahead: some were missed. Resume with `since: last_seq`.
    #[error("update {received} arrived while {expected} was due: updates were missed")]
    Gap {
        /// The sequence number due.
        expected: u64,
        /// The one that arrived.
        received: u64,
    },
    /// An update at or before the last one applied arrived again.
    #[error("update {received} arrived again: the mirror is at {last}")]
    Duplicate {
        /// The one that arrived.
        received: u64,
        /// The last one applied.
        last: u64,
    },
    /// A snapshot or resume about another meeting.
    #[error("this mirror follows {expected}, not {received}")]
    OtherMeeting {
        /// The meeting followed.
        expected: MeetingId,
        /// The one the message is about.
        received: MeetingId,
    },
    /// A subscription answer with no state to start from: a recovered resume for a new
    /// mirror, or an unrecovered one without a snapshot.
    #[error("no snapshot to start from")]
    MissingSnapshot,
}

/// One meeting as one device sees it: the latest snapshot and every update since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingMirror {
    meeting: MeetingId,
    snapshot: MeetingView,
    updates: Vec<Update>,
}

impl MeetingMirror {
    /// Starts from a snapshot.
    pub fn new(meeting: MeetingId, snapshot: MeetingView) -> MeetingMirror {
        MeetingMirror {
            meeting,
            snapshot,
            updates: Vec::new(),
        }
    }

    /// Starts from the answer to a `subscribe`: a snapshot, or an unrecovered resume.
    pub fn from_subscribed(subscribed: Subscribed) -> Result<MeetingMirror, MirrorError> {
        match subscribed {
            Subscribed::Snapshot { meeting, view }
            | Subscribed::Resumed {
                meeting,
                recovered: false,
                snapshot: Some(view),
                ..
            } => Ok(MeetingMirror::new(meeting, view)),
            Subscribed::Resumed { .. } => Err(MirrorError::MissingSnapshot),
        }
    }

    /// Continues from the answer to a `subscribe` with `since: last_seq()`: replays the
    /// recovered updates, or starts again from the fresh snapshot. On error nothing is
    /// applied.
    pub fn resume(&mut self, subscribed: Subscribed) -> Result<(), MirrorError> {
        self.check_meeting(subscribed.meeting())?;
        match subscribed {
            Subscribed::Snapshot { view, .. }
            | Subscribed::Resumed {
                recovered: false,
                snapshot: Some(view),
                ..
            } => {
                self.snapshot = view;
                self.updates.clear();
                Ok(())
            }
            Subscribed::Resumed {
                recovered: true,
                updates,
                ..
            } => {
                let mut last = self.last_seq();
                for update in &updates {
                    check_next(last, update)?;
                    last = update.seq;
                }
                self.updates.extend(updates);
                Ok(())
            }
            Subscribed::Resumed { .. } => Err(MirrorError::MissingSnapshot),
        }
    }

    /// Applies `message` if it is an update about this meeting, or a fresh snapshot of
    /// it (sent when the state was rebuilt or the viewer's role changed): `Ok(true)`
    /// when applied, `Ok(false)` for any other message.
    pub fn apply(&mut self, message: &ServerMessage) -> Result<bool, MirrorError> {
        match message {
            ServerMessage::Update {
                meeting,
                first_seq,
                seq,
                at,
                changes,
            } if *meeting == self.meeting => {
                self.apply_update(Update {
                    first_seq: *first_seq,
                    seq: *seq,
                    at: *at,
                    changes: changes.clone(),
                })?;
                Ok(true)
            }
            ServerMessage::Snapshot { meeting, view } if *meeting == self.meeting => {
                self.snapshot = view.clone();
                self.updates.clear();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Applies the next update; it must start at `last_seq() + 1`.
    pub fn apply_update(&mut self, update: Update) -> Result<(), MirrorError> {
        check_next(self.last_seq(), &update)?;
        self.updates.push(update);
        Ok(())
    }

    /// The meeting followed.
    pub fn meeting(&self) -> &MeetingId {
        &self.meeting
    }

    /// The sequence number of the last update applied (or of the snapshot). Resume from it.
    pub fn last_seq(&self) -> u64 {
        self.updates
            .last()
            .map_or(self.snapshot.seq, |update| update.seq)
    }

    /// The snapshot the mirror started from (or last restarted from).
    pub fn snapshot(&self) -> &MeetingView {
        &self.snapshot
    }

    /// The updates applied since the snapshot, in order.
    pub fn updates(&self) -> &[Update] {
        &self.updates
    }

    /// Every change since the snapshot, oldest first.
    pub fn changes(&self) -> impl DoubleEndedIterator<Item = &ViewChange> {
        self.updates.iter().flat_map(|update| update.changes.iter())
    }

    /// The newest change that `pick` recognises, turned into what it picks.
    pub fn latest_change<'a, T: ?Sized>(
        &'a self,
        pick: impl Fn(&'a ViewChange) -> Option<&'a T>,
    ) -> Option<&'a T> {
        self.changes().rev().find_map(pick)
    }

    /// The meeting's details, rules and status, as of the last update.
    pub fn meeting_info(&self) -> &MeetingInfo {
        self.latest_change(|change| match change {
            ViewChange::Meeting { meeting } => Some(meeting),
            _ => None,
        })
        .unwrap_or(&self.snapshot.meeting)
    }

    /// The viewer's own standing, as of the last update.
    pub fn me(&self) -> Option<&MyView> {
        self.latest_change(|change| match change {
            ViewChange::Me { me } => Some(me),
            _ => None,
        })
        .or(self.snapshot.me.as_ref())
    }

    /// The live quorum, as of the last update.
    pub fn quorum(&self) -> &QuorumState {
        self.latest_change(|change| match change {
            ViewChange::Quorum { quorum } => Some(quorum),
            _ => None,
        })
        .unwrap_or(&self.snapshot.quorum)
    }

    /// The speakers' list, as of the last update.
    pub fn floor(&self) -> &FloorView {
        self.latest_change(|change| match change {
            ViewChange::Floor { floor } => Some(floor),
            _ => None,
        })
        .unwrap_or(&self.snapshot.floor)
    }

    /// A participant, as of the last update (`None` if removed or never there).
    pub fn participant(&self, member: &MemberId) -> Option<&ParticipantView> {
        for change in self.changes().rev() {
            match change {
                ViewChange::Participant { participant } if participant.member == *member => {
                    return Some(participant);
                }
                ViewChange::ParticipantRemoved { member: removed } if removed == member => {
                    return None;
                }
                _ => {}
            }
        }
        self.snapshot
            .participants
            .iter()
            .find(|participant| participant.member == *member)
    }

    /// A poll, whole, as last sent (`None` if deleted or never visible). Its progress
    /// and results may be newer: see [`poll_results`](Self::poll_results).
    pub fn poll(&self, poll: &PollId) -> Option<&PollView> {
        for change in self.changes().rev() {
            match change {
                ViewChange::Poll { poll: view } if view.id == *poll => return Some(view),
                ViewChange::PollRemoved { poll: removed } if removed == poll => return None,
                _ => {}
            }
        }
        self.snapshot.polls.iter().find(|view| view.id == *poll)
    }

    /// A poll's status, as of the last update.
    pub fn poll_status(&self, poll: &PollId) -> Option<PollStatus> {
        self.poll_state(poll).map(|state| state.status)
    }

    /// A poll's round, as of the last update.
    pub fn poll_round(&self, poll: &PollId) -> Option<u32> {
        self.poll_state(poll).map(|state| state.round)
    }

    /// A poll's "N of M have voted", as of the last update.
    pub fn poll_progress(&self, poll: &PollId) -> Option<Progress> {
        self.poll_state(poll).map(|state| state.progress)
    }

    /// A poll's results, as of the last update, if this viewer may see them.
    pub fn poll_results(&self, poll: &PollId) -> Option<&ResultsView> {
        self.poll_state(poll).and_then(|state| state.results)
    }

    /// A poll's verdicts (one per question), as of the last update, if visible.
    pub fn poll_verdicts(&self, poll: &PollId) -> Option<&[Verdict]> {
        self.poll_results(poll)
            .map(|results| results.verdicts.as_slice())
    }

    /// The newest of a poll's whole view and its progress changes.
    fn poll_state(&self, poll: &PollId) -> Option<PollState<'_>> {
        for change in self.changes().rev() {
            match change {
                ViewChange::Poll { poll: view } if view.id == *poll => {
                    return Some(PollState::of_view(view));
                }
                ViewChange::PollProgress { progress } if progress.poll == *poll => {
                    return Some(PollState {
                        status: progress.status,
                        round: progress.round,
                        progress: progress.progress,
                        results: progress.results.as_ref(),
                    });
                }
                ViewChange::PollRemoved { poll: removed } if removed == poll => return None,
                _ => {}
            }
        }
        self.snapshot
            .polls
            .iter()
            .find(|view| view.id == *poll)
            .map(PollState::of_view)
    }

    fn check_meeting(&self, meeting: &MeetingId) -> Result<(), MirrorError> {
        if *meeting == self.meeting {
            Ok(())
        } else {
            Err(MirrorError::OtherMeeting {
                expected: self.meeting.clone(),
                received: meeting.clone(),
            })
        }
    }
}

/// A poll's live state, from whichever change said it last.
struct PollState<'a> {
    status: PollStatus,
    round: u32,
    progress: Progress,
    results: Option<&'a ResultsView>,
}

impl<'a> PollState<'a> {
    fn of_view(view: &'a PollView) -> PollState<'a> {
        PollState {
            status: view.status,
            round: view.round,
            progress: view.progress,
            results: view.results.as_ref(),
        }
    }
}

/// Whether `update` is the one due after `last`: it starts right after it.
fn check_next(last: u64, update: &Update) -> Result<(), MirrorError> {
    let expected = last.saturating_add(1);
    let received = update.first_seq;
    if received == expected && update.seq >= received {
        Ok(())
    } else if received < expected {
        Err(MirrorError::Duplicate { received, last })
    } else {
        Err(MirrorError::Gap { expected, received })
    }
}
