//! The minutes (biên bản) of a meeting: a [`Minutes`] model built from the hub's record
//! (`quorum.record.v1`) and rendered as DOCX, PDF, printable HTML and JSON, in
//! Vietnamese, in the layout of Decree 30/2020/NĐ-CP.
//!
//! The model decides what is said (for a secret poll: never who voted how); the
//! renderers share one page layout (`layout.rs`) and differ only in how they draw it.

mod docx;
mod html;
mod layout;
pub mod minutes;
mod pdf;
pub mod record;
pub mod words;

pub use minutes::{MINUTES_FORMAT, Minutes};
pub use record::{Audit, PollReceipts, RECORD_FORMAT, Record, RoundReceipts};

/// What can go wrong making minutes.
#[derive(Debug, thiserror::Error)]
pub enum MinutesError {
    /// The record is not valid JSON of the expected shape.
    #[error("the record cannot be read: {0}")]
    Record(#[source] serde_json::Error),
    /// The record is of another format.
    #[error("the record's format is {0:?}, expected \"quorum.record.v1\"")]
    Format(String),
    /// The minutes could not be encoded as JSON.
    #[error("cannot encode the minutes as JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The DOCX archive could not be written.
    #[error("cannot write the DOCX file: {0}")]
    Docx(#[source] zip::result::ZipError),
    /// The embedded font could not be read.
    #[error("the embedded font cannot be read: {0}")]
    Font(String),
    /// An unknown format was asked for.
    #[error("unknown minutes format {0:?} (expected docx, pdf, html or json)")]
    UnknownFormat(String),
}

/// A file format of the minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Word (OOXML).
    Docx,
    /// PDF with an embedded font.
    Pdf,
    /// Printable, self-contained HTML.
    Html,
    /// The model as JSON (`quorum.minutes.v1`).
    Json,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [Format::Docx, Format::Pdf, Format::Html, Format::Json];

    /// The file extension, which is also the format's name.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Json => "json",
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            Format::Pdf => "application/pdf",
            Format::Html => "text/html; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    /// The file name of a meeting's minutes: `bien-ban-<meeting>.<ext>`.
    pub fn file_name(self, meeting: &str) -> String {
        format!("bien-ban-{meeting}.{}", self.extension())
    }
}

impl std::str::FromStr for Format {
    type Err = MinutesError;

    fn from_str(text: &str) -> Result<Format, MinutesError> {
        Format::ALL
            .into_iter()
            .find(|format| format.extension().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| MinutesError::UnknownFormat(text.to_owned()))
    }
}

impl Minutes {
    /// The minutes in `format`.
    pub fn render(&self, format: Format) -> Result<Vec<u8>, MinutesError> {
        match format {
            Format::Docx => self.to_docx(),
            Format::Pdf => self.to_pdf(),
            Format::Html => Ok(self.to_html().into_bytes()),
            Format::Json => self.to_json().map(String::into_bytes),
        }
    }

    /// The model as pretty-printed JSON (`quorum.minutes.v1`).
    pub fn to_json(&self) -> Result<String, MinutesError> {
        serde_json::to_string_pretty(self).map_err(MinutesError::Json)
    }

    /// A printable, self-contained HTML page (A4, Times New Roman first).
    pub fn to_html(&self) -> String {
        html::render(&layout::layout(self), &self.title)
    }

    /// A Word document: A4, Decree 30 margins, Times New Roman on every script slot.
    pub fn to_docx(&self) -> Result<Vec<u8>, MinutesError> {
        docx::render(&layout::layout(self))
    }

    /// A PDF on A4 with Liberation Serif embedded (every Vietnamese letter).
    pub fn to_pdf(&self) -> Result<Vec<u8>, MinutesError> {
        pdf::render(&layout::layout(self), &self.title)
    }
}
