//! The outbox's faces: the secretary's list of a meeting's notices with their delivery
//! state, and the route a unit calls, with its directive token, to acknowledge or
//! complete its directive (as `Actor::Unit`, through the meeting's room).

use axum::Json;
use axum::extract::{Path, State};
use quorum_domain::meeting::outcome::DirectiveStatus;
use quorum_domain::{Actor, DirectiveId, MeetingCommand};
use serde::{Deserialize, Serialize};

use super::{ApiError, Authenticated, kept_meeting, meeting_id};
use crate::hub::Hub;
use crate::outbox::{self, LinkKey, Notice};
use crate::room::CommandOutcome;

/// `GET /api/meetings/{meeting}/notices`: every notice of the meeting, with its
/// attempts and where it stands (pending with its next attempt, delivered, gave up).
pub(super) async fn list(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
) -> Result<Json<Vec<Notice>>, ApiError> {
    let meeting = meeting_id(meeting)?;
    kept_meeting(&hub, &principal, &meeting).await?;
    let notices = outbox::notices(hub.store().as_ref(), &meeting)
        .await
        .map_err(|error| {
            tracing::warn!(%error, "cannot read the outbox");
            ApiError::Unavailable
        })?;
    Ok(Json(notices))
}

/// A unit's update of its directive.
#[derive(Deserialize)]
pub(super) struct StatusRequest {
    /// The unit's directive token (`qd_…`), from the notice.
    token: String,
    /// `acknowledged` or `done`.
    status: DirectiveStatus,
}

/// What the unit gets back.
#[derive(Debug, Serialize)]
pub(super) struct StatusChanged {
    seq: u64,
    status: DirectiveStatus,
}

/// `POST /api/directives/{meeting}/{directive}/status` with `{"token", "status"}`.
pub(super) async fn update(
    State(hub): State<Hub>,
    Path((meeting, directive)): Path<(String, String)>,
    Json(body): Json<StatusRequest>,
) -> Result<Json<StatusChanged>, ApiError> {
    let meeting = meeting_id(meeting)?;
    let directive = DirectiveId::new(directive).map_err(|_| ApiError::NotFound)?;
    let room = hub.room_or_load(&meeting).await.ok_or(ApiError::NotFound)?;
    let state = room.inspect().await.ok_or(ApiError::Unavailable)?;
    let unit = state
        .directives()
        .find(|found| found.id == directive)
        .map(|found| found.unit.clone())
        .ok_or(ApiError::NotFound)?;
    let key = LinkKey::of_hub(&hub).await.map_err(|error| {
        tracing::warn!(%error, "cannot read the directive-link key");
        ApiError::Unavailable
    })?;
    if !key.verify(body.token.trim(), &meeting, &directive, &unit) {
        metrics::counter!(crate::telemetry::AUTH_FAILURES, "via" => "directive").increment(1);
        return Err(ApiError::Unauthenticated);
    }
    let outcome = room
        .execute(
            None,
            Actor::Unit { unit },
            MeetingCommand::UpdateDirective {
                directive,
                status: body.status,
            },
        )
        .await;
    match outcome {
        CommandOutcome::Acked { seq, .. } => Ok(Json(StatusChanged {
            seq,
            status: body.status,
        })),
        CommandOutcome::Rejected(rejection) => Err(ApiError::Rejected(rejection)),
        CommandOutcome::Failed(_) => Err(ApiError::Unavailable),
    }
}
