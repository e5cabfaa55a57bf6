//! Request ids: chosen by the device for every command so that the hub can match its
//! answer and recognise a command sent again after a reconnect.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// The longest request id, in bytes.
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// A request id: 1–64 characters of `A-Z a-z 0-9 . _ : -`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestId(String);

/// Why a string is not a request id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a request id is 1-64 characters of A-Z a-z 0-9 . _ : -")]
pub struct RequestIdError;

impl RequestId {
    /// Validates `value` and wraps it.
    pub fn new(value: impl Into<String>) -> Result<RequestId, RequestIdError> {
        let value = value.into();
        let well_formed = !value.is_empty()
            && value.len() <= MAX_REQUEST_ID_LEN
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
        if well_formed {
            Ok(RequestId(value))
        } else {
            Err(RequestIdError)
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RequestId {
    type Error = RequestIdError;
    fn try_from(value: String) -> Result<Self, RequestIdError> {
        RequestId::new(value)
    }
}

impl From<RequestId> for String {
    fn from(id: RequestId) -> String {
        id.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({:?})", self.0)
    }
}

impl JsonSchema for RequestId {
    fn schema_name() -> Cow<'static, str> {
        Cow::Borrowed("RequestId")
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_REQUEST_ID_LEN,
            "pattern": "^[A-Za-z0-9._:-]+$",
            "description": "Chosen by the device for each command; echoed in the answer.",
        })
    }
}
