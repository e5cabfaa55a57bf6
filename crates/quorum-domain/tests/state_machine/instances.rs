//! The schema walk: random JSON instances of [`MeetingCommand`]'s schema, every variant
//! with ids from small pools and edge values, and now and then unstructured noise.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use quorum_domain::MeetingCommand;
use serde_json::{Map, Value};

use super::dice::{Roll as _, SplitMix};

/// The JSON schema of [`MeetingCommand`], generated once.
pub(crate) fn command_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::to_value(schemars::schema_for!(MeetingCommand)).unwrap())
}

/// Builds random JSON instances of the command schema: every variant, with ids drawn
/// from small pools (so that they often name something that exists), edge values for
/// numbers and texts, and now and then a value of the wrong shape.
pub(crate) struct Instances {
    defs: &'static Value,
    clock: i64,
    rng: SplitMix,
}

impl Instances {
    /// A walk seeded with `seed`, with times around `clock`.
    pub(crate) fn new(clock: i64, seed: u64) -> Instances {
        Instances {
            defs: &command_schema()["$defs"],
            clock,
            rng: SplitMix::new(seed),
        }
    }

    /// One instance of the whole command schema.
    pub(crate) fn command(&mut self) -> Value {
        let schema = command_schema();
        let variants = schema["oneOf"].as_array().unwrap();
        // Ballots are the heart of the engine: a quarter of the commands.
        let variant = if self.rng.chance(25) {
            variants
                .iter()
                .find(|v| v["properties"]["type"]["const"] == "cast_ballot")
                .unwrap()
        } else {
            &variants[self.rng.roll(variants.len())]
        };
        self.instance(variant, "command", 0)
    }

    /// An instance of `node`; `hint`, the name of the field or type it is for, picks
    /// values that mean something there.
    fn instance(&mut self, node: &Value, hint: &str, depth: usize) -> Value {
        if depth > 12 {
            return Value::Null;
        }
        if depth > 0 && self.rng.chance(1) {
            return noise(&mut self.rng, 2);
        }
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let name = reference.trim_start_matches("#/$defs/");
            if let Some(value) = self.special(name) {
                return value;
            }
            let defs = self.defs;
            return self.instance(&defs[name], name, depth + 1);
        }
        if let Some(constant) = node.get("const") {
            return constant.clone();
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = node.get(key).and_then(Value::as_array) {
                // Optional fields are mostly left out, as real clients do.
                let absent = options
                    .iter()
                    .position(|o| o.get("type") == Some(&"null".into()));
                if let Some(null) = absent
                    && self.rng.chance(60)
                {
                    return self.instance(&options[null], hint, depth + 1);
                }
                let option = &options[self.rng.roll(options.len())];
                return self.instance(option, hint, depth + 1);
            }
        }
        let kind = match node.get("type") {
            Some(Value::String(kind)) => kind.clone(),
            Some(Value::Array(kinds)) => self.rng.one_of(kinds).as_str().unwrap().to_owned(),
            _ => return noise(&mut self.rng, 2),
        };
        match kind.as_str() {
            "boolean" => Value::Bool(self.rng.chance(50)),
            "integer" => self.integer(node.get("format").and_then(Value::as_str), hint),
            "string" => Value::String(self.text()),
            "array" => {
                let len = if self.rng.chance(10) {
                    self.rng.roll(6)
                } else if matches!(hint, "answers" | "Selection") && self.rng.chance(85) {
                    // Most ballots answer one question with one choice.
                    1
                } else {
                    self.rng.roll(3) + usize::from(matches!(hint, "answers" | "invitees"))
                };
                let items = &node["items"];
                Value::Array(
                    (0..len)
                        .map(|_| self.instance(items, hint, depth + 1))
                        .collect(),
                )
            }
            "object" => {
                let required: BTreeSet<&str> = node
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|list| list.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut object = Map::new();
                if let Some(properties) = node.get("properties").and_then(Value::as_object) {
                    for (name, property) in properties {
                        let wanted = required.contains(name.as_str()) || self.rng.chance(50);
                        if wanted && !(name != "type" && self.rng.chance(1)) {
                            object.insert(name.clone(), self.instance(property, name, depth + 1));
                        }
                    }
                }
                Value::Object(object)
            }
            _ => Value::Null,
        }
    }

    /// Ids from pools, hashes, times and durations.
    fn special(&mut self, name: &str) -> Option<Value> {
        let pool: &[&str] = match name {
            "MemberId" => &[
                "chair",
                "secretary",
                "guest",
                "d01",
                "d02",
                "d03",
                "d04",
                "d05",
                "d06",
                "d07",
                "d08",
                "late",
                "outsider",
            ],
            // Now and then a fresh id, for the commands that create something.
            "PollId" | "ItemId" | "DocumentId" | "FloorRequestId" | "ConclusionId"
            | "DirectiveId"
                if self.rng.chance(15) =>
            {
                return Some(Value::String(format!("new-{}", self.rng.roll(1_000))));
            }
            "PollId" => &["p1", "p2", "p3", "p4", "p5"],
            "BallotId" if self.rng.chance(50) => {
                // A fresh id, or one of a few that are reused and replaced.
                return Some(Value::String(format!("b{}", 100 + self.rng.roll(10_000))));
            }
            "BallotId" => &["b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8"],
            "ItemId" => &["i1", "i2", "i3"],
            "DocumentId" => &["doc1", "doc2", "doc3", "doc4"],
            "FloorRequestId" => &["r1", "r2", "r3"],
            "ConclusionId" => &["c1", "c2"],
            "DirectiveId" => &["dir1", "dir2"],
            "GroupId" => &["g1", "g2", "g9"],
            "UnitId" => &["u1"],
            "ContentHash" => {
                let hash = if self.rng.chance(95) {
                    "ab".repeat(32)
                } else {
                    "not-a-hash".to_owned()
                };
                return Some(Value::String(hash));
            }
            "Timestamp" => return Some(Value::from(self.timestamp())),
            "Millis" => {
                let millis = self.rng.one_of(&[
                    0,
                    1,
                    1_000,
                    60_000,
                    300_000,
                    7_200_000,
                    7_200_001,
                    u64::MAX,
                ]);
                return Some(Value::from(millis));
            }
            _ => return None,
        };
        let id = if self.rng.chance(2) {
            self.rng.one_of(&["", "có dấu", &"x".repeat(65)]).to_owned()
        } else {
            self.rng.one_of(pool).to_owned()
        };
        Some(Value::String(id))
    }

    /// Mostly around the clock, now and then an extreme.
    fn timestamp(&mut self) -> i64 {
        match self.rng.roll(10) {
            0 => self.rng.one_of(&[i64::MIN, i64::MAX, 0, -1]),
            _ => self.clock + self.rng.roll(200_000) as i64 - 20_000,
        }
    }

    /// An integer of the schema's `format`, with values that matter for the field `hint`.
    fn integer(&mut self, format: Option<&str>, hint: &str) -> Value {
        match format {
            Some("uint16") => {
                if self.rng.chance(95) {
                    Value::from(self.rng.roll(if hint == "Selection" { 3 } else { 5 }))
                } else {
                    Value::from(self.rng.one_of(&[u16::MAX, 500]))
                }
            }
            Some("uint32") => Value::from(match hint {
                "round" if self.rng.chance(75) => 1,
                "round" => self.rng.roll(4) as u32,
                "weight" => self
                    .rng
                    .one_of(&[1, 1, 2, 3, 0, 1_000_000, 1_000_001, u32::MAX]),
                _ => self.rng.one_of(&[0, 1, 2, 3, 4, u32::MAX]),
            }),
            Some("uint64") => Value::from(self.rng.one_of(&[0, 1, 2, 5, 12, 1_000, u64::MAX])),
            Some("int64") => Value::from(self.timestamp()),
            _ => Value::from(self.rng.roll(4)),
        }
    }

    /// Mostly a valid text; else empty, blank, with a control character, too long, or on
    /// two lines.
    fn text(&mut self) -> String {
        match self.rng.roll(10) {
            0 => String::new(),
            1 => "   ".into(),
            2 => "chuông \u{7}".into(),
            3 => "x".repeat(301),
            4 => "dòng 1\ndòng 2".into(),
            _ => "Nội dung hợp lệ".into(),
        }
    }
}

/// Any JSON at all.
pub(crate) fn noise(rng: &mut SplitMix, depth: usize) -> Value {
    let leaf = depth == 0;
    match rng.roll(if leaf { 4 } else { 6 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => Value::from(rng.one_of(&[0i64, -1, 7, i64::MAX, i64::MIN])),
        3 => Value::String(rng.one_of(&["", "p1", "cast_ballot", "yes"]).to_owned()),
        4 => Value::Array((0..rng.roll(4)).map(|_| noise(rng, depth - 1)).collect()),
        _ => {
            let mut object = Map::new();
            for _ in 0..rng.roll(5) {
                let key = rng.one_of(&["type", "poll", "ballot", "answers", "round", "member"]);
                object.insert(key.to_owned(), noise(rng, depth - 1));
            }
            if rng.chance(70) {
                let tags = [
                    "cast_ballot",
                    "open_poll",
                    "tick",
                    "check_in",
                    "grant_proxy",
                ];
                object.insert("type".into(), Value::from(rng.one_of(&tags)));
            }
            Value::Object(object)
        }
    }
}
