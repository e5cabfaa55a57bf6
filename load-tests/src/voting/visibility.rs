//! When every device had seen each event: the workers' records merged, by meeting and
//! node, from which "tally visible" (on every device, or on the nodes a ballot did not
//! go to) is read.

use std::collections::BTreeMap;

use crate::devices::job::{Outcome, Reached};

/// When the last device had seen each sequence number, by meeting and node.
pub(super) struct Visibility {
    seen: BTreeMap<(usize, usize), BTreeMap<u64, Option<u64>>>,
}

impl Visibility {
    /// Merges the workers' records: a sequence number counts as seen on a node once
    /// every worker with devices there saw it on all of them.
    pub(super) fn new(outcomes: &[Outcome]) -> Visibility {
        let mut groups: BTreeMap<(usize, usize), Vec<&Reached>> = BTreeMap::new();
        for reached in outcomes.iter().flat_map(|outcome| &outcome.reached) {
            if reached.devices > 0 {
                groups
                    .entry((reached.meeting, reached.node))
                    .or_default()
                    .push(reached);
            }
        }
        let seen = groups
            .into_iter()
            .map(|(place, records)| {
                let mut times: BTreeMap<u64, (usize, Option<u64>)> = BTreeMap::new();
                for record in &records {
                    for (offset, time) in record.times.iter().enumerate() {
                        let entry = times
                            .entry(record.first_seq + offset as u64)
                            .or_insert((0, Some(0)));
                        entry.0 += 1;
                        entry.1 = entry.1.zip(*time).map(|(a, b)| a.max(b));
                    }
                }
                let merged = times
                    .into_iter()
                    .map(|(seq, (workers, time))| (seq, time.filter(|_| workers == records.len())))
                    .collect();
                (place, merged)
            })
            .collect();
        Visibility { seen }
    }

    /// When every device of `meeting` on the nodes `on` accepts had seen `seq`; `None`
    /// if one never did or no such node has devices.
    pub(super) fn at(&self, meeting: usize, seq: u64, on: impl Fn(usize) -> bool) -> Option<u64> {
        let mut latest = None;
        for ((_, node), times) in self.seen.range((meeting, 0)..=(meeting, usize::MAX)) {
            if !on(*node) {
                continue;
            }
            let time = times.get(&seq).copied().flatten()?;
            latest = Some(latest.map_or(time, |at: u64| at.max(time)));
        }
        latest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reached(meeting: usize, node: usize, first_seq: u64, times: &[Option<u64>]) -> Reached {
        Reached {
            meeting,
            node,
            devices: 1,
            first_seq,
            times: times.to_vec(),
        }
    }

    fn worker(reached: Vec<Reached>) -> Outcome {
        Outcome {
            reached,
            ..Outcome::default()
        }
    }

    #[test]
    fn an_event_is_seen_when_the_last_device_of_every_worker_saw_it() {
        let visible = Visibility::new(&[
            worker(vec![reached(0, 0, 5, &[Some(100), Some(200), None])]),
            worker(vec![reached(0, 0, 5, &[Some(150), Some(120)])]),
            worker(vec![reached(0, 1, 6, &[Some(300), Some(400)])]),
        ]);
        // Seq 5: node 1 never recorded it.
        assert_eq!(visible.at(0, 5, |_| true), None);
        assert_eq!(visible.at(0, 5, |node| node == 0), Some(150));
        // Seq 6: the latest over both nodes.
        assert_eq!(visible.at(0, 6, |_| true), Some(300));
        assert_eq!(visible.at(0, 6, |node| node != 1), Some(200));
        // Seq 7: one worker of node 0 never saw it, the other did not record it.
        assert_eq!(visible.at(0, 7, |node| node == 0), None);
        assert_eq!(visible.at(0, 7, |node| node == 1), Some(400));
        // A meeting nobody follows.
        assert_eq!(visible.at(1, 5, |_| true), None);
    }
}
