//! Documents through the engine: a draft seen only by the meeting's keepers until
//! approved, new versions with the earlier ones kept, confidential documents, and a
//! property over random access rules: no guest and no projector ever sees a draft or a
//! confidential document, and a named delegate sees a published one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use quorum_domain::meeting::agenda::{ContentHash, Document, DocumentAccess};
use quorum_domain::meeting::document::{DocumentFile, DocumentStatus};
use quorum_domain::meeting::roster::Invitee;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind, MeetingSettings};
use quorum_domain::{
    Actor, CreateMeeting, EventRecord, Meeting, MeetingCommand, MeetingEvent, MeetingId, MemberId,
    Role, Timestamp, Viewer,
};

const PEOPLE: [(&str, Role); 6] = [
    ("chair", Role::Chair),
    ("sec", Role::Secretary),
    ("d1", Role::Delegate),
    ("d2", Role::Delegate),
    ("guest", Role::Guest),
    ("guest2", Role::Guest),
];

struct Hall {
    meeting: Meeting,
    log: Vec<EventRecord>,
    now: i64,
}

impl Hall {
    fn new() -> Hall {
        let event = Meeting::create(
            MeetingId::new("m1").unwrap(),
            &Actor::Admin,
            CreateMeeting {
                details: MeetingDetails {
                    title: "Kỳ họp thứ 9".into(),
                    kind: MeetingKind::Routine,
                    location: "Hội trường".into(),
                    scheduled_at: Timestamp(0),
                },
                settings: MeetingSettings::default(),
            },
        )
        .unwrap();
        let first = EventRecord {
            seq: 1,
            at: Timestamp(0),
            event,
        };
        let mut hall = Hall {
            meeting: Meeting::from_created(&first).unwrap(),
            log: vec![first],
            now: 0,
        };
        let invitees = PEOPLE
            .iter()
            .map(|(id, role)| Invitee {
                member: (*id).try_into().unwrap(),
                name: format!("Người {id}"),
                position: String::new(),
                unit: None,
                unit_name: "HĐND tỉnh".into(),
                role: *role,
                voting_right: *role != Role::Guest,
                weight: 1,
                groups: Vec::new(),
            })
            .collect();
        hall.ok(
            Actor::Admin,
            MeetingCommand::Invite {
                invitees,
                group: None,
            },
        );
        hall.ok(
            Actor::Admin,
            MeetingCommand::AddItem {
                item: "nd-1".try_into().unwrap(),
                title: "Dự toán ngân sách".into(),
                description: String::new(),
                position: None,
            },
        );
        hall
    }

    fn run(&mut self, actor: Actor, command: MeetingCommand) -> Result<Vec<EventRecord>, String> {
        self.now += 1_000;
        self.meeting
            .execute(&actor, Timestamp(self.now), &command)
            .map(|(records, _)| {
                self.log.extend(records.iter().cloned());
                records
            })
            .map_err(|error| match error {
                quorum_domain::ExecuteError::Rejected(rejection) => rejection.code.to_string(),
                other => panic!("{other}"),
            })
    }

    fn ok(&mut self, actor: Actor, command: MeetingCommand) -> Vec<EventRecord> {
        let description = format!("{command:?}");
        self.run(actor, command)
            .unwrap_or_else(|code| panic!("{description} refused: {code}"))
    }

    /// The ids of the documents `viewer` sees.
    fn seen(&self, viewer: &Viewer) -> Vec<String> {
        self.meeting.view(viewer).unwrap().agenda.items[0]
            .documents
            .iter()
            .map(|doc| doc.id.to_string())
            .collect()
    }
}

fn member(id: &str) -> Actor {
    Actor::Member {
        member: id.try_into().unwrap(),
    }
}

fn viewer(id: &str) -> Viewer {
    Viewer::Member {
        member: id.try_into().unwrap(),
    }
}

fn hash(byte: &str) -> ContentHash {
    ContentHash::try_from(byte.repeat(32)).unwrap()
}

fn attach(id: &str, access: DocumentAccess) -> MeetingCommand {
    MeetingCommand::AttachDocument {
        item: "nd-1".try_into().unwrap(),
        document: Document {
            id: id.try_into().unwrap(),
            name: format!("{id}.pdf"),
            content_hash: hash("ab"),
            size: 1_000,
            media_type: "application/pdf".into(),
            access,
            // A sender may not publish by claiming so: the engine makes it a draft.
            status: DocumentStatus::default(),
        },
    }
}

fn approve(id: &str) -> MeetingCommand {
    MeetingCommand::ApproveDocument {
        document: id.try_into().unwrap(),
    }
}

fn members(ids: &[&str]) -> BTreeSet<MemberId> {
    ids.iter().map(|id| (*id).try_into().unwrap()).collect()
}

#[test]
fn a_draft_is_seen_by_the_keepers_only_until_approved() {
    let mut hall = Hall::new();
    hall.ok(member("sec"), attach("du-thao", DocumentAccess::Everyone));
    for keeper in [viewer("chair"), viewer("sec"), Viewer::Admin] {
        assert_eq!(hall.seen(&keeper), ["du-thao"], "{keeper:?}");
        assert!(
            hall.meeting.view(&keeper).unwrap().agenda.items[0].documents[0]
                .status
                .draft
        );
    }
    for other in [viewer("d1"), viewer("guest"), Viewer::Projector] {
        assert!(hall.seen(&other).is_empty(), "{other:?} sees a draft");
    }
    assert_eq!(
        hall.run(member("d1"), approve("du-thao")).unwrap_err(),
        "not_permitted"
    );
    let records = hall.ok(member("chair"), approve("du-thao"));
    assert!(matches!(
        records[0].event,
        MeetingEvent::DocumentApproved { .. }
    ));
    // The approval reaches the readers as a change of their agenda.
    let changes = hall
        .meeting
        .view_changes(&records[0].event, &viewer("guest"))
        .unwrap();
    assert!(!changes.is_empty());
    for everyone in [viewer("d1"), viewer("guest"), Viewer::Projector] {
        assert_eq!(hall.seen(&everyone), ["du-thao"], "{everyone:?}");
    }
    // Approving again changes nothing.
    assert!(hall.ok(member("sec"), approve("du-thao")).is_empty());
    assert_eq!(Meeting::replay(hall.log.iter()).unwrap(), hall.meeting);
}

#[test]
fn a_new_version_keeps_the_earlier_ones() {
    let mut hall = Hall::new();
    hall.ok(member("sec"), attach("to-trinh", DocumentAccess::Everyone));
    hall.ok(member("sec"), approve("to-trinh"));
    let file = |byte: &str, name: &str| DocumentFile {
        name: name.into(),
        content_hash: hash(byte),
        size: 2_000,
        media_type: "application/pdf".into(),
    };
    for (byte, name) in [("cd", "to-trinh-v2.pdf"), ("ef", "to-trinh-v3.pdf")] {
        hall.ok(
            member("sec"),
            MeetingCommand::ReplaceDocument {
                document: "to-trinh".try_into().unwrap(),
                file: file(byte, name),
                note: format!("Bản {name}"),
            },
        );
    }
    let view = hall.meeting.view(&viewer("d1")).unwrap();
    let doc = &view.agenda.items[0].documents[0];
    assert_eq!(doc.name, "to-trinh-v3.pdf");
    assert_eq!(doc.content_hash, hash("ef"));
    assert_eq!(doc.status.version, 3);
    assert!(
        !doc.status.draft,
        "a new version keeps the document published"
    );
    assert_eq!(doc.status.note, "Bản to-trinh-v3.pdf");
    assert_eq!(doc.status.uploaded_by, Some(member("sec")));
    let earlier: Vec<(u32, &ContentHash, u64)> = doc
        .status
        .earlier
        .iter()
        .map(|version| {
            (
                version.number,
                &version.file.content_hash,
                version.file.size,
            )
        })
        .collect();
    assert_eq!(earlier, [(1, &hash("ab"), 1_000), (2, &hash("cd"), 2_000)]);
    assert_eq!(doc.status.earlier[0].uploaded_at, Some(Timestamp(3_000)));
    // Not by a delegate, and not for a document that does not exist.
    let replace = |document: &str| MeetingCommand::ReplaceDocument {
        document: document.try_into().unwrap(),
        file: file("12", "x.pdf"),
        note: String::new(),
    };
    assert_eq!(
        hall.run(member("d1"), replace("to-trinh")).unwrap_err(),
        "not_permitted"
    );
    assert_eq!(
        hall.run(member("sec"), replace("khong-co")).unwrap_err(),
        "unknown"
    );
    assert_eq!(Meeting::replay(hall.log.iter()).unwrap(), hall.meeting);
}

#[test]
fn a_confidential_document_is_read_by_the_keepers_and_named_delegates_only() {
    let mut hall = Hall::new();
    let access = DocumentAccess::Confidential {
        members: members(&["d1", "guest"]),
    };
    hall.ok(member("sec"), attach("mat", access));
    hall.ok(member("sec"), approve("mat"));
    assert_eq!(hall.seen(&viewer("d1")), ["mat"]);
    assert_eq!(hall.seen(&viewer("chair")), ["mat"]);
    assert_eq!(hall.seen(&viewer("sec")), ["mat"]);
    assert!(hall.seen(&viewer("d2")).is_empty());
    assert!(
        hall.seen(&viewer("guest")).is_empty(),
        "a guest, even named"
    );
    assert!(hall.seen(&Viewer::Projector).is_empty());
}

#[test]
fn a_log_written_before_approval_existed_reads_as_published() {
    let json = r#"{"type":"document_attached","item":"nd-1","document":{"id":"cu","name":"cu.pdf","content_hash":"abababababababababababababababababababababababababababababababab","size":10,"media_type":"application/pdf","access":{"kind":"everyone"}}}"#;
    let event: MeetingEvent = serde_json::from_str(json).unwrap();
    let mut hall = Hall::new();
    let seq = hall.meeting.seq() + 1;
    hall.meeting
        .apply(&EventRecord {
            seq,
            at: Timestamp(50_000),
            event,
        })
        .unwrap();
    assert_eq!(hall.seen(&viewer("guest")), ["cu"]);
    assert_eq!(
        hall.meeting.view(&viewer("guest")).unwrap().agenda.items[0].documents[0]
            .status
            .version,
        1
    );
}

fn access_rule() -> impl Strategy<Value = DocumentAccess> {
    let named = proptest::sample::subsequence(PEOPLE.map(|(id, _)| id).to_vec(), 0..=6);
    prop_oneof![
        Just(DocumentAccess::Everyone),
        Just(DocumentAccess::DelegatesOnly),
        named.clone().prop_map(|ids| DocumentAccess::Named {
            members: members(&ids)
        }),
        named.prop_map(|ids| DocumentAccess::Confidential {
            members: members(&ids)
        }),
    ]
}

proptest! {
    #[test]
    fn no_guest_or_projector_sees_a_draft_or_a_confidential_document(
        rules in proptest::collection::vec((access_rule(), any::<bool>()), 1..6),
    ) {
        let mut hall = Hall::new();
        for (n, (access, approved)) in rules.iter().enumerate() {
            let id = format!("doc-{n}");
            hall.ok(member("sec"), attach(&id, access.clone()));
            if *approved {
                hall.ok(member("chair"), approve(&id));
            }
        }
        for (n, (access, approved)) in rules.iter().enumerate() {
            let id = format!("doc-{n}");
            let sees = |who: &Viewer| hall.seen(who).contains(&id);
            let confidential = matches!(access, DocumentAccess::Confidential { .. });
            for outsider in [viewer("guest"), viewer("guest2"), Viewer::Projector] {
                if !approved || confidential {
                    prop_assert!(!sees(&outsider), "{outsider:?} sees {id}: {access:?}");
                }
            }
            for keeper in [viewer("chair"), viewer("sec"), Viewer::Admin] {
                prop_assert!(sees(&keeper));
            }
            if let DocumentAccess::Named { members } | DocumentAccess::Confidential { members } = access {
                for delegate in ["d1", "d2"] {
                    let named = members.contains(&MemberId::new(delegate).unwrap());
                    prop_assert_eq!(sees(&viewer(delegate)), *approved && named);
                }
            }
        }
    }
}
