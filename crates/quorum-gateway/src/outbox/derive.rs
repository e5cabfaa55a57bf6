//! Which committed meeting events concern which units, and the notice each gets: a
//! pure function of the event, the meeting's state and the configured units, so that
//! reading a log again derives the same notices with the same ids.

use quorum_domain::meeting::outcome::Directive;
use quorum_domain::poll::ResultsVisibility;
use quorum_domain::{DirectiveId, EventRecord, Meeting, MeetingEvent, UnitId};
use serde_json::json;

use super::ledger::{Channel, Enqueued, notice_id};

/// A unit as the outbox knows it: where its notices go.
#[derive(Debug, Clone)]
pub struct Recipient {
    /// The unit.
    pub id: UnitId,
    /// Its name.
    pub name: String,
    /// Its webhook, if any.
    pub webhook_url: Option<String>,
    /// Its address, if any.
    pub email: Option<String>,
    /// Whether it gets the meeting's results.
    pub results: bool,
}

/// What a notice says, before it is addressed to a channel.
struct Message {
    kind: &'static str,
    subject: String,
    /// Vietnamese first, then one English line.
    text: String,
    document: serde_json::Value,
    directive: Option<DirectiveId>,
}

/// The notices of one committed event. `meeting` is the meeting's state at or after the
/// event (only names and directives' units are read from it).
pub fn notices(
    meeting: &Meeting,
    record: &EventRecord,
    recipients: &[Recipient],
    public_url: &str,
    now: i64,
) -> Vec<Enqueued> {
    if let Some(pushes) = super::push::notices(meeting, record, now) {
        return pushes;
    }
    let title = &meeting.details().title;
    let (message, targets) = match &record.event {
        MeetingEvent::DirectiveIssued { directive, .. }
        | MeetingEvent::DirectiveUpdated { directive, .. } => {
            let Some(current) = meeting.directives().find(|found| &found.id == directive) else {
                return Vec::new();
            };
            let updated = matches!(record.event, MeetingEvent::DirectiveUpdated { .. });
            (
                directive_message(title, current, updated, record, public_url, meeting),
                recipients
                    .iter()
                    .filter(|recipient| recipient.id == current.unit)
                    .collect::<Vec<_>>(),
            )
        }
        MeetingEvent::ConclusionRecorded { text, .. } => (
            Message {
                kind: "conclusion_recorded",
                subject: format!("[Quorum] Kết luận: {}", short(title)),
                text: format!(
                    "Phiên họp \"{title}\" đã ghi nhận kết luận:\n\n{text}\n\nA conclusion was recorded in the meeting \"{title}\"."
                ),
                document: json!({}),
                directive: None,
            },
            results_recipients(recipients),
        ),
        MeetingEvent::PollClosed { poll, .. } | MeetingEvent::PollPublished { poll, .. } => {
            let Some(found) = meeting.poll(poll) else {
                return Vec::new();
            };
            // Results leave the hall only once everyone in it may see them: at close
            // for a poll shown live to all, otherwise when the chair publishes them.
            let live = found.spec.visibility == ResultsVisibility::LiveToAll;
            let closed = matches!(record.event, MeetingEvent::PollClosed { .. });
            if live != closed {
                return Vec::new();
            }
            let Some(result) = &found.result else {
                return Vec::new();
            };
            let verdicts = serde_json::to_string(&result.verdicts).unwrap_or_default();
            (
                Message {
                    kind: "poll_results",
                    subject: format!("[Quorum] Kết quả biểu quyết: {}", short(&found.spec.title)),
                    text: format!(
                        "Kết quả biểu quyết \"{}\" (phiên họp \"{title}\", vòng {}): {verdicts}\n\nPoll results of \"{}\" in the meeting \"{title}\".",
                        found.spec.title, found.round, found.spec.title
                    ),
                    document: json!({ "poll": { "id": poll, "title": found.spec.title, "round": found.round, "result": result } }),
                    directive: None,
                },
                results_recipients(recipients),
            )
        }
        MeetingEvent::MeetingClosed { .. } => {
            let conclusions = meeting.conclusions().count();
            let directives = meeting.directives().count();
            (
                Message {
                    kind: "meeting_closed",
                    subject: format!("[Quorum] Kết thúc phiên họp: {}", short(title)),
                    text: format!(
                        "Phiên họp \"{title}\" đã kết thúc: {conclusions} kết luận, {directives} chỉ đạo.\n\nThe meeting \"{title}\" closed with {conclusions} conclusions and {directives} directives."
                    ),
                    document: json!({ "summary": { "conclusions": conclusions, "directives": directives } }),
                    directive: None,
                },
                results_recipients(recipients),
            )
        }
        _ => return Vec::new(),
    };
    let mut notices = Vec::new();
    for recipient in targets {
        let channels = [
            (Channel::Webhook, recipient.webhook_url.as_ref()),
            (Channel::Email, recipient.email.as_ref()),
        ];
        for (channel, target) in channels {
            let Some(target) = target else { continue };
            let id = notice_id(meeting.id(), record.seq, recipient.id.as_str(), channel);
            let body = match channel {
                Channel::Webhook => {
                    let mut document = json!({
                        "id": id,
                        "kind": message.kind,
                        "meeting": { "id": meeting.id(), "title": title },
                        "seq": record.seq,
                        "at": record.at.0,
                        "unit": { "id": recipient.id, "name": recipient.name },
                        "subject": message.subject,
                        "text": message.text,
                        "event": record.event,
                    });
                    if let (Some(object), Some(extra)) =
                        (document.as_object_mut(), message.document.as_object())
                    {
                        object.extend(extra.clone());
                    }
                    document.to_string()
                }
                Channel::Email => format!(
                    "Kính gửi {} / To {},\n\n{}\n\n--\nQuorum · mã thông báo / notice id: {id}\n",
                    recipient.name, recipient.name, message.text
                ),
                // Units have no browsers; members' pushes are derived in `push.rs`.
                Channel::Push => continue,
            };
            notices.push(Enqueued {
                id,
                meeting: meeting.id().clone(),
                seq: record.seq,
                unit: Some(recipient.id.clone()),
                member: None,
                channel,
                target: target.clone(),
                kind: message.kind.to_owned(),
                subject: message.subject.clone(),
                body,
                directive: message.directive.clone(),
                created: now,
            });
        }
    }
    notices
}

fn directive_message(
    title: &str,
    directive: &Directive,
    updated: bool,
    record: &EventRecord,
    public_url: &str,
    meeting: &Meeting,
) -> Message {
    let due = directive
        .due
        .map_or_else(|| "không có / none".to_owned(), |due| format_date(due.0));
    let status_url = super::link::status_url(public_url, meeting.id(), &directive.id);
    let status = serde_json::to_value(directive.status)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default();
    let (kind, subject, text) = if updated {
        (
            "directive_updated",
            format!("[Quorum] Cập nhật chỉ đạo: {}", short(&directive.text)),
            format!(
                "Chỉ đạo \"{}\" (phiên họp \"{title}\") chuyển sang trạng thái: {status}.\n\nThe directive's status is now {status}.",
                directive.text
            ),
        )
    } else {
        (
            "directive_issued",
            format!("[Quorum] Chỉ đạo: {}", short(&directive.text)),
            format!(
                "Phiên họp \"{title}\" giao cho {} nhiệm vụ:\n\n{}\n\nHạn xử lý: {due}\n\nĐể xác nhận đã nhận hoặc đã hoàn thành, gửi POST tới {status_url} với JSON {{\"token\": \"<mã>\", \"status\": \"acknowledged\" | \"done\"}}.\nMã / Token: {{{{status_token}}}}\n\nA directive was assigned to your unit (due {due}); acknowledge or complete it at the link above with the token.",
                directive.unit_name, directive.text
            ),
        )
    };
    Message {
        kind,
        subject,
        text,
        document: json!({
            "directive": {
                "id": directive.id,
                "item": directive.item,
                "text": directive.text,
                "due": directive.due,
                "status": status,
                "overdue": directive.is_overdue(record.at),
            },
            "status_url": status_url,
        }),
        directive: Some(directive.id.clone()),
    }
}

fn results_recipients(recipients: &[Recipient]) -> Vec<&Recipient> {
    recipients
        .iter()
        .filter(|recipient| recipient.results)
        .collect()
}

/// At most 60 characters of `text`, for a subject line.
fn short(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(60).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// A date (UTC+7, Vietnam's time) as `dd/mm/yyyy hh:mm`, as the minutes write it.
fn format_date(millis: i64) -> String {
    quorum_minutes::words::vietnam_date_time(quorum_domain::Timestamp(millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quorum_domain::{Actor, MeetingCommand, MemberId, Timestamp};

    fn unit(id: &str, webhook: bool, email: bool, results: bool) -> Recipient {
        Recipient {
            id: UnitId::new(id).unwrap(),
            name: id.to_owned(),
            webhook_url: webhook.then(|| format!("http://127.0.0.1:9/{id}")),
            email: email.then(|| format!("{id}@example.vn")),
            results,
        }
    }

    /// The demo meeting with a directive to `so-tc` issued by the chair.
    fn with_directive() -> (Meeting, EventRecord) {
        let (mut meeting, _) = quorum_protocol::examples::demo_meeting();
        let chair = Actor::Member {
            member: MemberId::new("chu-toa").unwrap(),
        };
        let command = MeetingCommand::IssueDirective {
            directive: DirectiveId::new("cd-1").unwrap(),
            item: None,
            unit: UnitId::new("so-tc").unwrap(),
            unit_name: "Sở Tài chính".into(),
            text: "Báo cáo kinh phí".into(),
            due: Some(Timestamp(1_000)),
        };
        let (mut records, _) = meeting
            .execute(&chair, Timestamp(2_000_000_000_000), &command)
            .unwrap();
        (meeting, records.remove(0))
    }

    #[test]
    fn a_directive_goes_to_its_unit_on_each_channel_under_stable_ids() {
        let (meeting, record) = with_directive();
        let units = [
            unit("so-tc", true, true, false),
            unit("so-xd", true, true, true),
        ];
        let first = notices(&meeting, &record, &units, "https://hop.example.vn", 1);
        let again = notices(&meeting, &record, &units, "https://hop.example.vn", 2);
        let ids: Vec<&str> = first.iter().map(|notice| notice.id.as_str()).collect();
        let seq = record.seq;
        assert_eq!(
            ids,
            [
                format!("{}:{seq}:so-tc:webhook", meeting.id()),
                format!("{}:{seq}:so-tc:email", meeting.id())
            ]
        );
        assert_eq!(
            ids,
            again
                .iter()
                .map(|notice| notice.id.as_str())
                .collect::<Vec<_>>(),
            "re-deriving gives the same ids"
        );
        assert!(
            first[0]
                .subject
                .starts_with("[Quorum] Chỉ đạo: Báo cáo kinh phí")
        );
        let document: serde_json::Value = serde_json::from_str(&first[0].body).unwrap();
        assert_eq!(document["directive"]["overdue"], true);
        assert!(document.get("status_token").is_none(), "no token is stored");
        assert!(
            first[1]
                .body
                .contains(crate::outbox::link::TOKEN_PLACEHOLDER)
        );
    }

    #[test]
    fn a_unit_may_update_only_its_own_directive_and_do_nothing_else() {
        use quorum_domain::meeting::outcome::DirectiveStatus;
        let (mut meeting, _) = with_directive();
        let now = Timestamp(2_000_000_000_001);
        let update = MeetingCommand::UpdateDirective {
            directive: DirectiveId::new("cd-1").unwrap(),
            status: DirectiveStatus::Acknowledged,
        };
        let other = Actor::Unit {
            unit: UnitId::new("so-xd").unwrap(),
        };
        let own = Actor::Unit {
            unit: UnitId::new("so-tc").unwrap(),
        };
        assert!(meeting.execute(&other, now, &update).is_err());
        let issue = MeetingCommand::IssueDirective {
            directive: DirectiveId::new("cd-2").unwrap(),
            item: None,
            unit: UnitId::new("so-tc").unwrap(),
            unit_name: "Sở Tài chính".into(),
            text: "Tự giao việc".into(),
            due: None,
        };
        assert!(meeting.execute(&own, now, &issue).is_err());
        let (records, _) = meeting.execute(&own, now, &update).unwrap();
        assert!(matches!(
            &records[0].event,
            MeetingEvent::DirectiveUpdated { by, .. } if *by == own
        ));
    }

    #[test]
    fn events_that_concern_no_unit_make_no_notice() {
        let (meeting, record) = with_directive();
        assert!(notices(&meeting, &record, &[unit("so-xd", true, true, true)], "", 1).is_empty());
        let (_, log) = quorum_protocol::examples::demo_meeting();
        for record in &log {
            // Invitations push to the members' browsers (see `push.rs`); none goes to a unit.
            let to_units: Vec<Enqueued> =
                notices(&meeting, record, &[unit("so-tc", true, true, false)], "", 1)
                    .into_iter()
                    .filter(|notice| notice.unit.is_some())
                    .collect();
            assert!(to_units.is_empty(), "{to_units:?}");
        }
    }

    #[test]
    fn an_alert_pushes_to_every_participant_while_it_is_fresh() {
        let (meeting, mut record) = with_directive();
        record.event = MeetingEvent::AlertRaised {
            number: 1,
            message: "Họp khẩn".into(),
            by: Actor::Admin,
        };
        let now = record.at.0;
        let pushes = notices(&meeting, &record, &[], "", now);
        assert!(!pushes.is_empty());
        assert_eq!(pushes.len(), meeting.participants().len());
        assert!(pushes.iter().all(|push| push.channel == Channel::Push
            && push.unit.is_none()
            && push.member.is_some()
            && push.id.ends_with(":push")));
        let late = now + super::super::push::FRESH_MS + 1;
        assert!(notices(&meeting, &record, &[], "", late).is_empty());
    }

    #[test]
    fn dates_are_shown_in_vietnam_time() {
        // 2026-11-28T05:00:00Z is 12:00 in Hà Nội.
        assert_eq!(format_date(1_795_842_000_000), "28/11/2026 12:00 (UTC+7)");
    }

    #[test]
    fn long_subjects_are_cut() {
        assert_eq!(short(&"ệ".repeat(61)).chars().count(), 61);
        assert_eq!(short("ngắn"), "ngắn");
    }
}
