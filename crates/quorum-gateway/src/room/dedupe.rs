//! Idempotent commands: the outcome of each recent request id, per actor, so that a
//! device resending a command after a lost acknowledgement gets the same answer.

use std::collections::{HashMap, VecDeque};

use quorum_domain::{Actor, MemberId};
use quorum_protocol::RequestId;

use super::CommandOutcome;

/// Outcomes remembered per meeting; the oldest are forgotten first. A ballot resent
/// after that still gets its receipt: ballots are idempotent by ballot id in the
/// domain, and this cache only spares the work.
const CAPACITY: usize = 65_536;

/// Who sent a request: a member, or an administrator (`None`).
type Key = (Option<MemberId>, RequestId);

/// Recent outcomes by (actor, request id).
#[derive(Debug, Default)]
pub(super) struct Dedupe {
    outcomes: HashMap<Key, CommandOutcome>,
    order: VecDeque<Key>,
}

impl Dedupe {
    pub(super) fn get(&self, actor: &Actor, request: &RequestId) -> Option<&CommandOutcome> {
        let key = key(actor, request.clone())?;
        self.outcomes.get(&key)
    }

    /// Remembers an outcome, unless it says nothing final (a failure may be retried).
    pub(super) fn insert(&mut self, actor: &Actor, request: RequestId, outcome: &CommandOutcome) {
        if matches!(outcome, CommandOutcome::Failed(_)) {
            return;
        }
        let Some(key) = key(actor, request) else {
            return;
        };
        // The first answer stands: a repeat decided in the same group was answered
        // from it already.
        if let std::collections::hash_map::Entry::Vacant(entry) = self.outcomes.entry(key.clone()) {
            entry.insert(outcome.clone());
            self.order.push_back(key);
        }
        while self.order.len() > CAPACITY {
            if let Some(oldest) = self.order.pop_front() {
                self.outcomes.remove(&oldest);
            }
        }
    }
}

impl Dedupe {
    /// Forgets an answer that was never committed.
    pub(super) fn forget(&mut self, actor: &Actor, request: &RequestId) {
        if let Some(key) = key(actor, request.clone()) {
            // The key stays in `order` until it ages out (removing it there would cost
            // a scan); at worst a later answer to the same request ages out early.
            self.outcomes.remove(&key);
        }
    }
}

fn key(actor: &Actor, request: RequestId) -> Option<Key> {
    match actor {
        Actor::Member { member } => Some((Some(member.clone()), request)),
        Actor::Admin => Some((None, request)),
        Actor::System | Actor::Unit { .. } => None,
    }
}
