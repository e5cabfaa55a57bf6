//! The AsyncAPI 3 document of the protocol (`docs/protocol/asyncapi.yaml`), generated
//! from the message types, their doc comments and the examples.

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::client::ClientMessage;
use crate::close;
use crate::examples::{self, Example};
use crate::schema;
use crate::server::ServerMessage;
use crate::version::{PROTOCOL_VERSION, subprotocol};

/// The channel every message travels on.
const CHANNEL: &str = "hub";

const DESCRIPTION: &str = "\
Quorum keeps every device of a paperless meeting (delegates' phones and tablets, the \
chair's console, the hall projector, remote participants) in live sync over one \
WebSocket per device, at `/ws`.

**Connecting.** The device offers the subprotocols it speaks (`quorum.v1`) in \
`Sec-WebSocket-Protocol` and sends `hello` first, with its session token. The hub \
answers `welcome` with the version chosen (the highest both speak), or `error` \
(`unsupported_version`, `unauthenticated`) and closes. Additive changes (new optional \
fields, new message types, new codes) keep the version: devices ignore what they do not \
know.

**Following a meeting.** `subscribe` answers with a `snapshot` (the whole view, at a \
sequence number). Each committed event then arrives as an `update` with its sequence \
number, holding the sections of the view it replaces; apply them in order. What a \
device sees depends on who it is: a guest never receives a document for delegates, and \
no device ever receives who chose what in a secret poll.

**Resuming.** After a reconnect, `subscribe` with `since` set to the last sequence \
number applied. The hub answers `resumed`: `recovered: true` with exactly the missed \
updates, or `recovered: false` with a fresh snapshot. Nothing is silently skipped.

**Commands.** `command` carries a request id chosen by the device. The hub answers \
`ack` only once the command's events are durable, or `rejected` with a stable code and \
a message in Vietnamese and English; a rejected command changes nothing. A ballot carries \
a ballot id chosen by the device: sending it again, after any failure, returns the same \
receipt and is never counted twice. `error` with `retryable: true` means: send the same \
message again.

**Every sequence number arrives.** A device receives an `update` for every event of a \
meeting it follows, in order, even when the event changes nothing it may see (`changes` \
is then empty), so a gap always means something was lost: resume.

**Signing in.** Invitation and sign-in links carry a one-time code in their fragment \
(`/join#code=…`); `POST /api/session/redeem` exchanges it for a session token, which is \
then sent only in `hello` (and in `Authorization: Bearer` headers), never in a URL. \
Browsers' WebSocket handshakes must come from an allowed origin.

**Keepalive and limits.** Send something at least every `heartbeat_ms` (a `ping` will \
do); a connection silent for three times that is closed. Messages larger than \
`limits.max_message_bytes` close the connection with code 1009; more than \
`limits.commands_per_second` are answered `rate_limited`. A device that does not read \
its updates fast enough is disconnected (`slow_consumer`) and resumes.";

/// The close codes as a Markdown table, for the channel's description.
fn close_codes() -> String {
    let mut table = String::from("\n\n**Close codes.**\n\n| code | meaning |\n|---|---|\n");
    for (code, meaning) in close::ALL {
        table.push_str(&format!("| {code} | {meaning} |\n"));
    }
    table
}

/// The AsyncAPI 3.0 document describing every message, with examples.
pub fn document() -> Value {
    let (client, server, definitions) = schema::asyncapi_schemas();
    let client_variants = variants(&client, &definitions);
    let server_variants = variants(&server, &definitions);
    let mut messages = Map::new();
    add_messages(
        &mut messages,
        &client_variants,
        &examples::client_examples(),
        ClientMessage::kind,
    );
    add_messages(
        &mut messages,
        &server_variants,
        &examples::server_examples(),
        ServerMessage::kind,
    );
    let reference =
        |name: &String| json!({ "$ref": format!("#/channels/{CHANNEL}/messages/{name}") });
    let channel_messages: Map<String, Value> = messages
        .keys()
        .map(|name| {
            (
                name.clone(),
                json!({ "$ref": format!("#/components/messages/{name}") }),
            )
        })
        .collect();
    json!({
        "asyncapi": "3.0.0",
        "info": {
            "title": "Quorum hub WebSocket protocol",
            "version": PROTOCOL_VERSION.to_string(),
            "description": DESCRIPTION,
            "license": { "name": "Apache-2.0" },
        },
        "defaultContentType": "application/json",
        "servers": {
            "embedded": {
                "host": "127.0.0.1:8080",
                "protocol": "ws",
                "pathname": "/ws",
                "description": "`quorum serve` on its defaults; behind a TLS proxy use wss.",
                "bindings": {
                    "ws": { "bindingVersion": "0.1.0" },
                },
            },
        },
        "channels": {
            CHANNEL: {
                "address": "/ws",
                "title": "One WebSocket per device",
                "description": format!(
                    "JSON text frames, one message per frame, tagged by `type`. WebSocket subprotocol `{}`.{}",
                    subprotocol(PROTOCOL_VERSION),
                    close_codes(),
                ),
                "messages": channel_messages,
            },
        },
        "operations": {
            "receiveFromDevice": {
                "action": "receive",
                "channel": { "$ref": format!("#/channels/{CHANNEL}") },
                "summary": "Messages a device sends to the hub.",
                "messages": client_variants.iter().map(|(name, _)| reference(name)).collect::<Vec<_>>(),
            },
            "sendToDevice": {
                "action": "send",
                "channel": { "$ref": format!("#/channels/{CHANNEL}") },
                "summary": "Messages the hub sends to a device.",
                "messages": server_variants.iter().map(|(name, _)| reference(name)).collect::<Vec<_>>(),
            },
        },
        "components": {
            "messages": messages,
            "schemas": definitions,
        },
    })
}

/// The variants of a message enum: `(type, schema)` in declaration order.
fn variants(enum_ref: &Value, definitions: &Map<String, Value>) -> Vec<(String, Value)> {
    let definition = enum_ref
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|path| path.rsplit('/').next())
        .and_then(|name| definitions.get(name))
        .unwrap_or(enum_ref);
    definition
        .get("oneOf")
        .and_then(Value::as_array)
        .map(|variants| {
            variants
                .iter()
                .filter_map(|variant| {
                    let name = variant.pointer("/properties/type/const")?.as_str()?;
                    Some((name.to_owned(), variant.clone()))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn add_messages<M: Serialize>(
    messages: &mut Map<String, Value>,
    variants: &[(String, Value)],
    examples: &[Example<M>],
    kind: fn(&M) -> &'static str,
) {
    for (name, payload) in variants {
        let summary = payload
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let examples: Vec<Value> = examples
            .iter()
            .filter(|example| kind(&example.message) == name)
            .map(|example| {
                json!({
                    "name": example.name,
                    "summary": example.summary,
                    "payload": serde_json::to_value(&example.message).unwrap_or(Value::Null),
                })
            })
            .collect();
        messages.insert(
            name.clone(),
            json!({
                "name": name,
                "title": title(name),
                "summary": summary,
                "contentType": "application/json",
                "payload": payload,
                "examples": examples,
            }),
        );
    }
}

/// `create_meeting` → `Create meeting`.
fn title(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
