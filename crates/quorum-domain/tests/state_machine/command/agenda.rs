//! Commands about the agenda: items, their order, the current item, and the documents
//! attached to them with who may read each.

use std::collections::BTreeSet;

use quorum_domain::meeting::agenda::{ContentHash, Document, DocumentAccess};
use quorum_domain::meeting::document::{DocumentFile, DocumentStatus};
use quorum_domain::{DocumentId, ItemId, MeetingCommand};

use super::sender::keeper;
use super::{item_id, pick_id, text};
use crate::state_machine::dice::{Dice, Roll as _};
use crate::state_machine::model::Model;
use crate::state_machine::who::Who;

pub(super) fn add_item(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let item = match dice.pick(&model.items) {
        Some(id) if dice.chance(8) => id.clone(),
        _ => ItemId::new(model.fresh("i")).unwrap(),
    };
    let command = MeetingCommand::AddItem {
        item,
        title: text(dice, "Báo cáo tình hình kinh tế - xã hội"),
        description: "Trình bày: Sở Kế hoạch và Đầu tư\nThời gian: 15 phút".into(),
        position: match dice.roll(10) {
            0..=5 => None,
            6..=8 => Some(dice.roll(5) as u32),
            _ => Some(u32::MAX),
        },
    };
    (keeper(dice), command)
}

pub(super) fn update_item(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let command = MeetingCommand::UpdateItem {
        item: item_id(model, dice),
        title: text(dice, "Báo cáo (bản sửa)"),
        description: String::new(),
    };
    (keeper(dice), command)
}

pub(super) fn remove_item(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    (
        keeper(dice),
        MeetingCommand::RemoveItem {
            item: item_id(model, dice),
        },
    )
}

pub(super) fn reorder(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let mut order = model.items.clone();
    for i in (1..order.len()).rev() {
        order.swap(i, dice.roll(i + 1));
    }
    match dice.roll(10) {
        0 => {
            order.pop();
        }
        1 => {
            if let Some(first) = order.first().cloned() {
                order.push(first);
            }
        }
        _ => {}
    }
    (keeper(dice), MeetingCommand::ReorderAgenda { order })
}

pub(super) fn set_current(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let item = dice.chance(80).then(|| item_id(model, dice));
    let who = dice.one_of(&[Who::Chair, Who::Chair, Who::Secretary, Who::Delegate(0)]);
    (who, MeetingCommand::SetCurrentItem { item })
}

pub(super) fn attach(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let id = match dice.pick(&model.documents) {
        Some(id) if dice.chance(5) => id.clone(),
        _ => DocumentId::new(model.fresh("doc")).unwrap(),
    };
    let document = Document {
        id,
        name: text(dice, "To-trinh-so-12.pdf"),
        content_hash: ContentHash::try_from("ab".repeat(32)).unwrap(),
        size: dice.roll(5_000_000) as u64,
        media_type: "application/pdf".into(),
        access: access(model, dice),
        // Claims to be published: the engine makes every new document a draft anyway.
        status: DocumentStatus::default(),
    };
    let item = item_id(model, dice);
    (
        keeper(dice),
        MeetingCommand::AttachDocument { item, document },
    )
}

pub(super) fn detach(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let document = pick_id(dice, &model.documents, DocumentId::new("doc-none").unwrap());
    (keeper(dice), MeetingCommand::DetachDocument { document })
}

pub(super) fn set_access(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let document = pick_id(dice, &model.documents, DocumentId::new("doc-none").unwrap());
    let access = access(model, dice);
    (
        keeper(dice),
        MeetingCommand::SetDocumentAccess { document, access },
    )
}

pub(super) fn approve(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let document = pick_id(dice, &model.documents, DocumentId::new("doc-none").unwrap());
    let who = dice.one_of(&[Who::Chair, Who::Secretary, Who::Secretary, Who::Delegate(0)]);
    (who, MeetingCommand::ApproveDocument { document })
}

pub(super) fn replace(model: &Model, dice: &mut Dice) -> (Who, MeetingCommand) {
    let document = pick_id(dice, &model.documents, DocumentId::new("doc-none").unwrap());
    let file = DocumentFile {
        name: text(dice, "To-trinh-so-12-v2.pdf"),
        content_hash: ContentHash::try_from(format!("{:064x}", dice.roll(1_000_000))).unwrap(),
        size: dice.roll(5_000_000) as u64,
        media_type: "application/pdf".into(),
    };
    let note = text(dice, "Sửa số liệu mục 2");
    (
        keeper(dice),
        MeetingCommand::ReplaceDocument {
            document,
            file,
            note,
        },
    )
}

/// Who may read a document: everyone, delegates only, some members by name, or
/// confidentially some members (now and then an outsider or a guest among them).
fn access(model: &Model, dice: &mut Dice) -> DocumentAccess {
    match dice.roll(12) {
        0..=2 => DocumentAccess::Everyone,
        3..=5 => DocumentAccess::DelegatesOnly,
        roll => {
            let mut members = BTreeSet::new();
            for who in model.people().into_iter().chain([Who::Outsider]) {
                if dice.chance(30) {
                    members.insert(who.member().unwrap());
                }
            }
            if roll < 9 {
                DocumentAccess::Named { members }
            } else {
                DocumentAccess::Confidential { members }
            }
        }
    }
}
