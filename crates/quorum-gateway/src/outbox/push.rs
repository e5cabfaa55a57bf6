//! Web Push through the outbox: an urgent meeting's alert goes to every participant and
//! an invitation to each person invited, on each browser they subscribed. Derived like
//! every notice (a pure function of the event, with a stable id) and delivered with the
//! same retries; a push older than [`FRESH_MS`] is not derived at all, because a late
//! alert misleads more than it helps.

use std::time::Duration;

use quorum_domain::meeting::settings::MeetingKind;
use quorum_domain::{EventRecord, Meeting, MeetingEvent, MemberId};
use quorum_store::EventLog;
use serde_json::json;

use super::ledger::{Channel, Enqueued, notice_id};
use super::webhook::{self, Answer, Target};
use crate::push::Vapid;
use crate::push::subscriptions;

/// How old an event may be and still be pushed (ms): one hour.
pub const FRESH_MS: i64 = 60 * 60 * 1000;
/// How long a push service keeps an alert for a browser that is offline (s).
const ALERT_TTL: u32 = 6 * 3600;
/// How long it keeps an invitation (s).
const INVITATION_TTL: u32 = 3 * 24 * 3600;
/// The longest text put in a push message, in characters.
const TEXT_MAX: usize = 400;

/// The pushes of one committed event; `None` if the event is not one that pushes.
pub fn notices(meeting: &Meeting, record: &EventRecord, now: i64) -> Option<Vec<Enqueued>> {
    let title = &meeting.details().title;
    let url = format!("/app#meeting={}", meeting.id());
    let (kind, members, message): (&str, Vec<&MemberId>, serde_json::Value) = match &record.event {
        MeetingEvent::AlertRaised {
            number, message, ..
        } => (
            "urgent_alert",
            meeting.participants().keys().collect(),
            json!({
                "title": format!("HỌP KHẨN: {}", short(title)),
                "body": short(message),
                "url": url,
                "tag": format!("alert-{}-{number}", meeting.id()),
                "urgent": true,
                "ttl": ALERT_TTL,
            }),
        ),
        // An urgent meeting's members get its alert instead.
        MeetingEvent::ParticipantsInvited { invitees, .. }
            if meeting.details().kind != MeetingKind::Urgent =>
        {
            let details = meeting.details();
            (
                "invitation",
                invitees.iter().map(|invitee| &invitee.member).collect(),
                json!({
                    "title": format!("Giấy mời họp: {}", short(title)),
                    "body": short(&format!("{} · Invitation to a meeting", details.location)),
                    "url": url,
                    "tag": format!("invitation-{}", meeting.id()),
                    "urgent": false,
                    "ttl": INVITATION_TTL,
                }),
            )
        }
        _ => return None,
    };
    if now.saturating_sub(record.at.0) > FRESH_MS {
        return Some(Vec::new());
    }
    let subject = message
        .get("title")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let body = message.to_string();
    Some(
        members
            .into_iter()
            .map(|member| Enqueued {
                id: notice_id(meeting.id(), record.seq, member.as_str(), Channel::Push),
                meeting: meeting.id().clone(),
                seq: record.seq,
                unit: None,
                member: Some(member.clone()),
                channel: Channel::Push,
                target: member.to_string(),
                kind: kind.to_owned(),
                subject: subject.clone(),
                body: body.clone(),
                directive: None,
                created: now,
            })
            .collect(),
    )
}

/// Sends a push to each browser the member subscribed. Delivered when every browser's
/// push service took it (or the member has none); a browser whose subscription the
/// push service says is gone (404, 410) is forgotten; any other failure retries the
/// notice (browsers that got it already show it once, by its tag).
pub async fn deliver(
    store: &dyn EventLog,
    vapid: &Vapid,
    member: &MemberId,
    body: &str,
    timeout: Duration,
) -> Answer {
    let subscriptions = match subscriptions::list(store, member).await {
        Ok(subscriptions) => subscriptions,
        Err(error) => return Answer::Failed(format!("subscriptions: {error}")),
    };
    let message: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let ttl = message
        .get("ttl")
        .and_then(serde_json::Value::as_u64)
        .and_then(|ttl| u32::try_from(ttl).ok())
        .unwrap_or(3600);
    let urgent = message
        .get("urgent")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let now = crate::clock::now().0.div_euclid(1000);
    let mut failures = Vec::new();
    for subscription in &subscriptions {
        let answer = match vapid.request(subscription, body.as_bytes(), ttl, urgent, now) {
            Err(error) => Answer::Refused(error.to_string()),
            Ok(request) => match Target::parse(&request.endpoint) {
                Err(reason) => Answer::Refused(format!("endpoint {reason}")),
                Ok(target) => webhook::post(&target, &request.headers, request.body, timeout).await,
            },
        };
        match answer {
            Answer::Accepted => {}
            Answer::Refused(reason) => {
                // The browser unsubscribed or the subscription expired: forget it.
                tracing::info!(%member, %reason, "push subscription refused; forgetting it");
                let _ = subscriptions::unsubscribe(
                    store,
                    member,
                    &subscription.endpoint,
                    crate::clock::now(),
                )
                .await;
            }
            Answer::Failed(reason) => failures.push(reason),
        }
    }
    if failures.is_empty() {
        Answer::Accepted
    } else {
        Answer::Failed(failures.join("; "))
    }
}

fn short(text: &str) -> String {
    let mut short: String = text.chars().take(TEXT_MAX).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}
