//! The audit trail over HTTP: the head of a meeting's hash chain, for the projector and
//! anyone checking the minutes, and the receipts counted in each closed poll round.

use axum::Json;
use axum::extract::{Path, State};
use quorum_domain::poll::RoundReceipts;
use quorum_domain::{Meeting, MeetingId, PollId};
use serde::Serialize;

use super::{ApiError, Authenticated, meeting_for, meeting_id};
use crate::audit::{ChainHash, ChainHead};
use crate::hub::Hub;
use crate::journal;

/// `GET /api/meetings/{meeting}/audit`: where the meeting's hash chain ends now.
pub(super) async fn head(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
) -> Result<Json<ChainHead>, ApiError> {
    let meeting = meeting_id(meeting)?;
    meeting_for(&hub, &principal, &meeting).await?;
    Ok(Json(stored_head(&hub, &meeting).await?))
}

/// The head of the meeting's chain as stored: the hash of its last record.
pub async fn stored_head(hub: &Hub, meeting: &MeetingId) -> Result<ChainHead, ApiError> {
    let stream = journal::meeting_stream(meeting);
    let store = hub.store();
    let seq = store
        .head(&stream)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    let records = store
        .read(&stream, seq.saturating_sub(1), 1)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    Ok(records.first().map_or_else(
        || ChainHead::genesis(&stream),
        |record| ChainHead {
            seq: record.seq,
            hash: ChainHash::of(&stream, record),
        },
    ))
}

/// The receipts published for one poll.
#[derive(Debug, Clone, Serialize)]
pub struct PollReceipts {
    /// The poll.
    pub poll: PollId,
    /// Its title.
    pub title: String,
    /// Whether it was secret.
    pub secret: bool,
    /// Each closed round's counted receipts.
    pub rounds: Vec<RoundReceipts>,
}

/// `GET /api/meetings/{meeting}/receipts`: every closed round's counted receipts, so
/// that each voter can find their own; no seat and no choice beside them.
pub(super) async fn receipts(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
) -> Result<Json<Vec<PollReceipts>>, ApiError> {
    let meeting = meeting_id(meeting)?;
    let (room, _, _) = meeting_for(&hub, &principal, &meeting).await?;
    let state = room.inspect().await.ok_or(ApiError::Unavailable)?;
    Ok(Json(published_receipts(&state)))
}

/// The receipts of every poll with a closed round.
pub fn published_receipts(meeting: &Meeting) -> Vec<PollReceipts> {
    meeting
        .polls()
        .map(|poll| PollReceipts {
            poll: poll.id.clone(),
            title: poll.spec.title.clone(),
            secret: poll.spec.secret,
            rounds: poll.counted_receipts(),
        })
        .filter(|poll| !poll.rounds.is_empty())
        .collect()
}
