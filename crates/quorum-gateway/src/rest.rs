//! The JSON API for setting meetings up: sessions, meetings, the roster, invitations,
//! documents and the record. Devices use the WebSocket for everything live.

pub mod audit;
mod documents;
pub mod error;
pub mod invitations;
pub mod meetings;
pub mod minutes;
mod notes;
mod notices;
mod presence;
mod push;
mod range;
pub mod roster;
mod session;
pub mod upload;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::{get, post};
use quorum_domain::{MeetingId, Viewer};

use crate::access::Principal;
use crate::hub::Hub;
use crate::room::RoomHandle;
pub use error::ApiError;

/// The API's routes, under `/api`. A document upload may be `document_limit` bytes
/// long; other bodies are limited by the caller's `DefaultBodyLimit`.
pub fn router(document_limit: usize) -> Router<Hub> {
    Router::new()
        .route("/api/session", get(session::show).delete(session::revoke))
        .route("/api/session/redeem", post(session::redeem))
        .route("/api/session/login", post(session::login))
        .route("/api/meetings", get(meetings::list).post(meetings::create))
        .route("/api/meetings/{meeting}", get(meetings::show))
        .route("/api/meetings/{meeting}/commands", post(meetings::command))
        .route("/api/meetings/{meeting}/record", get(meetings::record))
        .route("/api/meetings/{meeting}/minutes", get(minutes::download))
        .route("/api/meetings/{meeting}/audit", get(audit::head))
        .route("/api/meetings/{meeting}/receipts", get(audit::receipts))
        .route("/api/meetings/{meeting}/presence", get(presence::show))
        .route("/api/meetings/{meeting}/roster", post(roster::import))
        .route(
            "/api/meetings/{meeting}/invitations",
            post(invitations::issue),
        )
        .route(
            "/api/meetings/{meeting}/join-qr.svg",
            get(invitations::join_qr),
        )
        .route(
            "/api/meetings/{meeting}/items/{item}/documents",
            post(documents::upload).layer(DefaultBodyLimit::max(document_limit)),
        )
        .route(
            "/api/meetings/{meeting}/documents/{document}",
            get(documents::download),
        )
        .route(
            "/api/meetings/{meeting}/documents/{document}/versions",
            post(documents::replace).layer(DefaultBodyLimit::max(document_limit)),
        )
        .route(
            "/api/meetings/{meeting}/documents/{document}/versions/{hash}",
            get(documents::download_version),
        )
        .route(
            "/api/meetings/{meeting}/documents/{document}/notes",
            get(notes::show).put(notes::save),
        )
        .route("/api/meetings/{meeting}/notices", get(notices::list))
        .route(
            "/api/directives/{meeting}/{directive}/status",
            post(notices::update),
        )
        .route("/api/push/key", get(push::key))
        .route(
            "/api/push/subscriptions",
            post(push::subscribe).delete(push::unsubscribe),
        )
        .route("/api/accounts", post(session::create_account))
}

/// A request made with a valid session (`Authorization: Bearer …`).
pub struct Authenticated(pub Principal);

impl FromRequestParts<Hub> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, hub: &Hub) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthenticated)?;
        match hub.authenticate_fresh(token.trim()).await {
            Ok(principal) => Ok(Authenticated(principal)),
            Err(_) => {
                metrics::counter!(crate::telemetry::AUTH_FAILURES, "via" => "http").increment(1);
                Err(ApiError::Unauthenticated)
            }
        }
    }
}

/// The meeting's room and how the principal sees it; refuses a principal who may not
/// look at it.
async fn meeting_for(
    hub: &Hub,
    principal: &Principal,
    meeting: &MeetingId,
) -> Result<(RoomHandle, Viewer, quorum_domain::MeetingView), ApiError> {
    let room = hub.room_or_load(meeting).await.ok_or(ApiError::NotFound)?;
    let viewer = principal.viewer(meeting).ok_or(ApiError::Forbidden)?;
    let view = room.view(viewer.clone()).await.ok_or(ApiError::Forbidden)?;
    Ok((room, viewer, view))
}

/// Like [`meeting_for`], for those who keep the meeting (chair, secretary, admin).
async fn kept_meeting(
    hub: &Hub,
    principal: &Principal,
    meeting: &MeetingId,
) -> Result<(RoomHandle, quorum_domain::MeetingView), ApiError> {
    let (room, _, view) = meeting_for(hub, principal, meeting).await?;
    if view.audience != quorum_domain::view::Audience::Keeper {
        return Err(ApiError::Forbidden);
    }
    Ok((room, view))
}

/// A meeting id from a path.
fn meeting_id(meeting: String) -> Result<MeetingId, ApiError> {
    MeetingId::new(meeting).map_err(|_| ApiError::NotFound)
}
