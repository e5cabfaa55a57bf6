//! API errors: a status, a stable code and a message in Vietnamese and English, as
//! `{"error": {"code": …, "message": {"vi": …, "en": …}}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quorum_domain::Rejection;
use quorum_protocol::{ErrorCode, Localized};
use serde_json::json;

use super::upload::FileProblem;
use crate::hub::HubError;

/// Why an API request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid session.
    #[error("no valid session")]
    Unauthenticated,
    /// The session may not do this.
    #[error("not allowed")]
    Forbidden,
    /// No such meeting or document.
    #[error("not found")]
    NotFound,
    /// The body is not acceptable.
    #[error("{0}")]
    BadRequest(String),
    /// The body is too large.
    #[error("larger than the limit of {0} bytes")]
    TooLarge(u64),
    /// The meeting's rules refused it.
    #[error("refused: {0}")]
    Rejected(Rejection),
    /// Rows of an import that are not acceptable.
    #[error("{} rows are not acceptable", .errors.len())]
    Rows {
        /// What is wrong, by line and column.
        errors: Vec<RowError>,
        /// Every data row as read, good or bad, so that a preview can show them all.
        preview: Vec<RowPreview>,
    },
    /// An uploaded file is not what a meeting can take, or not what it says it is.
    #[error("the file is refused: {0:?}")]
    File(FileProblem),
    /// The hub cannot do it now; retry.
    #[error("unavailable; retry")]
    Unavailable,
}

/// One bad row of an import.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RowError {
    /// The line, from 1 for the header.
    pub line: u64,
    /// The column, if one is at fault.
    pub column: Option<String>,
    /// What is wrong, as a stable code an app puts in its own words.
    pub code: RowProblem,
    /// What is wrong, in English, for people reading the API.
    pub message: String,
}

/// What is wrong with a row (or the header) of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowProblem {
    /// Not readable as CSV: a wrong number of fields, or text that is not UTF-8.
    Malformed,
    /// A column the import does not know.
    UnknownColumn,
    /// A required column is not in the header.
    MissingColumn,
    /// A required cell is empty.
    Required,
    /// An id (member, unit, group) with characters ids may not hold, or too long.
    InvalidId,
    /// A role that is none of chair, secretary, delegate, guest.
    InvalidRole,
    /// Not yes or no.
    InvalidYesNo,
    /// Not a whole number of at least 1.
    InvalidWeight,
    /// The member is on an earlier row too.
    DuplicateMember,
    /// A text too long, or otherwise refused by the meeting's rules.
    Invalid,
    /// The file has a header but no rows.
    Empty,
}

/// One data row of an import as read, for a preview.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowPreview {
    /// The line it starts on, from 1 for the header.
    pub line: u64,
    /// The `member` cell, as written.
    pub member: String,
    /// The `name` cell.
    pub name: String,
    /// The role, if the `role` cell names one.
    pub role: Option<quorum_domain::Role>,
    /// The `role` cell, as written.
    pub role_as_written: String,
}

impl From<HubError> for ApiError {
    fn from(error: HubError) -> ApiError {
        match error {
            HubError::Access(_) => ApiError::Unauthenticated,
            HubError::Rejected(rejection) => ApiError::Rejected(rejection),
            HubError::Invalid(message) => ApiError::BadRequest(message),
            other => {
                tracing::warn!(error = %other, "request failed");
                ApiError::Unavailable
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                error_body(ErrorCode::Unauthenticated, None),
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                error_body(ErrorCode::Forbidden, None),
            ),
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                error_body(ErrorCode::MeetingNotFound, None),
            ),
            ApiError::BadRequest(detail) => (
                StatusCode::BAD_REQUEST,
                error_body(ErrorCode::BadMessage, Some(detail)),
            ),
            ApiError::TooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                error_body(
                    ErrorCode::MessageTooLarge,
                    Some(format!("the limit is {limit} bytes")),
                ),
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                error_body(ErrorCode::Unavailable, None),
            ),
            ApiError::Rejected(rejection) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "error": {
                    "code": rejection.code.as_str(),
                    "subject": rejection.subject,
                    "message": Localized::rejection(rejection.code),
                }}),
            ),
            ApiError::File(problem) => {
                let status = match problem {
                    FileProblem::NotAccepted | FileProblem::Mismatch { .. } => {
                        StatusCode::UNSUPPORTED_MEDIA_TYPE
                    }
                    FileProblem::Empty | FileProblem::BrokenPdf => StatusCode::UNPROCESSABLE_ENTITY,
                };
                let (vi, en) = problem.message();
                let body = json!({ "error": {
                    "code": "file_refused",
                    "message": { "vi": vi, "en": en },
                    "problem": problem,
                }});
                (status, body)
            }
            ApiError::Rows { errors, preview } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "error": {
                    "code": "invalid_rows",
                    "message": {
                        "vi": "Một số dòng không hợp lệ; không dòng nào được nhập.",
                        "en": "Some rows are not valid; nothing was imported.",
                    },
                    "rows": errors,
                    "preview": preview,
                }}),
            ),
        };
        (status, Json(body)).into_response()
    }
}

fn error_body(code: ErrorCode, detail: Option<String>) -> serde_json::Value {
    json!({ "error": {
        "code": code,
        "message": Localized::error(code),
        "detail": detail,
    }})
}
