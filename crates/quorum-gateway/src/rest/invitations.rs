//! Invitation links: a one-time code per participant (or for the hall projector), as a
//! link and an SVG QR code. The code travels in the link's fragment, so it never
//! reaches a server log; the page exchanges it for a session. Also the hall's join code:
//! a QR of the app's public join page, for the projector's welcome screen.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use quorum_domain::view::Audience;
use quorum_domain::{MeetingId, MeetingView, MemberId, Role, Timestamp};
use serde::{Deserialize, Serialize};

use super::{ApiError, Authenticated, kept_meeting, meeting_for, meeting_id};
use crate::access::Grant;
use crate::hub::Hub;

#[derive(Deserialize)]
pub(super) struct Request {
    /// The participants to invite; absent: every participant.
    members: Option<Vec<MemberId>>,
    /// Also a link for the hall projector.
    #[serde(default)]
    projector: bool,
    /// Include an SVG QR code of each link.
    #[serde(default)]
    qr: bool,
}

/// One invitation link.
#[derive(Debug, Serialize)]
pub struct Invitation {
    /// The participant, or none for the projector.
    pub member: Option<MemberId>,
    /// Their name.
    pub name: String,
    /// Their role, or none for the projector.
    pub role: Option<Role>,
    /// The link (it carries the one-time code).
    pub url: String,
    /// Until when it works.
    pub expires_at: Timestamp,
    /// The link as an SVG QR code, when asked for.
    pub qr_svg: Option<String>,
}

/// `POST /api/meetings/{meeting}/invitations`.
pub(super) async fn issue(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
    Json(body): Json<Request>,
) -> Result<Json<Vec<Invitation>>, ApiError> {
    let meeting = meeting_id(meeting)?;
    let (_, view) = kept_meeting(&hub, &principal, &meeting).await?;
    let invitations = for_participants(
        &hub,
        &view,
        body.members.as_deref(),
        body.projector,
        body.qr,
    )
    .await?;
    Ok(Json(invitations))
}

/// Links for the meeting's participants (all of them, or `members`), and for its
/// projector if asked.
pub async fn for_participants(
    hub: &Hub,
    view: &MeetingView,
    members: Option<&[MemberId]>,
    projector_too: bool,
    qr: bool,
) -> Result<Vec<Invitation>, ApiError> {
    let participants: Vec<_> = match members {
        None => view.participants.iter().collect(),
        Some(members) => {
            let mut chosen = Vec::with_capacity(members.len());
            for member in members {
                let participant = view
                    .participants
                    .iter()
                    .find(|participant| &participant.member == member)
                    .ok_or_else(|| {
                        ApiError::BadRequest(format!("{member} is not a participant"))
                    })?;
                chosen.push(participant);
            }
            chosen
        }
    };
    let mut invitations = Vec::with_capacity(participants.len() + 1);
    for participant in participants {
        let grant = Grant::Member {
            member: participant.member.clone(),
        };
        invitations.push(
            invite(
                hub,
                grant,
                Some(participant.member.clone()),
                participant.name.clone(),
                Some(participant.role),
                qr,
            )
            .await?,
        );
    }
    if projector_too {
        invitations.push(projector(hub, &view.meeting.id, qr).await?);
    }
    Ok(invitations)
}

/// A projector link for a meeting.
pub async fn projector(hub: &Hub, meeting: &MeetingId, qr: bool) -> Result<Invitation, ApiError> {
    let grant = Grant::Projector {
        meeting: meeting.clone(),
    };
    invite(
        hub,
        grant,
        None,
        "Máy chiếu / Projector".to_owned(),
        None,
        qr,
    )
    .await
}

/// Issues one code and builds its link.
pub async fn invite(
    hub: &Hub,
    grant: Grant,
    member: Option<MemberId>,
    name: String,
    role: Option<Role>,
    qr: bool,
) -> Result<Invitation, ApiError> {
    let (code, expires_at) = hub.issue_code(grant).await?;
    let url = join_url(&hub.config().public_url(), code.expose());
    let qr_svg = if qr { Some(qr_svg(&url)?) } else { None };
    Ok(Invitation {
        member,
        name,
        role,
        url,
        expires_at,
        qr_svg,
    })
}

/// `GET /api/meetings/{meeting}/join-qr.svg`: a QR code of the hub's public join page
/// (`{public_url}/join`), where a participant opens or pastes their own invitation. It
/// holds no code and no secret; only the screens that show it to a hall — the projector
/// and the meeting's keepers — may fetch it.
pub(super) async fn join_qr(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let meeting = meeting_id(meeting)?;
    let (_, _, view) = meeting_for(&hub, &principal, &meeting).await?;
    if !matches!(view.audience, Audience::Projector | Audience::Keeper) {
        return Err(ApiError::Forbidden);
    }
    let svg = qr_svg(&join_page(&hub.config().public_url()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        svg,
    ))
}

/// The page where anyone with an invitation signs in.
pub fn join_page(public_url: &str) -> String {
    format!("{public_url}/join")
}

/// The link that signs its holder in with `code`.
pub fn join_url(public_url: &str, code: &str) -> String {
    format!("{}#code={code}", join_page(public_url))
}

/// A QR code of `text` as SVG.
pub fn qr_svg(text: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|error| ApiError::BadRequest(error.to_string()))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}
