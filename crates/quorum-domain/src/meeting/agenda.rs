//! The agenda: items in order, the current item, and the documents attached to each
//! item with who may read them.

use std::borrow::Cow;
use std::collections::BTreeSet;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::id::{DocumentId, ItemId, MemberId};
use crate::meeting::Meeting;
use crate::meeting::caller::Caller;
use crate::meeting::document::DocumentStatus;
use crate::meeting::event::MeetingEvent;
use crate::policy::{Action, Role};
use crate::rejection::{Entity, Rejection, RejectionCode};
use crate::text;

/// Most agenda items in one meeting.
pub const MAX_ITEMS: usize = 1_000;
/// Most documents in one meeting.
pub const MAX_DOCUMENTS: usize = 10_000;

/// The SHA-256 of a document's content, as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContentHash(String);

impl ContentHash {
    /// The hash as hex.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ContentHash {
    type Error = Rejection;
    fn try_from(value: String) -> Result<Self, Rejection> {
        let well_formed = value.len() == 64
            && value
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if well_formed {
            Ok(ContentHash(value))
        } else {
            Err(Rejection::invalid(
                "content_hash",
                "must be 64 lowercase hex digits",
            ))
        }
    }
}

impl From<ContentHash> for String {
    fn from(hash: ContentHash) -> String {
        hash.0
    }
}

impl JsonSchema for ContentHash {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("ContentHash")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "SHA-256 of the content, lowercase hex.",
        })
    }
}

/// Who may read a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentAccess {
    /// Every participant, guests and the hall projector included.
    Everyone,
    /// Delegates, the chair and the secretary; not guests, not the projector.
    DelegatesOnly,
    /// Only the people named (and the chair and secretary, who keep the meeting).
    Named {
        /// The readers.
        members: BTreeSet<MemberId>,
    },
    /// Confidential ("mật"): only the chair, the secretary and the delegates named;
    /// never a guest (even if named) nor the hall projector.
    Confidential {
        /// The readers besides the chair and the secretary.
        members: BTreeSet<MemberId>,
    },
}

/// Someone who wants to read a document.
#[derive(Debug, Clone, Copy)]
pub enum Reader<'a> {
    /// The chair, the secretary or an administrator.
    Keeper,
    /// Another participant.
    Participant {
        /// Who.
        member: &'a MemberId,
        /// Their role.
        role: Role,
    },
    /// The hall projector.
    Projector,
}

impl DocumentAccess {
    /// Whether `reader` may read a document with this access.
    pub fn permits(&self, reader: Reader<'_>) -> bool {
        match (self, reader) {
            (_, Reader::Keeper) | (DocumentAccess::Everyone, _) => true,
            (DocumentAccess::DelegatesOnly, Reader::Participant { role, .. }) => {
                role != Role::Guest
            }
            (DocumentAccess::Named { members }, Reader::Participant { member, .. }) => {
                members.contains(member)
            }
            (DocumentAccess::Confidential { members }, Reader::Participant { member, role }) => {
                role != Role::Guest && members.contains(member)
            }
            (
                DocumentAccess::DelegatesOnly
                | DocumentAccess::Named { .. }
                | DocumentAccess::Confidential { .. },
                Reader::Projector,
            ) => false,
        }
    }

    /// The readers named, for the rules that name them.
    fn named(&self) -> Option<&BTreeSet<MemberId>> {
        match self {
            DocumentAccess::Named { members } | DocumentAccess::Confidential { members } => {
                Some(members)
            }
            DocumentAccess::Everyone | DocumentAccess::DelegatesOnly => None,
        }
    }
}

/// A document's metadata; the content is stored and served by hash elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    /// The document.
    pub id: DocumentId,
    /// File name, as shown.
    pub name: String,
    /// SHA-256 of the content.
    pub content_hash: ContentHash,
    /// Size in bytes.
    pub size: u64,
    /// MIME type, such as `application/pdf`.
    pub media_type: String,
    /// Who may read it.
    pub access: DocumentAccess,
    /// Draft or published, the current version and the earlier ones. Absent in logs
    /// written before documents had versions and approval: published, version 1.
    #[serde(default)]
    pub status: DocumentStatus,
}

impl Document {
    /// Whether `reader` may read the document: its access rule, and a draft only for
    /// those who keep the meeting. The one rule for views and downloads alike.
    pub fn readable_by(&self, reader: Reader<'_>) -> bool {
        (!self.status.draft || matches!(reader, Reader::Keeper)) && self.access.permits(reader)
    }

    pub(super) fn validate(&self) -> Result<(), Rejection> {
        text::required_line("document.name", &self.name, text::NAME_MAX)?;
        text::required_line("document.media_type", &self.media_type, 255)?;
        if self
            .access
            .named()
            .is_some_and(|members| members.len() > 10_000)
        {
            return Err(Rejection::invalid("document.access", "too many readers"));
        }
        Ok(())
    }
}

/// One agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AgendaItem {
    /// The item.
    pub id: ItemId,
    /// Its title.
    pub title: String,
    /// A longer description.
    pub description: String,
    /// Documents attached, in the order attached.
    pub documents: Vec<Document>,
}

/// The agenda ("chương trình họp").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Agenda {
    /// Items in order.
    pub items: Vec<AgendaItem>,
    /// The item under discussion.
    pub current: Option<ItemId>,
}

impl Agenda {
    /// One item.
    pub fn item(&self, item: &ItemId) -> Option<&AgendaItem> {
        self.items.iter().find(|candidate| &candidate.id == item)
    }

    /// Every document with its item.
    pub fn documents(&self) -> impl Iterator<Item = (&AgendaItem, &Document)> {
        self.items
            .iter()
            .flat_map(|item| item.documents.iter().map(move |doc| (item, doc)))
    }

    /// One document.
    pub fn document(&self, document: &DocumentId) -> Option<&Document> {
        self.documents()
            .map(|(_, doc)| doc)
            .find(|doc| &doc.id == document)
    }

    pub(crate) fn add(&mut self, item: &ItemId, title: &str, description: &str, position: u32) {
        let index = usize::try_from(position)
            .unwrap_or(usize::MAX)
            .min(self.items.len());
        self.items.insert(
            index,
            AgendaItem {
                id: item.clone(),
                title: title.to_owned(),
                description: description.to_owned(),
                documents: Vec::new(),
            },
        );
    }

    pub(crate) fn update(&mut self, item: &ItemId, title: &str, description: &str) -> Option<()> {
        let entry = self.items.iter_mut().find(|entry| &entry.id == item)?;
        entry.title = title.to_owned();
        entry.description = description.to_owned();
        Some(())
    }

    pub(crate) fn remove(&mut self, item: &ItemId) {
        self.items.retain(|entry| &entry.id != item);
        if self.current.as_ref() == Some(item) {
            self.current = None;
        }
    }

    pub(crate) fn reorder(&mut self, order: &[ItemId]) {
        let mut items = std::mem::take(&mut self.items);
        for id in order {
            if let Some(index) = items.iter().position(|entry| &entry.id == id) {
                self.items.push(items.remove(index));
            }
        }
        // Anything the order did not name keeps its relative place at the end.
        self.items.append(&mut items);
    }

    pub(crate) fn attach(&mut self, item: &ItemId, document: &Document) -> Option<()> {
        let entry = self.items.iter_mut().find(|entry| &entry.id == item)?;
        entry.documents.push(document.clone());
        Some(())
    }

    pub(crate) fn detach(&mut self, document: &DocumentId) {
        for item in &mut self.items {
            item.documents.retain(|doc| &doc.id != document);
        }
    }

    pub(crate) fn set_access(
        &mut self,
        document: &DocumentId,
        access: &DocumentAccess,
    ) -> Option<()> {
        self.document_mut(document)?.access = access.clone();
        Some(())
    }

    /// One document, to change it.
    pub(crate) fn document_mut(&mut self, document: &DocumentId) -> Option<&mut Document> {
        self.items
            .iter_mut()
            .flat_map(|item| item.documents.iter_mut())
            .find(|doc| &doc.id == document)
    }
}

impl Meeting {
    pub(super) fn decide_add_item(
        &self,
        caller: &Caller<'_>,
        item: &ItemId,
        title: &str,
        description: &str,
        position: Option<u32>,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareAgenda)?;
        if self.agenda.item(item).is_some() {
            return Err(Rejection::duplicate(Entity::Item, item));
        }
        if self.agenda.items.len() >= MAX_ITEMS {
            return Err(Rejection::invalid("item", "the agenda is full"));
        }
        validate_item_texts(title, description)?;
        let end = u32::try_from(self.agenda.items.len()).unwrap_or(u32::MAX);
        Ok(vec![MeetingEvent::ItemAdded {
            item: item.clone(),
            title: title.to_owned(),
            description: description.to_owned(),
            position: position.map_or(end, |position| position.min(end)),
        }])
    }

    pub(super) fn decide_update_item(
        &self,
        caller: &Caller<'_>,
        item: &ItemId,
        title: &str,
        description: &str,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareAgenda)?;
        self.known_item(item)?;
        validate_item_texts(title, description)?;
        Ok(vec![MeetingEvent::ItemUpdated {
            item: item.clone(),
            title: title.to_owned(),
            description: description.to_owned(),
        }])
    }

    pub(super) fn decide_remove_item(
        &self,
        caller: &Caller<'_>,
        item: &ItemId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareAgenda)?;
        self.known_item(item)?;
        let referenced = self
            .polls
            .values()
            .any(|poll| poll.spec.item.as_ref() == Some(item))
            || self
                .conclusions
                .values()
                .any(|conclusion| conclusion.item.as_ref() == Some(item))
            || self
                .directives
                .values()
                .any(|directive| directive.item.as_ref() == Some(item));
        if referenced {
            return Err(Rejection::invalid(
                "item",
                "polls, conclusions or directives refer to this item",
            ));
        }
        Ok(vec![MeetingEvent::ItemRemoved { item: item.clone() }])
    }

    pub(super) fn decide_reorder(
        &self,
        caller: &Caller<'_>,
        order: &[ItemId],
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareAgenda)?;
        let given: BTreeSet<&ItemId> = order.iter().collect();
        let known: BTreeSet<&ItemId> = self.agenda.items.iter().map(|item| &item.id).collect();
        if given.len() != order.len() || given != known {
            return Err(RejectionCode::AgendaOrderInvalid.into());
        }
        Ok(vec![MeetingEvent::AgendaReordered {
            order: order.to_vec(),
        }])
    }

    pub(super) fn decide_set_current(
        &self,
        caller: &Caller<'_>,
        item: Option<&ItemId>,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::LeadMeeting)?;
        self.require_open()?;
        if let Some(item) = item {
            self.known_item(item)?;
        }
        if self.agenda.current.as_ref() == item {
            return Ok(Vec::new());
        }
        Ok(vec![MeetingEvent::CurrentItemSet {
            item: item.cloned(),
        }])
    }

    pub(super) fn decide_attach_document(
        &self,
        caller: &Caller<'_>,
        item: &ItemId,
        document: &Document,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareAgenda)?;
        self.known_item(item)?;
        document.validate()?;
        if self.agenda.document(&document.id).is_some() {
            return Err(Rejection::duplicate(Entity::Document, &document.id));
        }
        if self.agenda.documents().count() >= MAX_DOCUMENTS {
            return Err(Rejection::invalid("document", "too many documents"));
        }
        // Every document starts as a draft that only the keepers see, until approved.
        let mut document = document.clone();
        document.status = DocumentStatus::draft(caller.actor, caller.now);
        Ok(vec![MeetingEvent::DocumentAttached {
            item: item.clone(),
            document,
        }])
    }

    pub(super) fn decide_detach_document(
        &self,
        caller: &Caller<'_>,
        document: &DocumentId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareAgenda)?;
        self.known_document(document)?;
        Ok(vec![MeetingEvent::DocumentDetached {
            document: document.clone(),
        }])
    }

    pub(super) fn decide_document_access(
        &self,
        caller: &Caller<'_>,
        document: &DocumentId,
        access: &DocumentAccess,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareAgenda)?;
        let mut changed = self.known_document(document)?.clone();
        changed.access = access.clone();
        changed.validate()?;
        Ok(vec![MeetingEvent::DocumentAccessChanged {
            document: document.clone(),
            access: access.clone(),
        }])
    }

    /// The item `item`, or an `unknown` rejection.
    pub(crate) fn known_item(&self, item: &ItemId) -> Result<&AgendaItem, Rejection> {
        self.agenda
            .item(item)
            .ok_or_else(|| Rejection::unknown(Entity::Item, item))
    }

    pub(super) fn known_document(&self, document: &DocumentId) -> Result<&Document, Rejection> {
        self.agenda
            .document(document)
            .ok_or_else(|| Rejection::unknown(Entity::Document, document))
    }
}

fn validate_item_texts(title: &str, description: &str) -> Result<(), Rejection> {
    text::required_line("title", title, text::NAME_MAX)?;
    text::paragraph("description", description, text::TEXT_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_rules_by_reader() {
        let alice = MemberId::new("alice").unwrap();
        let bob = MemberId::new("bob").unwrap();
        let named = DocumentAccess::Named {
            members: BTreeSet::from([alice.clone()]),
        };
        let delegate = |member| Reader::Participant {
            member,
            role: Role::Delegate,
        };
        let guest = Reader::Participant {
            member: &bob,
            role: Role::Guest,
        };
        assert!(named.permits(delegate(&alice)));
        assert!(!named.permits(delegate(&bob)));
        assert!(named.permits(Reader::Keeper));
        assert!(!named.permits(Reader::Projector));
        assert!(DocumentAccess::DelegatesOnly.permits(delegate(&bob)));
        assert!(!DocumentAccess::DelegatesOnly.permits(guest));
        assert!(!DocumentAccess::DelegatesOnly.permits(Reader::Projector));
        assert!(DocumentAccess::Everyone.permits(guest));
        let guest_alice = Reader::Participant {
            member: &alice,
            role: Role::Guest,
        };
        let confidential = DocumentAccess::Confidential {
            members: BTreeSet::from([alice.clone()]),
        };
        assert!(confidential.permits(delegate(&alice)));
        assert!(!confidential.permits(delegate(&bob)));
        assert!(
            !confidential.permits(guest_alice),
            "never a guest, even named"
        );
        assert!(named.permits(guest_alice));
        assert!(confidential.permits(Reader::Keeper));
        assert!(!confidential.permits(Reader::Projector));
    }

    #[test]
    fn access_keeps_its_wire_names() {
        let json = |access: &DocumentAccess| serde_json::to_string(access).unwrap();
        assert_eq!(json(&DocumentAccess::Everyone), r#"{"kind":"everyone"}"#);
        assert_eq!(
            json(&DocumentAccess::DelegatesOnly),
            r#"{"kind":"delegates_only"}"#
        );
        assert_eq!(
            json(&DocumentAccess::Named {
                members: BTreeSet::new()
            }),
            r#"{"kind":"named","members":[]}"#
        );
        assert_eq!(
            json(&DocumentAccess::Confidential {
                members: BTreeSet::new()
            }),
            r#"{"kind":"confidential","members":[]}"#
        );
    }

    #[test]
    fn content_hashes_are_validated() {
        assert!(ContentHash::try_from("ab".repeat(32)).is_ok());
        assert!(ContentHash::try_from("AB".repeat(32)).is_err());
        assert!(ContentHash::try_from("ab".to_owned()).is_err());
    }
}
