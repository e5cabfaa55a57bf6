//! Pushing one committed event to a room's subscribers: each gets its own projection;
//! a projection the whole audience shares is encoded once.

use quorum_domain::view::{Audience, SharedViews};
use quorum_domain::{EventRecord, Meeting, Viewer};
use quorum_protocol::{ErrorCode, ServerMessage};

use crate::outbound::{Frame, Link, Outbound};

/// A connection following the meeting.
#[derive(Debug)]
pub(super) struct Subscriber {
    pub(super) link: Link,
    pub(super) viewer: Viewer,
}

/// Sends `records`' changes to every subscriber, even when a viewer sees no change (an
/// empty update), so that every device receives every sequence number and can tell a
/// gap. Subscribers that are gone, too slow, or no longer participants are dropped.
///
/// Each subscriber gets all of a commit's records one after the other, so that its
/// writer finds them queued together and sends them in one system call.
pub(super) fn publish(
    meeting: &Meeting,
    records: &[EventRecord],
    subscribers: &mut Vec<Subscriber>,
) {
    // Most viewers are told what their whole audience is told: one encoding per record
    // and audience. The parts every viewer of an audience shares are computed once too.
    let mut encoded: Vec<Vec<(Audience, Outbound)>> = vec![Vec::new(); records.len()];
    let mut shared: Vec<SharedViews> = records.iter().map(|_| SharedViews::default()).collect();
    subscribers.retain(|subscriber| {
        let per_record = records
            .iter()
            .zip(encoded.iter_mut())
            .zip(shared.iter_mut());
        for ((record, encoded), shared) in per_record {
            let Some(told) =
                meeting.view_changes_sharing(&record.event, &subscriber.viewer, shared)
            else {
                let _ = subscriber.link.send(&Frame::message(&ServerMessage::error(
                    ErrorCode::Forbidden,
                    None,
                    Some(meeting.id().clone()),
                )));
                return false;
            };
            let known = told.shared_by.and_then(|audience| {
                encoded
                    .iter()
                    .find(|(seen, _)| *seen == audience)
                    .map(|(_, frame)| frame.clone())
            });
            let frame = known.unwrap_or_else(|| {
                let frame = Frame::message(&ServerMessage::Update {
                    meeting: meeting.id().clone(),
                    seq: record.seq,
                    at: record.at,
                    changes: told.changes,
                });
                if let Some(audience) = told.shared_by {
                    encoded.push((audience, frame.clone()));
                }
                frame
            });
            if subscriber.link.send(&frame).is_err() {
                return false;
            }
            metrics::counter!(crate::telemetry::FRAMES_QUEUED).increment(1);
        }
        true
    });
}
