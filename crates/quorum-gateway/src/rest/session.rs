//! Signing in: a one-time code or a password exchanged for a session token, which the
//! device then sends only in `hello` and in `Authorization` headers, never in a URL.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use quorum_domain::MemberId;
use quorum_protocol::SessionInfo;
use serde::{Deserialize, Serialize};

use super::{ApiError, Authenticated};
use crate::hub::{Hub, OpenedSession};

/// A new session.
#[derive(Debug, Serialize)]
pub(super) struct SessionCreated {
    token: String,
    session: SessionInfo,
}

impl From<OpenedSession> for SessionCreated {
    fn from(opened: OpenedSession) -> SessionCreated {
        SessionCreated {
            token: opened.token.expose().to_owned(),
            session: crate::connection::session_info(&opened.principal),
        }
    }
}

#[derive(Deserialize)]
pub(super) struct Redeem {
    code: String,
}

/// `POST /api/session/redeem`: a one-time code for a session.
pub(super) async fn redeem(
    State(hub): State<Hub>,
    Json(body): Json<Redeem>,
) -> Result<Json<SessionCreated>, ApiError> {
    match hub.redeem(&body.code).await {
        Ok(opened) => Ok(Json(opened.into())),
        Err(error) => {
            metrics::counter!(crate::telemetry::AUTH_FAILURES, "via" => "redeem").increment(1);
            Err(error.into())
        }
    }
}

#[derive(Deserialize)]
pub(super) struct Login {
    login: String,
    password: String,
}

/// `POST /api/session/login`: a password for a session.
pub(super) async fn login(
    State(hub): State<Hub>,
    Json(body): Json<Login>,
) -> Result<Json<SessionCreated>, ApiError> {
    match hub.login(&body.login, &body.password).await {
        Ok(opened) => Ok(Json(opened.into())),
        Err(error) => {
            metrics::counter!(crate::telemetry::AUTH_FAILURES, "via" => "login").increment(1);
            Err(error.into())
        }
    }
}

/// `GET /api/session`: who I am.
pub(super) async fn show(Authenticated(principal): Authenticated) -> Json<SessionInfo> {
    Json(crate::connection::session_info(&principal))
}

/// `DELETE /api/session`: signs out (revokes this session everywhere).
pub(super) async fn revoke(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
) -> Result<StatusCode, ApiError> {
    hub.revoke(&principal.session).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(super) struct NewAccount {
    login: String,
    name: String,
    #[serde(default)]
    admin: bool,
    member: Option<MemberId>,
    password: String,
}

/// `POST /api/accounts`: an administrator creates an account (a secretary or chair).
pub(super) async fn create_account(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Json(body): Json<NewAccount>,
) -> Result<StatusCode, ApiError> {
    if !principal.admin {
        return Err(ApiError::Forbidden);
    }
    hub.create_account(
        &body.login,
        &body.name,
        body.admin,
        body.member,
        Some(&body.password),
    )
    .await?;
    Ok(StatusCode::CREATED)
}
