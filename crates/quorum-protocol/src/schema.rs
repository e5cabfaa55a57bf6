//! JSON Schema of every message, generated from the Rust types so that the published
//! description can never drift from the code.

use schemars::SchemaGenerator;
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::client::ClientMessage;
use crate::server::ServerMessage;

/// The schema of both message enums and everything they contain, in draft 2020-12,
/// with every type under `$defs`.
pub fn protocol_schema() -> Value {
    let (client, server, definitions) = generate(SchemaSettings::draft2020_12());
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://quorum.invalid/protocol/v1/schema.json",
        "title": "Quorum protocol messages",
        "description": "Every message between a device and the Quorum hub: JSON text frames over one WebSocket. `ClientMessage` goes from the device to the hub, `ServerMessage` from the hub to the device.",
        "oneOf": [client, server],
        "$defs": definitions,
    })
}

/// Schemas for the AsyncAPI document: draft 7 (what AsyncAPI's schema object extends),
/// with definitions under `#/components/schemas`. Returns the two message enums'
/// schemas and the definitions.
pub(crate) fn asyncapi_schemas() -> (Value, Value, Map<String, Value>) {
    let mut settings = SchemaSettings::draft07();
    settings.definitions_path = "/components/schemas".into();
    generate(settings)
}

fn generate(settings: SchemaSettings) -> (Value, Value, Map<String, Value>) {
    let mut generator = SchemaGenerator::new(settings);
    let client = generator.subschema_for::<ClientMessage>().to_value();
    let server = generator.subschema_for::<ServerMessage>().to_value();
    let definitions = generator.take_definitions(true);
    (client, server, definitions)
}
