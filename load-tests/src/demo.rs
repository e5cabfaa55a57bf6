//! DATA/demo.json, written by `quorum serve --demo`: the demo meeting, the hub's
//! addresses and the one-time sign-in codes of its delegates.

use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

/// The parts of demo.json the load generator reads.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DemoFile {
    /// The demo meeting's id.
    pub(crate) meeting: String,
    /// The hub's HTTP address.
    pub(crate) url: String,
    /// The hub's WebSocket address.
    pub(crate) ws_url: String,
    /// One sign-in link per delegate.
    pub(crate) delegates: Vec<DemoLink>,
    /// The secretary's account: it may create meetings (the meeting scenarios use it).
    #[serde(default)]
    pub(crate) secretary_account: Option<DemoLink>,
}

/// One sign-in link.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DemoLink {
    /// The member it signs in.
    pub(crate) member: Option<String>,
    /// The one-time code, for `POST /api/session/redeem`: it works once.
    pub(crate) code: String,
}

impl DemoFile {
    /// Reads `data`/demo.json.
    pub(crate) fn read(data: &Path) -> anyhow::Result<DemoFile> {
        let path = data.join("demo.json");
        let text = std::fs::read(&path).with_context(|| {
            format!(
                "cannot read {} (was the hub started with --demo?)",
                path.display()
            )
        })?;
        serde_json::from_slice(&text).with_context(|| format!("cannot parse {}", path.display()))
    }
}
