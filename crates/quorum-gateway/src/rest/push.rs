//! Web Push over HTTP: the hub's public key for browsers to subscribe with, and the
//! signed-in member's subscriptions on this device.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::{ApiError, Authenticated};
use crate::hub::Hub;
use crate::push::Subscription;
use crate::push::subscriptions::{self, SubscribeError};

/// The key browsers pass as `applicationServerKey`.
#[derive(Debug, Serialize)]
pub(super) struct PublicKey {
    public_key: String,
}

/// `GET /api/push/key`.
pub(super) async fn key(
    State(hub): State<Hub>,
    Authenticated(_): Authenticated,
) -> Json<PublicKey> {
    Json(PublicKey {
        public_key: hub.push().public_key().to_owned(),
    })
}

/// `POST /api/push/subscriptions`: keeps this browser's subscription for the member.
pub(super) async fn subscribe(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Json(subscription): Json<Subscription>,
) -> Result<StatusCode, ApiError> {
    let member = principal.member.ok_or(ApiError::Forbidden)?;
    subscriptions::subscribe(
        hub.store().as_ref(),
        &member,
        subscription,
        crate::clock::now(),
    )
    .await
    .map_err(|error| match error {
        SubscribeError::Store(_) => ApiError::Unavailable,
        other => ApiError::BadRequest(other.to_string()),
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// Names the subscription to end.
#[derive(Debug, Deserialize)]
pub(super) struct Ended {
    endpoint: String,
}

/// `DELETE /api/push/subscriptions`: ends this browser's subscription.
pub(super) async fn unsubscribe(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Json(ended): Json<Ended>,
) -> Result<StatusCode, ApiError> {
    let member = principal.member.ok_or(ApiError::Forbidden)?;
    let found = subscriptions::unsubscribe(
        hub.store().as_ref(),
        &member,
        &ended.endpoint,
        crate::clock::now(),
    )
    .await
    .map_err(|_| ApiError::Unavailable)?;
    if found {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
