//! The published protocol documents are complete and current: every message type of
//! `quorum-protocol` appears in `docs/protocol/asyncapi.yaml` with an example that parses
//! into that type, every code is documented, and the committed files are exactly what
//! the types generate (`cargo xtask protocol-docs` rewrites them).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use quorum_domain::RejectionCode;
use quorum_protocol::{ClientMessage, ErrorCode, ServerMessage};
use schemars::schema_for;
use serde_json::Value;

fn docs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol")
}

fn committed_asyncapi() -> Value {
    let text = std::fs::read_to_string(docs().join("asyncapi.yaml")).expect("asyncapi.yaml");
    serde_norway::from_str(&text).expect("asyncapi.yaml is YAML")
}

/// Every `type` of a message enum, read from its JSON Schema (independently of the
/// document generator).
fn message_types(schema: &Value) -> BTreeSet<String> {
    schema["oneOf"]
        .as_array()
        .expect("a message enum is a oneOf")
        .iter()
        .map(|variant| {
            variant["properties"]["type"]["const"]
                .as_str()
                .expect("each variant has a const type")
                .to_owned()
        })
        .collect()
}

fn check_messages<M: serde::de::DeserializeOwned + serde::Serialize>(
    doc: &Value,
    types: &BTreeSet<String>,
    kind: fn(&M) -> &'static str,
) {
    let messages = &doc["components"]["messages"];
    for name in types {
        let message = &messages[name];
        assert!(message.is_object(), "{name} is missing from asyncapi.yaml");
        assert_eq!(message["name"], *name);
        assert!(
            message["payload"].is_object(),
            "{name} has no payload schema"
        );
        let examples = message["examples"].as_array().expect("examples");
        assert!(!examples.is_empty(), "{name} has no example");
        for example in examples {
            let payload = example["payload"].clone();
            let parsed: M = serde_json::from_value(payload.clone())
                .unwrap_or_else(|error| panic!("example of {name} does not parse: {error}"));
            assert_eq!(kind(&parsed), name, "example filed under the wrong type");
            // Nothing is lost or invented between the wire and the types.
            assert_eq!(
                serde_json::to_value(&parsed).unwrap(),
                payload,
                "example of {name} does not round-trip"
            );
        }
        let channel_ref = &doc["channels"]["hub"]["messages"][name]["$ref"];
        assert_eq!(
            channel_ref.as_str(),
            Some(format!("#/components/messages/{name}").as_str())
        );
    }
}

#[test]
fn every_message_type_is_documented_with_an_example_that_parses() {
    let doc = committed_asyncapi();
    assert_eq!(doc["asyncapi"], "3.0.0");
    let client = serde_json::to_value(schema_for!(ClientMessage)).unwrap();
    let server = serde_json::to_value(schema_for!(ServerMessage)).unwrap();
    let client_types = message_types(&client);
    let server_types = message_types(&server);
    assert!(client_types.contains("hello") && server_types.contains("resumed"));
    check_messages::<ClientMessage>(&doc, &client_types, ClientMessage::kind);
    check_messages::<ServerMessage>(&doc, &server_types, ServerMessage::kind);
    let documented: BTreeSet<String> = doc["components"]["messages"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let known: BTreeSet<String> = client_types.union(&server_types).cloned().collect();
    assert_eq!(
        documented, known,
        "the document lists messages that do not exist"
    );
}

#[test]
fn every_rejection_and_error_code_is_documented() {
    let text = serde_json::to_string(&committed_asyncapi()["components"]["schemas"]).unwrap();
    for code in RejectionCode::ALL {
        assert!(
            text.contains(&format!("\"{}\"", code.as_str())),
            "rejection code {code} is not in asyncapi.yaml"
        );
    }
    let schema = serde_json::to_value(schema_for!(ErrorCode)).unwrap();
    let mut from_schema = BTreeSet::new();
    for variant in schema["oneOf"].as_array().unwrap() {
        let code = variant["const"].as_str().unwrap().to_owned();
        assert!(
            text.contains(&format!("\"{code}\"")),
            "error code {code} is missing"
        );
        from_schema.insert(code);
    }
    let listed: BTreeSet<String> = ErrorCode::ALL
        .iter()
        .map(|code| {
            serde_json::to_value(code)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(listed, from_schema, "ErrorCode::ALL is incomplete");
}

#[test]
fn committed_documents_are_current() {
    let generated = quorum_protocol::asyncapi::document();
    assert!(
        committed_asyncapi() == generated,
        "docs/protocol/asyncapi.yaml is stale: run `cargo xtask protocol-docs`"
    );
    let text = std::fs::read_to_string(docs().join("quorum.schema.json")).unwrap();
    let committed: Value = serde_json::from_str(&text).unwrap();
    assert!(
        committed == quorum_protocol::schema::protocol_schema(),
        "docs/protocol/quorum.schema.json is stale: run `cargo xtask protocol-docs`"
    );
}
