//! The meeting every script starts from, routine or urgent: created by the administrator and its small
//! roster invited — a chair who votes, a secretary, a guest, and four delegates of
//! different weights and groups, one without a voting right — not yet open, with
//! proxies allowed.

use quorum_domain::meeting::roster::Invitee;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings, ProxyPolicy};
use quorum_domain::{
    Actor, CreateMeeting, EventRecord, GroupId, Meeting, MeetingCommand, MeetingId, MemberId, Role,
    Timestamp,
};

/// When the meeting is scheduled, and where the scripts' clock starts: 09:00 on
/// 27 November 2026, Indochina Time.
pub const START: i64 = 1_795_744_800_000;

/// The roster: member id, role, voting right, weight and groups.
pub const ROSTER: [(&str, Role, bool, u32, &[&str]); 7] = [
    ("chair", Role::Chair, true, 1, &["g1"]),
    ("secretary", Role::Secretary, false, 1, &[]),
    ("guest", Role::Guest, false, 1, &[]),
    ("d01", Role::Delegate, true, 1, &[]),
    ("d02", Role::Delegate, true, 2, &["g1"]),
    ("d03", Role::Delegate, true, 1, &["g2"]),
    ("d04", Role::Delegate, false, 1, &["g2"]),
];

/// The meeting, created and invited at the start of the day, and its log.
pub(super) fn invited_meeting(kind: MeetingKind) -> (Meeting, Vec<EventRecord>) {
    let created = Meeting::create(
        MeetingId::new("ky-hop-fuzz").expect("a valid meeting id"),
        &Actor::Admin,
        CreateMeeting {
            details: MeetingDetails {
                title: "Kỳ họp thứ 12 Hội đồng nhân dân xã".into(),
                kind,
                location: "Hội trường UBND xã".into(),
                scheduled_at: Timestamp(START),
            },
            settings: MeetingSettings {
                proxies: ProxyPolicy {
                    allowed: true,
                    max_per_holder: 1,
                },
                ..MeetingSettings::default()
            },
        },
    )
    .expect("the meeting is valid");
    let first = EventRecord {
        seq: 1,
        at: Timestamp(START - 86_400_000),
        event: created,
    };
    let mut meeting = Meeting::from_created(&first).expect("the first event creates it");
    let invite = MeetingCommand::Invite {
        invitees: ROSTER.iter().map(invitee).collect(),
        group: None,
    };
    let (records, _) = meeting
        .execute(&Actor::Admin, Timestamp(START - 3_600_000), &invite)
        .expect("the roster is invited");
    let mut log = vec![first];
    log.extend(records);
    (meeting, log)
}

fn invitee(
    &(member, role, voting_right, weight, groups): &(&str, Role, bool, u32, &[&str]),
) -> Invitee {
    Invitee {
        member: MemberId::new(member).expect("a valid member id"),
        name: format!("Đồng chí {member}"),
        position: "Đại biểu HĐND xã".into(),
        unit: None,
        unit_name: "HĐND xã".into(),
        role,
        voting_right,
        weight,
        groups: groups
            .iter()
            .map(|group| GroupId::new(*group).expect("a valid group id"))
            .collect(),
    }
}
