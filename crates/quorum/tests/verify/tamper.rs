//! The ways `verify.rs` damages a stored log, each applied with plain SQL to a copy of
//! the SQLite file, and where `quorum verify` must report each one.

use std::path::Path;

use quorum_gateway::audit::ChainHash;
use quorum_store::Record;
use rusqlite::{Connection, params};
use serde_json::Value;

use crate::{STREAM, open};

/// One way of damaging the stored log.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Tampering {
    /// A value inside event `seq`'s body changed, the JSON still valid.
    EditBody { seq: u64, pick: u64 },
    /// Event `seq`'s time moved.
    EditTime { seq: u64, by: i64 },
    /// Event `seq` removed.
    Delete { seq: u64 },
    /// The bodies of two events swapped.
    Swap { first: u64, second: u64 },
    /// Event `seq` moved to the end of the log.
    MoveToEnd { seq: u64 },
    /// A value in event `seq` changed and every later hash recomputed, as an attacker who
    /// knows the scheme would: only a published head can catch it.
    EditAndRechain { seq: u64, pick: u64 },
    /// The last `count` events removed.
    Truncate { count: u64 },
}

impl Tampering {
    pub(crate) fn pick(random: &mut SplitMix, events: u64) -> Tampering {
        let seq = 1 + random.below(events);
        let pick = random.next();
        match random.below(7) {
            0 => Tampering::EditBody { seq, pick },
            1 => Tampering::EditTime {
                seq,
                by: i64::try_from(1 + random.below(100_000)).unwrap(),
            },
            2 => Tampering::Delete { seq },
            3 => {
                let other = 1 + random.below(events - 1);
                let other = if other >= seq { other + 1 } else { other };
                Tampering::Swap {
                    first: seq.min(other),
                    second: seq.max(other),
                }
            }
            4 => Tampering::MoveToEnd {
                seq: 1 + random.below(events - 1),
            },
            5 => Tampering::EditAndRechain { seq, pick },
            _ => Tampering::Truncate {
                count: 1 + random.below(5),
            },
        }
    }

    pub(crate) fn name(&self) -> &'static str {
        match self {
            Tampering::EditBody { .. } => "edit body",
            Tampering::EditTime { .. } => "edit time",
            Tampering::Delete { .. } => "delete",
            Tampering::Swap { .. } => "swap",
            Tampering::MoveToEnd { .. } => "move to end",
            Tampering::EditAndRechain { .. } => "edit and rechain",
            Tampering::Truncate { .. } => "truncate",
        }
    }

    /// Where and how `verify` must report it, the clean log having `events` events.
    pub(crate) fn expected(&self, events: u64) -> (u64, &'static str) {
        let changed = |seq: u64| {
            if seq < events {
                (seq + 1, "broken_link")
            } else {
                (seq, "head_mismatch")
            }
        };
        match *self {
            Tampering::EditBody { seq, .. } | Tampering::EditTime { seq, .. } => changed(seq),
            Tampering::Delete { seq } => {
                if seq < events {
                    (seq + 1, "missing")
                } else {
                    (seq, "head_mismatch")
                }
            }
            Tampering::Swap { first, .. } => (first, "broken_link"),
            Tampering::MoveToEnd { seq } => (seq + 1, "missing"),
            Tampering::EditAndRechain { .. } | Tampering::Truncate { .. } => {
                (events, "head_mismatch")
            }
        }
    }

    pub(crate) fn apply(&self, data: &Path) {
        let connection = open(data);
        let body = |seq: u64| -> String {
            connection
                .query_row(
                    "SELECT body FROM events WHERE stream = ?1 AND seq = ?2",
                    params![STREAM, seq],
                    |row| row.get(0),
                )
                .unwrap()
        };
        let set_body = |seq: u64, body: &str| {
            let changed = connection
                .execute(
                    "UPDATE events SET body = ?3 WHERE stream = ?1 AND seq = ?2",
                    params![STREAM, seq, body],
                )
                .unwrap();
            assert_eq!(changed, 1);
        };
        match *self {
            Tampering::EditBody { seq, pick } => set_body(seq, &edited(&body(seq), pick)),
            Tampering::EditTime { seq, by } => {
                connection
                    .execute(
                        "UPDATE events SET at = at + ?3 WHERE stream = ?1 AND seq = ?2",
                        params![STREAM, seq, by],
                    )
                    .unwrap();
            }
            Tampering::Delete { seq } => {
                connection
                    .execute(
                        "DELETE FROM events WHERE stream = ?1 AND seq = ?2",
                        params![STREAM, seq],
                    )
                    .unwrap();
            }
            Tampering::Swap { first, second } => {
                let (a, b) = (body(first), body(second));
                set_body(first, &b);
                set_body(second, &a);
            }
            Tampering::MoveToEnd { seq } => {
                connection
                    .execute(
                        "UPDATE events SET seq = (SELECT max(seq) + 1 FROM events WHERE \
                         stream = ?1) WHERE stream = ?1 AND seq = ?2",
                        params![STREAM, seq],
                    )
                    .unwrap();
            }
            Tampering::EditAndRechain { seq, pick } => {
                set_body(seq, &edited(&body(seq), pick));
                rechain(&connection, seq);
            }
            Tampering::Truncate { count } => {
                connection
                    .execute(
                        "DELETE FROM events WHERE stream = ?1 AND seq > (SELECT max(seq) - ?2 \
                         FROM events WHERE stream = ?1)",
                        params![STREAM, count],
                    )
                    .unwrap();
            }
        }
    }
}

/// The body with one value of its event changed (a string gets a letter more, a number
/// one more, a boolean flipped), still valid JSON and still the same kind of event.
fn edited(body: &str, pick: u64) -> String {
    let mut value: Value = serde_json::from_str(body).unwrap();
    let mut leaves = Vec::new();
    collect_leaves(&value["event"], "/event", &mut leaves);
    // The event's tag names its kind; changing it makes the body unreadable, which is a
    // different (and easier) finding.
    leaves.retain(|path| !path.ends_with("/type"));
    let path = &leaves[usize::try_from(pick % leaves.len() as u64).unwrap()];
    let leaf = value.pointer_mut(path).unwrap();
    *leaf = match leaf.take() {
        Value::String(text) => Value::String(format!("{text}x")),
        Value::Number(number) => Value::from(number.as_i64().unwrap_or(0) + 1),
        Value::Bool(flag) => Value::Bool(!flag),
        Value::Null => Value::from(1),
        other => panic!("not a leaf: {other}"),
    };
    serde_json::to_string(&value).unwrap()
}

fn collect_leaves(value: &Value, path: &str, leaves: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let key = key.replace('~', "~0").replace('/', "~1");
                collect_leaves(child, &format!("{path}/{key}"), leaves);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                collect_leaves(child, &format!("{path}/{index}"), leaves);
            }
        }
        _ => leaves.push(path.to_owned()),
    }
}

/// Recomputes the chain from event `from` on, rewriting each later body's `prev`.
fn rechain(connection: &Connection, from: u64) {
    let mut statement = connection
        .prepare("SELECT seq, at, body FROM events WHERE stream = ?1 AND seq >= ?2 ORDER BY seq")
        .unwrap();
    let rows: Vec<(u64, i64, String)> = statement
        .query_map(params![STREAM, from], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = None::<ChainHash>;
    for (seq, at, body) in rows {
        let body = match prev {
            None => body,
            Some(prev) => {
                let mut value: Value = serde_json::from_str(&body).unwrap();
                value["prev"] = Value::String(prev.to_string());
                let body = serde_json::to_string(&value).unwrap();
                connection
                    .execute(
                        "UPDATE events SET body = ?3 WHERE stream = ?1 AND seq = ?2",
                        params![STREAM, seq, body],
                    )
                    .unwrap();
                body
            }
        };
        prev = Some(ChainHash::of(STREAM, &Record { seq, at, body }));
    }
}

/// A small deterministic random source, so that a failure can be replayed by its seed.
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}
