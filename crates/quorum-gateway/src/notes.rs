//! Personal notes and highlights on documents: private to their author, so never in
//! the meeting's shared log. Each (meeting, member, document) has a stream of its own,
//! `notes/<meeting>/<member>/<document>`, whose records are the successive saves; the
//! stream's head is the note's revision, so the store's head check is the
//! last-writer-wins rule: a save names the revision it was based on, and a stale one
//! is refused with the current note.

use quorum_domain::{DocumentId, MeetingId, MemberId, Timestamp};
use quorum_store::{Append, EventLog, Record, StoreError};
use serde::{Deserialize, Serialize};

/// The prefix of every note stream (the hub replays only `meeting/` streams).
pub const NOTES_PREFIX: &str = "notes/";
/// The longest note, in characters.
pub const NOTE_MAX_CHARS: usize = 20_000;
/// Most highlights on one document.
pub const HIGHLIGHTS_MAX: usize = 500;
/// The longest highlighted passage, in characters.
pub const HIGHLIGHT_MAX_CHARS: usize = 2_000;

/// A person's note on one document, as last saved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// How many times it was saved: 0 for no note yet.
    pub revision: u64,
    /// The text.
    pub text: String,
    /// Passages marked, by page.
    #[serde(default)]
    pub highlights: Vec<Highlight>,
    /// When it was last saved (milliseconds since the Unix epoch), if ever.
    pub saved_at: Option<Timestamp>,
}

/// A passage the person marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Highlight {
    /// The page, from 1 (1 for documents without pages).
    pub page: u32,
    /// The passage.
    pub text: String,
}

/// What a save asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteEdit {
    /// The revision the device edited (0 for a new note).
    pub base_revision: u64,
    /// The new text.
    pub text: String,
    /// The new highlights.
    #[serde(default)]
    pub highlights: Vec<Highlight>,
}

impl NoteEdit {
    /// Why the edit is not acceptable, if it is not.
    pub fn problem(&self) -> Option<String> {
        if self.text.chars().count() > NOTE_MAX_CHARS {
            return Some(format!("a note holds at most {NOTE_MAX_CHARS} characters"));
        }
        if self.highlights.len() > HIGHLIGHTS_MAX {
            return Some(format!("at most {HIGHLIGHTS_MAX} highlights"));
        }
        if self.highlights.iter().any(|highlight| {
            highlight.page == 0 || highlight.text.chars().count() > HIGHLIGHT_MAX_CHARS
        }) {
            return Some(format!(
                "a highlight has a page from 1 and at most {HIGHLIGHT_MAX_CHARS} characters"
            ));
        }
        if self.text.contains('\0') || self.highlights.iter().any(|h| h.text.contains('\0')) {
            return Some("a note may not hold a NUL character".into());
        }
        None
    }
}

/// The outcome of a save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Saved: the note as it now stands.
    Saved(Note),
    /// The device edited an older revision: nothing was saved; the current note.
    Stale(Note),
}

/// One save as stored.
#[derive(Debug, Serialize, Deserialize)]
struct Body {
    text: String,
    #[serde(default)]
    highlights: Vec<Highlight>,
}

/// The stream of one person's note on one document.
pub fn stream(meeting: &MeetingId, member: &MemberId, document: &DocumentId) -> String {
    format!("{NOTES_PREFIX}{meeting}/{member}/{document}")
}

/// The note as last saved; revision 0 and no text if there is none.
pub async fn read(log: &dyn EventLog, stream: &str) -> Result<Note, StoreError> {
    let head = log.head(stream).await?;
    if head == 0 {
        return Ok(Note::default());
    }
    let records = log.read(stream, head - 1, 1).await?;
    let Some(record) = records.into_iter().next() else {
        return Ok(Note::default());
    };
    let body: Body = serde_json::from_str(&record.body).unwrap_or_else(|error| {
        tracing::warn!(%error, stream, "a stored note does not read back");
        Body {
            text: String::new(),
            highlights: Vec::new(),
        }
    });
    Ok(Note {
        revision: record.seq,
        text: body.text,
        highlights: body.highlights,
        saved_at: Some(Timestamp(record.at)),
    })
}

/// Saves `edit` if it was based on the current revision; otherwise answers the current
/// note and saves nothing.
pub async fn write(
    log: &dyn EventLog,
    stream: &str,
    edit: NoteEdit,
    now: Timestamp,
) -> Result<Saved, StoreError> {
    let body = serde_json::to_string(&Body {
        text: edit.text.clone(),
        highlights: edit.highlights.clone(),
    })
    .map_err(|error| StoreError::Invalid(error.to_string()))?;
    let revision = edit.base_revision.saturating_add(1);
    let append = Append {
        stream: stream.to_owned(),
        after: edit.base_revision,
        records: vec![Record {
            seq: revision,
            at: now.0,
            body,
        }],
    };
    match log.append(append).await {
        Ok(()) => Ok(Saved::Saved(Note {
            revision,
            text: edit.text,
            highlights: edit.highlights,
            saved_at: Some(now),
        })),
        Err(StoreError::Conflict { .. }) => Ok(Saved::Stale(read(log, stream).await?)),
        Err(error) => Err(error),
    }
}
