//! Writes the fuzz targets' seeds to `fuzz/seeds/<target>/` (real messages and real
//! command sequences, each checked by the target's own code as it is written: every
//! command of a meeting script must be accepted) and their dictionaries to
//! `fuzz/dicts/`. Run it after changing the protocol or the engine:
//! `cargo run --manifest-path fuzz/Cargo.toml --example seeds`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "a tool that stops on a bad seed and reports what it wrote"
)]

mod dictionary;
mod script;
mod sessions;
mod votes;

use std::path::{Path, PathBuf};

use quorum_fuzz::meeting;
use quorum_protocol::examples::{client_examples, server_examples};
use quorum_protocol::{encode_client, encode_server};

fn main() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = fuzz.join("seeds");
    protocol(&seeds.join("protocol_decode"));
    meetings(&seeds.join("meeting_commands"));
    tokens(&seeds.join("token_parse"));
    let dicts = fuzz.join("dicts");
    std::fs::create_dir_all(&dicts).unwrap();
    dictionary::write(
        &dicts.join("protocol_decode.dict"),
        &dictionary::protocol_words(),
    );
    dictionary::write(
        &dicts.join("meeting_commands.dict"),
        &dictionary::script_words(),
    );
}

/// Every example message of the protocol documentation, as a frame.
fn protocol(dir: &Path) {
    let mut frames = Vec::new();
    for example in client_examples() {
        let frame = encode_client(&example.message).unwrap();
        frames.push((format!("client-{}", example.name), frame));
    }
    for example in server_examples() {
        let frame = encode_server(&example.message).unwrap();
        frames.push((format!("server-{}", example.name), frame));
    }
    let dir = fresh(dir);
    for (name, frame) in frames {
        quorum_fuzz::protocol::check(&frame);
        write(&dir.join(format!("{name}.json")), &frame);
    }
}

/// Real meetings, one script for each part of a meeting's life.
fn meetings(dir: &Path) {
    let dir = fresh(dir);
    let scripts = [
        ("named-vote", votes::named_vote()),
        ("secret-election-revote", votes::secret_election()),
        ("proxy-and-deadline", votes::proxy_and_deadline()),
        ("roster-changes", votes::roster_changes()),
        ("speakers-list", sessions::speakers_list()),
        ("agenda-and-documents", sessions::agenda_and_documents()),
        (
            "conclusions-and-directives",
            sessions::conclusions_and_directives(),
        ),
        ("urgent-alert", sessions::urgent_alert()),
    ];
    for (name, script) in scripts {
        let outcome = meeting::run(&script);
        assert_eq!(
            (outcome.rejected, outcome.skipped),
            (0, 0),
            "seed {name}: every command must be accepted: {outcome:?}"
        );
        write(&dir.join(format!("{name}.txt")), &script);
    }
}

/// Well-formed tokens and codes, and the near misses a parser must refuse.
fn tokens(dir: &Path) {
    const BODY: &str = "q3Zp8vJx-0kT_4mWcR9yLbN2sHfA7eUgD5oK1iQwXzE";
    let tokens = [
        ("session", format!("qs_{BODY}")),
        ("code", format!("qc_{BODY}")),
        ("bearer-header", format!("Bearer qs_{BODY}")),
        ("short", format!("qs_{}", &BODY[..42])),
        ("long", format!("qs_{BODY}A")),
        ("padded", format!("qs_{}=", &BODY[..42])),
        ("standard-alphabet", format!("qc_{}+/", &BODY[..41])),
        ("other-prefix", format!("qd_{BODY}")),
        ("vietnamese", format!("qs_{}ệ", &BODY[..40])),
    ];
    let dir = fresh(dir);
    for (name, token) in tokens {
        quorum_fuzz::token::check(&token);
        write(&dir.join(format!("{name}.txt")), &token);
    }
}

/// `dir`, emptied of the seeds written last time.
fn fresh(dir: &Path) -> PathBuf {
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
    dir.to_path_buf()
}

fn write(path: &Path, contents: &str) {
    std::fs::write(path, contents).unwrap();
    eprintln!("wrote {}", path.display());
}
