//! The administrative subcommands through the real binary, on a data directory: create
//! a meeting, import its roster from CSV (refused whole when a row is bad), issue
//! invitation links whose codes sign people in, export the record, and stay out of a
//! data directory a running hub holds.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::path::Path;
use std::process::{Command, Output};

fn quorum(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorum"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    assert!(!output.status.success(), "should have failed");
    String::from_utf8(output.stderr.clone()).unwrap()
}

#[test]
fn a_meeting_is_prepared_invited_and_exported_from_the_command_line() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let created = stdout(&quorum(
        dir,
        &[
            "create-meeting",
            "--id",
            "hdnd-xa-12",
            "--title",
            "Kỳ họp thứ 12 HĐND xã",
            "--location",
            "Hội trường",
        ],
    ));
    assert!(created.contains("hdnd-xa-12"), "{created}");

    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "member,name,role\ndb-01,Nguyễn Văn An,đại biểu\ndb 02,Trần Thị Bình,boss\n",
    )
    .unwrap();
    let refused = stderr(&quorum(
        dir,
        &[
            "import-roster",
            "--meeting",
            "hdnd-xa-12",
            "--csv",
            bad.to_str().unwrap(),
        ],
    ));
    assert!(refused.contains("line 3, column member"), "{refused}");
    assert!(refused.contains("line 3, column role"), "{refused}");
    assert!(refused.contains("nothing was imported"), "{refused}");

    let good = dir.join("roster.csv");
    std::fs::write(
        &good,
        "member,name,position,role,voting_right\n\
         chu-toa,Đỗ Thị Hà,Chủ tịch,chủ tọa,có\n\
         db-01,Nguyễn Văn An,Đại biểu,đại biểu,có\n\
         db-02,Trần Thị Bình,Đại biểu,đại biểu,có\n",
    )
    .unwrap();
    let preview = stdout(&quorum(
        dir,
        &[
            "import-roster",
            "--meeting",
            "hdnd-xa-12",
            "--csv",
            good.to_str().unwrap(),
            "--dry-run",
        ],
    ));
    assert!(preview.contains("nothing imported"), "{preview}");
    let imported = stdout(&quorum(
        dir,
        &[
            "import-roster",
            "--meeting",
            "hdnd-xa-12",
            "--csv",
            good.to_str().unwrap(),
        ],
    ));
    assert!(imported.contains("imported 3 participants"), "{imported}");

    let qr = dir.join("qr");
    let links = stdout(&quorum(
        dir,
        &[
            "invite",
            "--meeting",
            "hdnd-xa-12",
            "--projector",
            "--qr-dir",
            qr.to_str().unwrap(),
        ],
    ));
    let lines: Vec<&str> = links.lines().collect();
    assert_eq!(
        lines.len(),
        4,
        "three participants and the projector: {links}"
    );
    assert!(
        lines.iter().all(|line| line.contains("/join#code=qc_")),
        "{links}"
    );
    assert!(qr.join("db-01.svg").exists() && qr.join("projector.svg").exists());
    let svg = std::fs::read_to_string(qr.join("db-01.svg")).unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{svg}");

    let out = dir.join("record.json");
    stdout(&quorum(
        dir,
        &[
            "export",
            "--meeting",
            "hdnd-xa-12",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(record["format"], "quorum.record.v1");
    assert_eq!(record["meeting"], "hdnd-xa-12");
    let events = record["events"].as_array().unwrap();
    assert_eq!(events[0]["event"]["type"], "meeting_created");
    assert_eq!(events[1]["event"]["type"], "participants_invited");
    assert_eq!(record["view"]["participants"].as_array().unwrap().len(), 3);

    let unknown = stderr(&quorum(dir, &["export", "--meeting", "nope"]));
    assert!(unknown.contains("nope"), "{unknown}");
}

#[test]
fn a_data_directory_in_use_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    std::fs::create_dir_all(dir).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("quorum.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let refused = stderr(&quorum(
        dir,
        &["create-meeting", "--id", "m1", "--title", "Họp"],
    ));
    assert!(refused.contains("another quorum process"), "{refused}");
}
