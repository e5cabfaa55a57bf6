//! Building the minutes from a record: the roster and attendance from the final view,
//! the speakers from the floor events, polls, conclusions and directives by item.

use std::collections::BTreeMap;

use quorum_domain::meeting::floor::FloorKind;
use quorum_domain::meeting::outcome::DirectiveStatus;
use quorum_domain::meeting::roster::{Attendance as Presence, PresenceMode};
use quorum_domain::meeting::settings::MeetingKind;
use quorum_domain::poll::PollStatus;
use quorum_domain::view::ParticipantView;
use quorum_domain::{ItemId, MeetingEvent, Role, Timestamp};
use unicode_normalization::UnicodeNormalization as _;

use super::poll::poll_minutes;
use super::{
    Attendance, AuditHead, ConclusionEntry, DirectiveEntry, DocumentEntry, Item, MINUTES_FORMAT,
    Minutes, Moment, Person, Proxy, Quorum, Speaker,
};
use crate::record::Record;
use crate::words;

/// Text in Unicode NFC, so that every Vietnamese letter is one precomposed character
/// (fonts and searches expect it).
pub(super) fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// An instant for the minutes.
pub(super) fn moment(at: Timestamp) -> Moment {
    Moment {
        unix_ms: at.0,
        local: words::moment_iso(at),
        words: words::moment_words(at),
    }
}

fn person(participant: &ParticipantView) -> Person {
    Person {
        member: participant.member.to_string(),
        name: nfc(&participant.name),
        position: nfc(&participant.position),
        unit: nfc(&participant.unit_name),
    }
}

pub(super) fn minutes(record: &Record) -> Minutes {
    let view = &record.view;
    let people: BTreeMap<&str, &ParticipantView> = view
        .participants
        .iter()
        .map(|participant| (participant.member.as_str(), participant))
        .collect();
    let name = |member: &str| {
        people
            .get(member)
            .map_or_else(|| member.to_owned(), |participant| nfc(&participant.name))
    };
    let with_role = |role: Role| {
        view.participants
            .iter()
            .find(|participant| participant.role == role)
            .map(person)
    };
    let chair = with_role(Role::Chair);
    let secretary = with_role(Role::Secretary);

    let items: Vec<Item> = view
        .agenda
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| Item {
            number: u32::try_from(index.saturating_add(1)).unwrap_or(u32::MAX),
            id: item.id.to_string(),
            title: nfc(&item.title),
            description: nfc(&item.description),
            documents: item
                .documents
                .iter()
                .map(|document| DocumentEntry {
                    name: nfc(&document.name),
                    media_type: document.media_type.clone(),
                    size: document.size,
                    sha256: document.content_hash.as_str().to_owned(),
                })
                .collect(),
            ..Item::other()
        })
        .collect();
    let index: BTreeMap<String, usize> = items
        .iter()
        .enumerate()
        .map(|(index, item)| (item.id.clone(), index))
        .collect();
    let mut sections = Sections {
        items,
        other: Item::other(),
        index,
    };
    // Speakers: each request granted, in the order the floor was given.
    let mut requests = BTreeMap::new();
    for record in &record.events {
        match &record.event {
            MeetingEvent::FloorRequested {
                request,
                member,
                kind,
                item,
                topic,
                addressed_to,
            } => {
                requests.insert(request.clone(), (member, *kind, item, topic, addressed_to));
            }
            MeetingEvent::FloorGranted { request, .. } => {
                if let Some((member, kind, item, topic, addressed_to)) = requests.get(request) {
                    let speaker = Speaker {
                        person: people.get(member.as_str()).map_or_else(
                            || Person {
                                member: member.to_string(),
                                name: member.to_string(),
                                position: String::new(),
                                unit: String::new(),
                            },
                            |participant| person(participant),
                        ),
                        kind: words::floor_kind_words(*kind).to_owned(),
                        topic: nfc(topic),
                        addressed_to: addressed_to
                            .as_ref()
                            .filter(|_| *kind == FloorKind::Interpellation)
                            .map(|to| nfc(to)),
                        at: moment(record.at),
                    };
                    sections.slot(item.as_ref()).speakers.push(speaker);
                }
            }
            _ => {}
        }
    }

    // Polls that ran, in the order they were opened.
    let mut polls: Vec<_> = view
        .polls
        .iter()
        .filter(|poll| poll.status != PollStatus::Draft || !poll.past_rounds.is_empty())
        .collect();
    polls.sort_by_key(|poll| poll.opening.as_ref().map(|opening| opening.at));
    for poll in polls {
        let receipts = record.round_receipts(poll.id.as_str(), poll.round);
        sections
            .slot(poll.spec.item.as_ref())
            .polls
            .push(poll_minutes(poll, receipts, &name));
    }
    for conclusion in &view.conclusions {
        sections
            .slot(conclusion.item.as_ref())
            .conclusions
            .push(ConclusionEntry {
                text: nfc(&conclusion.text),
                recorded_at: moment(conclusion.recorded_at),
            });
    }
    for directive in &view.directives {
        sections
            .slot(directive.item.as_ref())
            .directives
            .push(DirectiveEntry {
                unit: nfc(&directive.unit_name),
                text: nfc(&directive.text),
                due: directive.due.map(moment),
                status: directive_status(directive.status).to_owned(),
            });
    }

    let details = &view.meeting.details;
    Minutes {
        format: MINUTES_FORMAT.to_owned(),
        meeting: record.meeting.to_string(),
        issuing_body: chair
            .as_ref()
            .map(|chair| chair.unit.clone())
            .unwrap_or_default(),
        title: nfc(&details.title),
        urgent: details.kind == MeetingKind::Urgent,
        location: nfc(&details.location),
        scheduled_at: moment(details.scheduled_at),
        opened_at: view.meeting.opened_at.map(moment),
        closed_at: view.meeting.closed_at.map(moment),
        chair,
        secretary,
        attendance: attendance(record, &people),
        items: sections.items,
        other: (!sections.other.is_empty()).then_some(sections.other),
        audit: record.audit.as_ref().map(|audit| AuditHead {
            head_seq: audit.head_seq,
            head_hash: audit.head_hash.clone(),
        }),
        last_seq: view.seq,
        exported_at: moment(record.exported_at),
    }
}

fn attendance(record: &Record, people: &BTreeMap<&str, &ParticipantView>) -> Attendance {
    let view = &record.view;
    let mut attendance = Attendance {
        invited: u32::try_from(view.participants.len()).unwrap_or(u32::MAX),
        voting_members: u32::try_from(
            view.participants
                .iter()
                .filter(|participant| participant.voting_right)
                .count(),
        )
        .unwrap_or(u32::MAX),
        in_room: Vec::new(),
        remote: Vec::new(),
        absent: Vec::new(),
        proxies: Vec::new(),
        guests: Vec::new(),
        quorum: quorum(record),
    };
    for participant in &view.participants {
        if participant.role == Role::Guest {
            attendance.guests.push(person(participant));
            continue;
        }
        // The record's view is the administrator's, which shows every row's attendance.
        match participant.attendance.unwrap_or(Presence::Absent) {
            Presence::Present {
                mode: PresenceMode::InRoom,
                ..
            } => attendance.in_room.push(person(participant)),
            Presence::Present {
                mode: PresenceMode::Remote,
                ..
            } => attendance.remote.push(person(participant)),
            Presence::Absent => match participant
                .proxy_given_to
                .as_ref()
                .and_then(|holder| people.get(holder.as_str()))
            {
                Some(holder) => attendance.proxies.push(Proxy {
                    seat: person(participant),
                    holder: person(holder),
                }),
                None => attendance.absent.push(person(participant)),
            },
        }
    }
    attendance
}

fn quorum(record: &Record) -> Quorum {
    let state = record.view.quorum;
    let verdict = if state.met {
        "ĐỦ TÚC SỐ"
    } else {
        "KHÔNG ĐỦ TÚC SỐ"
    };
    let share = words::percent(state.present, state.base)
        .map(|share| format!(" ({share})"))
        .unwrap_or_default();
    Quorum {
        present: state.present,
        base: state.base,
        required: state.required,
        met: state.met,
        words: format!(
            "có mặt {}/{} đại biểu có quyền biểu quyết{share}, cần tối thiểu {}: {verdict}.",
            state.present, state.base, state.required,
        ),
    }
}

fn directive_status(status: DirectiveStatus) -> &'static str {
    match status {
        DirectiveStatus::Assigned => "đã giao",
        DirectiveStatus::Acknowledged => "đơn vị đã nhận",
        DirectiveStatus::Done => "đã hoàn thành",
    }
}

/// The items, and where business outside the agenda goes.
struct Sections {
    items: Vec<Item>,
    other: Item,
    index: BTreeMap<String, usize>,
}

impl Sections {
    /// The item an entry belongs to, or "other business".
    fn slot(&mut self, item: Option<&ItemId>) -> &mut Item {
        match item
            .and_then(|item| self.index.get(item.as_str()))
            .and_then(|&index| self.items.get_mut(index))
        {
            Some(item) => item,
            None => &mut self.other,
        }
    }
}

impl Item {
    /// The bucket for business outside the agenda.
    fn other() -> Item {
        Item {
            number: 0,
            id: String::new(),
            title: "Nội dung khác".to_owned(),
            description: String::new(),
            documents: Vec::new(),
            speakers: Vec::new(),
            polls: Vec::new(),
            conclusions: Vec::new(),
            directives: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.speakers.is_empty()
            && self.polls.is_empty()
            && self.conclusions.is_empty()
            && self.directives.is_empty()
    }
}
