//! Meeting seeds about the rest of a session: the speakers' list, the agenda and its
//! documents, conclusions and directives, and an urgent meeting's alerts.

use std::collections::BTreeSet;

use quorum_domain::meeting::agenda::{ContentHash, Document, DocumentAccess};
use quorum_domain::meeting::document::{DocumentFile, DocumentStatus};
use quorum_domain::meeting::floor::FloorKind;
use quorum_domain::meeting::outcome::DirectiveStatus;
use quorum_domain::meeting::projector::ProjectorDisplay;
use quorum_domain::meeting::roster::AlertAnswer;
use quorum_domain::meeting::settings::{MeetingDetails, MeetingKind};
use quorum_domain::{MeetingCommand as C, MemberId, Millis, Timestamp, UnitId};
use quorum_fuzz::meeting::{START, URGENT};

use crate::script::{Script, id};

pub(crate) fn speakers_list() -> String {
    let mut script = Script::default();
    script.opened();
    let request = |request: &str, kind| C::RequestFloor {
        request: id(request),
        kind,
        topic: "Về nguồn vốn xây dựng trường học".into(),
        addressed_to: None,
    };
    script.after("d01", 1_000, request("r1", FloorKind::Speech));
    script.after("d02", 1_000, request("r2", FloorKind::PointOfOrder));
    let question = C::RequestFloor {
        request: id("r3"),
        kind: FloorKind::Interpellation,
        topic: "Tiến độ giải phóng mặt bằng".into(),
        addressed_to: Some("Chủ tịch UBND xã".into()),
    };
    script.after("d03", 1_000, question);
    script.by(
        "chair",
        C::GrantFloor {
            request: id("r2"),
            duration: None,
        },
    );
    script.by("chair", C::EndFloor);
    let grant = C::GrantFloor {
        request: id("r1"),
        duration: Some(Millis::minutes(5)),
    };
    script.by("chair", grant);
    script.by(
        "chair",
        C::ExtendFloor {
            extra: Millis::minutes(2),
        },
    );
    script.by("d03", C::WithdrawFloorRequest { request: id("r3") });
    script.by(
        "chair",
        C::ShowOnProjector {
            display: ProjectorDisplay::Speaker,
        },
    );
    script.after("hub", 600_000, C::Tick);
    script.text()
}

fn document(name: &str, access: DocumentAccess) -> Document {
    Document {
        id: id(name),
        name: format!("{name}.pdf"),
        content_hash: ContentHash::try_from("9f2c".repeat(16)).expect("a valid hash"),
        size: 482_113,
        media_type: "application/pdf".into(),
        access,
        status: DocumentStatus::default(),
    }
}

pub(crate) fn agenda_and_documents() -> String {
    let mut script = Script::default();
    for (item, title) in [
        ("i1", "Khai mạc"),
        ("i2", "Dự toán ngân sách"),
        ("i3", "Bế mạc"),
    ] {
        let add = C::AddItem {
            item: id(item),
            title: title.into(),
            description: String::new(),
            position: None,
        };
        script.by("secretary", add);
    }
    let readers = BTreeSet::from([id::<MemberId>("d01"), id("guest")]);
    let attachments = [
        ("doc1", DocumentAccess::Everyone),
        ("doc2", DocumentAccess::DelegatesOnly),
        ("doc3", DocumentAccess::Named { members: readers }),
    ];
    for (name, access) in attachments {
        let attach = C::AttachDocument {
            item: id("i2"),
            document: document(name, access),
        };
        script.by("secretary", attach);
        script.by("chair", C::ApproveDocument { document: id(name) });
    }
    let confidential = DocumentAccess::Confidential {
        members: BTreeSet::from([id("d02")]),
    };
    script.by(
        "secretary",
        C::SetDocumentAccess {
            document: id("doc2"),
            access: confidential,
        },
    );
    let file = DocumentFile {
        name: "doc1-v2.pdf".into(),
        content_hash: ContentHash::try_from("ab".repeat(32)).expect("a valid hash"),
        size: 500_000,
        media_type: "application/pdf".into(),
    };
    let replace = C::ReplaceDocument {
        document: id("doc1"),
        file,
        note: "Sửa số liệu trang 3".into(),
    };
    script.by("secretary", replace);
    script.by(
        "secretary",
        C::ReorderAgenda {
            order: vec![id("i1"), id("i3"), id("i2")],
        },
    );
    script.by(
        "secretary",
        C::DetachDocument {
            document: id("doc3"),
        },
    );
    script.by("secretary", C::RemoveItem { item: id("i3") });
    script.opened();
    script.by(
        "chair",
        C::SetCurrentItem {
            item: Some(id("i2")),
        },
    );
    script.by(
        "chair",
        C::ShowOnProjector {
            display: ProjectorDisplay::AgendaItem,
        },
    );
    script.text()
}

pub(crate) fn conclusions_and_directives() -> String {
    let mut script = Script::default();
    script.by(
        "secretary",
        C::AddItem {
            item: id("i1"),
            title: "Phòng, chống thiên tai".into(),
            description: String::new(),
            position: None,
        },
    );
    script.opened();
    let conclude = C::RecordConclusion {
        conclusion: id("c1"),
        item: Some(id("i1")),
        text: "Thống nhất kế hoạch phòng, chống thiên tai năm 2027.".into(),
    };
    script.by("chair", conclude);
    let revise = C::ReviseConclusion {
        conclusion: id("c1"),
        text: "Thống nhất kế hoạch, bổ sung kinh phí dự phòng.".into(),
    };
    script.by("secretary", revise);
    let issue = C::IssueDirective {
        directive: id("dir1"),
        item: Some(id("i1")),
        unit: id::<UnitId>("u1"),
        unit_name: "Ban Chỉ huy quân sự xã".into(),
        text: "Rà soát phương án sơ tán trước ngày 15/12.".into(),
        due: Some(Timestamp(START + 14 * 86_400_000)),
    };
    script.by("chair", issue);
    script.by("chair", C::CloseMeeting);
    let acknowledged = C::UpdateDirective {
        directive: id("dir1"),
        status: DirectiveStatus::Acknowledged,
    };
    script.after("unit:u1", 3_600_000, acknowledged);
    let done = C::UpdateDirective {
        directive: id("dir1"),
        status: DirectiveStatus::Done,
    };
    script.after("unit:u1", 86_400_000, done);
    script.text()
}

pub(crate) fn urgent_alert() -> String {
    let mut script = Script::default();
    let details = MeetingDetails {
        title: "Họp khẩn ứng phó bão số 9".into(),
        kind: MeetingKind::Urgent,
        location: "Trực tuyến".into(),
        scheduled_at: Timestamp(START),
    };
    script.by("secretary", C::UpdateDetails { details });
    script.by(
        "chair",
        C::RaiseAlert {
            message: "Họp khẩn lúc 10 giờ".into(),
        },
    );
    script.after(
        "d01",
        5_000,
        C::AnswerAlert {
            answer: AlertAnswer::Received,
        },
    );
    script.after(
        "d02",
        5_000,
        C::AnswerAlert {
            answer: AlertAnswer::JoiningRemotely,
        },
    );
    let cannot = AlertAnswer::CannotAttend {
        reason: "Đang trực tại đê".into(),
    };
    script.after("d03", 5_000, C::AnswerAlert { answer: cannot });
    script.by(
        "chair",
        C::Convene {
            message: "Bắt đầu họp".into(),
        },
    );
    script.checked_in();
    script.by("chair", C::CloseMeeting);
    format!("{URGENT}\n{}", script.text())
}
