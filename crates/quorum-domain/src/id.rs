//! Identifiers of everything a meeting holds. Ids are chosen outside the domain (by the
//! client or the shell) and validated here, so the engine never generates one itself.

use schemars::{Schema, json_schema};

/// The longest id accepted, in bytes.
pub const MAX_ID_LEN: usize = 64;

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The string is empty.
    #[error("an id must not be empty")]
    Empty,
    /// The string is longer than [`MAX_ID_LEN`] bytes.
    #[error("an id must be at most {MAX_ID_LEN} bytes long")]
    TooLong,
    /// The string holds a character outside `A-Z a-z 0-9 . _ : -`.
    #[error("an id may hold only letters A-Z, a-z, digits and . _ : -")]
    BadCharacter,
}

/// Checks the id alphabet: short, printable and safe in URLs, file names and logs.
pub fn validate(value: &str) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty);
    }
    if value.len() > MAX_ID_LEN {
        return Err(IdError::TooLong);
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
    {
        return Err(IdError::BadCharacter);
    }
    Ok(())
}

/// The JSON Schema of an id type with this description (used by [`string_id!`]).
#[doc(hidden)]
pub fn id_schema(description: &str) -> Schema {
    json_schema!({
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_ID_LEN,
        "pattern": "^[A-Za-z0-9._:-]+$",
        "description": description,
    })
}

/// Defines a validated string id type: 1–64 characters of `A-Z a-z 0-9 . _ : -`, with
/// serde, JSON Schema, `Display` and `TryFrom` impls. Exported so that every crate's ids
/// (the protocol's request ids too) share one alphabet and one implementation; the
/// calling crate needs `serde` and `schemars` among its dependencies.
#[macro_export]
macro_rules! string_id {
    ($(#[doc = $doc:literal])* $name:ident) => {
        $(#[doc = $doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[derive(::serde::Serialize, ::serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validates `value` and wraps it.
            pub fn new(value: impl Into<String>) -> Result<Self, $crate::id::IdError> {
                let value = value.into();
                $crate::id::validate(&value)?;
                Ok(Self(value))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::id::IdError;
            fn try_from(value: String) -> Result<Self, $crate::id::IdError> {
                Self::new(value)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::id::IdError;
            fn try_from(value: &str) -> Result<Self, $crate::id::IdError> {
                Self::new(value)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                $crate::id::id_schema(concat!($($doc, " "),*).trim())
            }
        }
    };
}

string_id! {
    /// A meeting.
    MeetingId
}
string_id! {
    /// A person in the directory; the same id names their seat in every meeting.
    MemberId
}
string_id! {
    /// A group of members (a committee, a council, a party cell).
    GroupId
}
string_id! {
    /// A unit or organisation (province, department, commune, cell); units nest.
    UnitId
}
string_id! {
    /// An agenda item.
    ItemId
}
string_id! {
    /// A document attached to an agenda item.
    DocumentId
}
string_id! {
    /// A poll (a motion, an election, a confidence vote).
    PollId
}
string_id! {
    /// A ballot, chosen by the voting device so that a resend is recognised. It must be
    /// unpredictable (a random UUID): in a secret poll, knowing it is what ties a ballot
    /// to its seat.
    BallotId
}
string_id! {
    /// A request for the floor on the speakers' list.
    FloorRequestId
}
string_id! {
    /// A conclusion recorded for an agenda item.
    ConclusionId
}
string_id! {
    /// A directive assigned to a unit.
    DirectiveId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_id_alphabet_and_rejects_the_rest() {
        assert!(MemberId::new("dai-bieu_01.hn:2026").is_ok());
        assert_eq!(MemberId::new(""), Err(IdError::Empty));
        assert_eq!(MemberId::new("a".repeat(65)), Err(IdError::TooLong));
        assert_eq!(MemberId::new("đại biểu"), Err(IdError::BadCharacter));
        assert_eq!(MemberId::new("a b"), Err(IdError::BadCharacter));
    }

    #[test]
    fn deserializing_validates() {
        let ok: Result<PollId, _> = serde_json::from_str("\"p1\"");
        assert_eq!(ok.unwrap().as_str(), "p1");
        let bad: Result<PollId, _> = serde_json::from_str("\"p 1\"");
        assert!(bad.is_err());
    }
}
