//! Meetings over HTTP: list, create, read, send a command, and export the record.

use axum::Json;
use axum::extract::{Path, State};
use quorum_domain::poll::receipt::Receipt;
use quorum_domain::{CreateMeeting, EventRecord, MeetingCommand, MeetingId, MeetingView, Role};
use quorum_protocol::RequestId;
use serde::{Deserialize, Serialize};

use super::audit::{PollReceipts, published_receipts};
use super::{ApiError, Authenticated, meeting_for, meeting_id};
use crate::audit::{ChainHash, ChainHead};
use crate::directory::MeetingSummary;
use crate::hub::Hub;
use crate::journal;
use crate::room::CommandOutcome;

/// A meeting in a list, with my role in it.
#[derive(Debug, Serialize)]
pub(super) struct Listed {
    #[serde(flatten)]
    summary: MeetingSummary,
    role: Option<Role>,
}

/// `GET /api/meetings`: the meetings I may see.
pub(super) async fn list(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
) -> Json<Vec<Listed>> {
    Json(
        hub.meetings_for(&principal)
            .into_iter()
            .map(|(summary, role)| Listed { summary, role })
            .collect(),
    )
}

#[derive(Deserialize)]
pub(super) struct Create {
    meeting: MeetingId,
    #[serde(flatten)]
    create: CreateMeeting,
}

#[derive(Serialize)]
pub(super) struct Created {
    meeting: MeetingId,
    seq: u64,
}

/// `POST /api/meetings`: creates a meeting.
pub(super) async fn create(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Json(body): Json<Create>,
) -> Result<Json<Created>, ApiError> {
    let seq = hub
        .create_meeting(&principal, body.meeting.clone(), body.create)
        .await?;
    Ok(Json(Created {
        meeting: body.meeting,
        seq,
    }))
}

/// `GET /api/meetings/{meeting}`: the meeting as I see it.
pub(super) async fn show(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
) -> Result<Json<MeetingView>, ApiError> {
    let meeting = meeting_id(meeting)?;
    let (_, _, view) = meeting_for(&hub, &principal, &meeting).await?;
    Ok(Json(view))
}

#[derive(Deserialize)]
pub(super) struct Command {
    request: Option<RequestId>,
    command: MeetingCommand,
}

#[derive(Serialize)]
pub(super) struct Acked {
    seq: u64,
    receipt: Option<Receipt>,
}

/// `POST /api/meetings/{meeting}/commands`: runs a command, as over the WebSocket.
pub(super) async fn command(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
    Json(body): Json<Command>,
) -> Result<Json<Acked>, ApiError> {
    let meeting = meeting_id(meeting)?;
    let room = hub.room_or_load(&meeting).await.ok_or(ApiError::NotFound)?;
    let actor = principal.actor().ok_or(ApiError::Forbidden)?;
    outcome(room.execute(body.request, actor, body.command).await)
}

/// An outcome as a response.
pub(super) fn outcome(outcome: CommandOutcome) -> Result<Json<Acked>, ApiError> {
    match outcome {
        CommandOutcome::Acked { seq, receipt } => Ok(Json(Acked { seq, receipt })),
        CommandOutcome::Rejected(rejection) => Err(ApiError::Rejected(rejection)),
        CommandOutcome::Failed(_) => Err(ApiError::Unavailable),
    }
}

/// A meeting's record.
#[derive(Debug, Serialize)]
pub struct Record {
    /// `quorum.record.v1`.
    pub format: &'static str,
    /// The meeting.
    pub meeting: MeetingId,
    /// When it was exported.
    pub exported_at: quorum_domain::Timestamp,
    /// Its events, in order.
    pub events: Vec<EventRecord>,
    /// Its state after them, as its keepers see it.
    pub view: MeetingView,
    /// The hash chain's head after the last event: `quorum verify --head` checks the
    /// stored log against it.
    pub audit: ChainHead,
    /// The receipts counted in each closed poll round, with no seat and no choice.
    pub receipts: Vec<PollReceipts>,
}

/// `GET /api/meetings/{meeting}/record`: every event of the meeting and its final
/// state, for those who keep it.
pub(super) async fn record(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
) -> Result<Json<Record>, ApiError> {
    let meeting = meeting_id(meeting)?;
    super::kept_meeting(&hub, &principal, &meeting).await?;
    Ok(Json(record_json(&hub, &meeting).await?))
}

/// A meeting's record: its events up to now and its state as its keepers see it.
pub async fn record_json(hub: &Hub, meeting: &MeetingId) -> Result<Record, ApiError> {
    let room = hub.room_or_load(meeting).await.ok_or(ApiError::NotFound)?;
    // One copy of the state, so that the view, the events and the receipts agree.
    let state = room.inspect().await.ok_or(ApiError::Unavailable)?;
    let view = state
        .view(&quorum_domain::Viewer::Admin)
        .ok_or(ApiError::Unavailable)?;
    let (events, audit) = export_events(hub, meeting, view.seq).await?;
    Ok(Record {
        format: "quorum.record.v1",
        meeting: meeting.clone(),
        exported_at: crate::clock::now(),
        events,
        view,
        audit,
        receipts: published_receipts(&state),
    })
}

/// The meeting's events up to `until`, read from the log, and the chain's head after
/// the last of them.
pub async fn export_events(
    hub: &Hub,
    meeting: &MeetingId,
    until: u64,
) -> Result<(Vec<EventRecord>, ChainHead), ApiError> {
    let stream = journal::meeting_stream(meeting);
    let mut head = ChainHead::genesis(&stream);
    let mut events = Vec::new();
    let mut after = 0;
    while after < until {
        let records = hub
            .store()
            .read(&stream, after, 10_000)
            .await
            .map_err(|_| ApiError::Unavailable)?;
        let Some(last) = records.last() else { break };
        after = last.seq;
        for record in &records {
            if record.seq > until {
                break;
            }
            head = ChainHead {
                seq: record.seq,
                hash: ChainHash::of(&stream, record),
            };
            events
                .push(journal::decode_meeting(&stream, record).map_err(|_| ApiError::Unavailable)?);
        }
    }
    Ok((events, head))
}
