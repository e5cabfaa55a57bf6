//! Pushing one committed event to a room's subscribers: each gets its own projection,
//! and each distinct projection is encoded once and shared.

use quorum_domain::{EventRecord, Meeting, ViewChange, Viewer};
use quorum_protocol::{ErrorCode, ServerMessage};

use crate::outbound::{Frame, Link, Outbound};

/// A connection following the meeting.
#[derive(Debug)]
pub(super) struct Subscriber {
    pub(super) link: Link,
    pub(super) viewer: Viewer,
}

/// Sends `record`'s changes to every subscriber, even when a viewer sees no change (an
/// empty update), so that every device receives every sequence number and can tell a
/// gap. Subscribers that are gone, too slow, or no longer participants are dropped.
pub(super) fn publish(meeting: &Meeting, record: &EventRecord, subscribers: &mut Vec<Subscriber>) {
    // Most viewers of an event see one of a handful of projections.
    let mut encoded: Vec<(Vec<ViewChange>, Outbound)> = Vec::new();
    subscribers.retain(|subscriber| {
        let Some(changes) = meeting.view_changes(&record.event, &subscriber.viewer) else {
            let _ = subscriber.link.send(&Frame::message(&ServerMessage::error(
                ErrorCode::Forbidden,
                None,
                Some(meeting.id().clone()),
            )));
            return false;
        };
        let frame = match encoded.iter().find(|(seen, _)| *seen == changes) {
            Some((_, frame)) => frame.clone(),
            None => {
                let frame = Frame::message(&ServerMessage::Update {
                    meeting: meeting.id().clone(),
                    seq: record.seq,
                    at: record.at,
                    changes: changes.clone(),
                });
                encoded.push((changes, frame.clone()));
                frame
            }
        };
        let delivered = subscriber.link.send(&frame).is_ok();
        if delivered {
            metrics::counter!(crate::telemetry::FRAMES_QUEUED).increment(1);
        }
        delivered
    });
}
