//! `GET /api/meetings/{id}/presence`: who has a device connected to the meeting now,
//! on this node and, in a cluster, on every other live node. For those who keep the
//! meeting (chair, secretary, administrator). Attendance, in the room or remote, is the
//! meeting's own state and is in its view.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;

use super::{ApiError, Authenticated, kept_meeting, meeting_id};
use crate::hub::Hub;
use crate::journal;

/// The answer.
#[derive(Debug, Serialize)]
pub(super) struct Presence {
    /// Members with at least one device following the meeting, and where.
    members: Vec<Online>,
    /// False when another node's list could not be read (Redis unreachable): the
    /// list then holds this node's devices only.
    complete: bool,
}

/// One member's devices.
#[derive(Debug, Serialize)]
struct Online {
    member: String,
    /// Devices, over every node.
    devices: u32,
    /// The nodes they are connected to (in a cluster).
    nodes: Vec<String>,
}

/// `GET /api/meetings/{meeting}/presence`.
pub(super) async fn show(
    State(hub): State<Hub>,
    Authenticated(principal): Authenticated,
    Path(meeting): Path<String>,
) -> Result<Json<Presence>, ApiError> {
    let meeting = meeting_id(meeting)?;
    let (room, _) = kept_meeting(&hub, &principal, &meeting).await?;
    let here = room.online().await.ok_or(ApiError::Unavailable)?;
    let node = hub
        .cluster()
        .map_or_else(|| "local".to_owned(), |cluster| cluster.node().to_owned());
    let mut by_node: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    by_node.insert(
        node,
        here.into_iter()
            .map(|(member, devices)| (member.as_str().to_owned(), devices))
            .collect(),
    );
    let mut complete = true;
    if let Some(cluster) = hub.cluster() {
        match cluster
            .presence_elsewhere(&journal::meeting_stream(&meeting))
            .await
        {
            Ok(elsewhere) => by_node.extend(elsewhere),
            Err(error) => {
                tracing::warn!(%error, "cannot read the other nodes' presence");
                complete = false;
            }
        }
    }
    let mut members: BTreeMap<String, Online> = BTreeMap::new();
    for (node, online) in by_node {
        for (member, devices) in online {
            let entry = members.entry(member.clone()).or_insert_with(|| Online {
                member,
                devices: 0,
                nodes: Vec::new(),
            });
            entry.devices = entry.devices.saturating_add(devices);
            entry.nodes.push(node.clone());
        }
    }
    Ok(Json(Presence {
        members: members.into_values().collect(),
        complete,
    }))
}
