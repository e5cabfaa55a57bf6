//! The minutes (biên bản) over HTTP: the meeting's record rendered as DOCX, PDF,
//! printable HTML or JSON, for those who keep the meeting, as a file to download.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use quorum_minutes::{Format, Minutes, MinutesError};
use serde::Deserialize;

use super::meetings::{Record, record_json};
use super::{ApiError, Authenticated, meeting_id};
use crate::hub::Hub;

/// `?format=docx|pdf|html|json` (default: pdf).
#[derive(Debug, Deserialize)]
pub(super) struct MinutesQuery {
    format: Option<String>,
}

/// `GET /api/meetings/{meeting}/minutes?format=…`: the minutes as an attachment named
/// `bien-ban-<meeting>.<ext>`.
pub(super) async fn download(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
    Query(query): Query<MinutesQuery>,
) -> Result<Response, ApiError> {
    let meeting = meeting_id(meeting)?;
    let format: Format = query
        .format
        .as_deref()
        .unwrap_or("pdf")
        .parse()
        .map_err(|error: MinutesError| ApiError::BadRequest(error.to_string()))?;
    super::kept_meeting(&hub, &principal, &meeting).await?;
    let record = record_json(&hub, &meeting).await?;
    // Drawing a PDF takes some milliseconds of CPU: off the async workers.
    let bytes = tokio::task::spawn_blocking(move || render(&record, format))
        .await
        .map_err(|_| ApiError::Unavailable)?
        .map_err(|error| {
            tracing::error!(%error, %meeting, "cannot render the minutes");
            ApiError::Unavailable
        })?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        format.file_name(meeting.as_str())
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// A meeting's record rendered as minutes in `format`.
pub fn render(record: &Record, format: Format) -> Result<Vec<u8>, MinutesError> {
    let value = serde_json::to_value(record).map_err(MinutesError::Record)?;
    let record = quorum_minutes::Record::from_value(value)?;
    Minutes::from_record(&record).render(format)
}
