//! A document's life once attached: a draft that only the meeting's keepers see until
//! it is approved, and new versions that replace the content while the earlier ones
//! stay in its history (and downloadable by their hash).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::DocumentId;
use crate::meeting::Meeting;
use crate::meeting::agenda::ContentHash;
use crate::meeting::caller::Caller;
use crate::meeting::event::MeetingEvent;
use crate::policy::{Action, Actor};
use crate::rejection::Rejection;
use crate::text;
use crate::time::Timestamp;

/// Most versions of one document, the current one included.
pub const MAX_VERSIONS: usize = 100;

/// Where a document stands: draft or published, its version and the earlier ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DocumentStatus {
    /// Awaiting approval: only the chair, the secretary and administrators see it.
    #[serde(default)]
    pub draft: bool,
    /// The current version's number, from 1.
    #[serde(default = "first_version")]
    pub version: u32,
    /// When the current version was uploaded (unknown in older logs).
    #[serde(default)]
    pub uploaded_at: Option<Timestamp>,
    /// Who uploaded the current version (unknown in older logs).
    #[serde(default)]
    pub uploaded_by: Option<Actor>,
    /// What changed in the current version, as its uploader put it.
    #[serde(default)]
    pub note: String,
    /// Earlier versions, oldest first.
    #[serde(default)]
    pub earlier: Vec<DocumentVersion>,
}

fn first_version() -> u32 {
    1
}

impl Default for DocumentStatus {
    /// Published, version 1, nothing more known: what a document attached before
    /// versions and approval existed is.
    fn default() -> Self {
        DocumentStatus {
            draft: false,
            version: first_version(),
            uploaded_at: None,
            uploaded_by: None,
            note: String::new(),
            earlier: Vec::new(),
        }
    }
}

impl DocumentStatus {
    /// A new document's: a draft, version 1, uploaded by `by` at `at`.
    pub(crate) fn draft(by: &Actor, at: Timestamp) -> DocumentStatus {
        DocumentStatus {
            draft: true,
            uploaded_at: Some(at),
            uploaded_by: Some(by.clone()),
            ..DocumentStatus::default()
        }
    }
}

/// The content of one version: what an upload produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DocumentFile {
    /// File name, as shown.
    pub name: String,
    /// SHA-256 of the content.
    pub content_hash: ContentHash,
    /// Size in bytes.
    pub size: u64,
    /// MIME type, such as `application/pdf`.
    pub media_type: String,
}

impl DocumentFile {
    fn validate(&self) -> Result<(), Rejection> {
        text::required_line("file.name", &self.name, text::NAME_MAX)?;
        text::required_line("file.media_type", &self.media_type, 255)
    }
}

/// An earlier version of a document, kept in its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DocumentVersion {
    /// Its number, from 1.
    pub number: u32,
    /// Its content.
    #[serde(flatten)]
    pub file: DocumentFile,
    /// When it was uploaded, if known.
    pub uploaded_at: Option<Timestamp>,
    /// Who uploaded it, if known.
    pub uploaded_by: Option<Actor>,
    /// What changed in it.
    pub note: String,
}

impl Meeting {
    pub(super) fn decide_replace_document(
        &self,
        caller: &Caller<'_>,
        document: &DocumentId,
        file: &DocumentFile,
        note: &str,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareAgenda)?;
        let current = self.known_document(document)?;
        file.validate()?;
        text::paragraph("note", note, text::TEXT_MAX)?;
        if current.status.earlier.len().saturating_add(1) >= MAX_VERSIONS {
            return Err(Rejection::invalid("document", "too many versions"));
        }
        Ok(vec![MeetingEvent::DocumentReplaced {
            document: document.clone(),
            file: file.clone(),
            note: note.to_owned(),
            by: caller.actor.clone(),
        }])
    }

    pub(super) fn decide_approve_document(
        &self,
        caller: &Caller<'_>,
        document: &DocumentId,
    ) -> Result<Vec<MeetingEvent>, Rejection> {
        caller.require(Action::PrepareAgenda)?;
        if !self.known_document(document)?.status.draft {
            // Already published: approving again changes nothing.
            return Ok(Vec::new());
        }
        Ok(vec![MeetingEvent::DocumentApproved {
            document: document.clone(),
            by: caller.actor.clone(),
        }])
    }

    /// `document` now holds `file`; the version it held goes into its history.
    pub(super) fn apply_document_replaced(
        &mut self,
        at: Timestamp,
        document: &DocumentId,
        file: &DocumentFile,
        note: &str,
        by: &Actor,
    ) -> Option<()> {
        let doc = self.agenda.document_mut(document)?;
        let earlier = DocumentVersion {
            number: doc.status.version,
            file: DocumentFile {
                name: std::mem::replace(&mut doc.name, file.name.clone()),
                content_hash: std::mem::replace(&mut doc.content_hash, file.content_hash.clone()),
                size: std::mem::replace(&mut doc.size, file.size),
                media_type: std::mem::replace(&mut doc.media_type, file.media_type.clone()),
            },
            uploaded_at: doc.status.uploaded_at.replace(at),
            uploaded_by: doc.status.uploaded_by.replace(by.clone()),
            note: std::mem::replace(&mut doc.status.note, note.to_owned()),
        };
        doc.status.earlier.push(earlier);
        doc.status.version = doc.status.version.saturating_add(1);
        Some(())
    }

    pub(super) fn apply_document_approved(&mut self, document: &DocumentId) -> Option<()> {
        self.agenda.document_mut(document)?.status.draft = false;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_missing_from_an_older_log_is_published_version_one() {
        let status: DocumentStatus = serde_json::from_str("{}").unwrap();
        assert_eq!(status, DocumentStatus::default());
        assert!(!status.draft);
        assert_eq!(status.version, 1);
    }
}
