//! `GET/PUT /api/meetings/{meeting}/documents/{document}/notes`: the signed-in
//! person's own note and highlights on a document they may read. Nobody else's note is
//! ever addressed: the member comes from the session, not from the path.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quorum_domain::{DocumentId, MemberId};

use super::documents::readable;
use super::{ApiError, Authenticated, meeting_for, meeting_id};
use crate::access::Principal;
use crate::hub::Hub;
use crate::notes::{self, NoteEdit, Saved};

/// `GET`: the person's note — revision 0 and no text if they have none (not a `404`,
/// which browsers log as an error on every document opened); `404` if they may not read
/// the document.
pub(super) async fn show(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path((meeting, document)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let stream = note_stream(&hub, &principal, meeting, document).await?;
    let note = notes::read(hub.store().as_ref(), &stream)
        .await
        .map_err(store_error)?;
    Ok(Json(note).into_response())
}

/// `PUT` with `{base_revision, text, highlights}`: saved (`200` with the note), or
/// `409` with the current note when `base_revision` is not the latest.
pub(super) async fn save(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path((meeting, document)): Path<(String, String)>,
    Json(edit): Json<NoteEdit>,
) -> Result<Response, ApiError> {
    if let Some(problem) = edit.problem() {
        return Err(ApiError::BadRequest(problem));
    }
    let stream = note_stream(&hub, &principal, meeting, document).await?;
    let saved = notes::write(hub.store().as_ref(), &stream, edit, crate::clock::now())
        .await
        .map_err(store_error)?;
    Ok(match saved {
        Saved::Saved(note) => Json(note).into_response(),
        Saved::Stale(note) => (StatusCode::CONFLICT, Json(note)).into_response(),
    })
}

/// The stream of the principal's note on a document they may read.
async fn note_stream(
    hub: &Hub,
    principal: &Principal,
    meeting: String,
    document: String,
) -> Result<String, ApiError> {
    let meeting = meeting_id(meeting)?;
    let member: &MemberId = principal.member.as_ref().ok_or(ApiError::Forbidden)?;
    let document = DocumentId::new(document).map_err(|_| ApiError::NotFound)?;
    let (_, _, view) = meeting_for(hub, principal, &meeting).await?;
    readable(&view, document.as_str(), None).ok_or(ApiError::NotFound)?;
    Ok(notes::stream(&meeting, member, &document))
}

fn store_error(error: quorum_store::StoreError) -> ApiError {
    match error {
        quorum_store::StoreError::Invalid(reason) => ApiError::BadRequest(reason),
        other => {
            tracing::warn!(error = %other, "the note store failed");
            ApiError::Unavailable
        }
    }
}
