//! The conformance suite every [`EventLog`] backend must pass, whatever it stores in.
//! Each property writes only streams under the prefix it is given, so the suite can run
//! against a shared database, and reports a failure as a [`ConformanceError`].

mod check;
mod concurrency;

use std::sync::Arc;

pub use concurrency::{
    concurrent_appends_to_many_streams, concurrent_appends_to_one_stream,
    conflicts_do_not_hold_back_others,
};

use self::check::{Check, append, numbered, record};
use crate::{Append, EventLog, Record, StoreError};

/// A property the backend does not keep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{property}: {message}")]
pub struct ConformanceError {
    /// The property, named after its function.
    pub property: &'static str,
    /// What went wrong.
    pub message: String,
}

/// Runs every property in turn, under streams named `PREFIX/…`; stops at the first
/// failure. Use a prefix no earlier run has used (such as one with a random suffix)
/// when the database is shared.
///
/// # Errors
///
/// The first property that does not hold.
pub async fn run_all(log: &Arc<dyn EventLog>, prefix: &str) -> Result<(), ConformanceError> {
    append_then_read_in_order(log, prefix).await?;
    heads(log, prefix).await?;
    conflict_writes_nothing(log, prefix).await?;
    invalid_appends_are_refused(log, prefix).await?;
    empty_append_writes_nothing(log, prefix).await?;
    read_after_and_limit(log, prefix).await?;
    streams_by_prefix(log, prefix).await?;
    unicode_round_trips(log, prefix).await?;
    large_bodies_round_trip(log, prefix).await?;
    concurrent_appends_to_one_stream(log, prefix).await?;
    concurrent_appends_to_many_streams(log, prefix).await?;
    conflicts_do_not_hold_back_others(log, prefix).await?;
    Ok(())
}

/// Records appended in two appends read back in order, every field exact (including
/// negative and extreme timestamps).
///
/// # Errors
///
/// When the property does not hold.
pub async fn append_then_read_in_order(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("append_then_read_in_order");
    let stream = format!("{prefix}/order");
    let mut all = vec![
        record(1, 0, r#"{"n":1}"#),
        record(2, -1, r#"{"n":2}"#),
        record(3, i64::MAX, r#"{"n":3}"#),
    ];
    check.ok(
        "append 1..=3",
        log.append(append(&stream, 0, all.clone())).await,
    )?;
    let more = vec![
        record(4, i64::MIN, r#"{"n":4}"#),
        record(5, 1_790_000_000_000, "[]"),
    ];
    check.ok(
        "append 4..=5",
        log.append(append(&stream, 3, more.clone())).await,
    )?;
    all.extend(more);
    let read = check.ok("read", log.read(&stream, 0, usize::MAX).await)?;
    check.equal("the records read back", &read, &all)
}

/// A stream's head is 0 until it has records, then its last sequence number; streams
/// do not share heads.
///
/// # Errors
///
/// When the property does not hold.
pub async fn heads(log: &Arc<dyn EventLog>, prefix: &str) -> Result<(), ConformanceError> {
    let check = Check("heads");
    let stream = format!("{prefix}/heads/one");
    let other = format!("{prefix}/heads/other");
    check.equal(
        "a new stream's head",
        &check.ok("head", log.head(&stream).await)?,
        &0,
    )?;
    check.ok(
        "append",
        log.append(append(&stream, 0, numbered(1, 3))).await,
    )?;
    check.equal(
        "the head after 3",
        &check.ok("head", log.head(&stream).await)?,
        &3,
    )?;
    check.ok(
        "append",
        log.append(append(&stream, 3, numbered(4, 2))).await,
    )?;
    check.equal(
        "the head after 5",
        &check.ok("head", log.head(&stream).await)?,
        &5,
    )?;
    check.equal(
        "another stream's head",
        &check.ok("head", log.head(&other).await)?,
        &0,
    )
}

/// An append after the wrong head fails with `Conflict` naming the real head, and
/// writes nothing.
///
/// # Errors
///
/// When the property does not hold.
pub async fn conflict_writes_nothing(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("conflict_writes_nothing");
    let stream = format!("{prefix}/conflict");
    let written = numbered(1, 2);
    check.ok(
        "append",
        log.append(append(&stream, 0, written.clone())).await,
    )?;
    for after in [0, 1, 3, 10] {
        let result = log
            .append(append(&stream, after, numbered(after + 1, 2)))
            .await;
        check.conflict(result, &stream, after, 2)?;
    }
    let fresh = format!("{prefix}/conflict-fresh");
    let result = log.append(append(&fresh, 4, numbered(5, 1))).await;
    check.conflict(result, &fresh, 4, 0)?;
    let read = check.ok("read", log.read(&stream, 0, usize::MAX).await)?;
    check.equal("the records after the conflicts", &read, &written)?;
    let read = check.ok("read", log.read(&fresh, 0, usize::MAX).await)?;
    check.equal("the fresh stream after its conflict", &read, &Vec::new())
}

/// Appends whose records are not numbered `after + 1, after + 2, …`, or whose stream
/// name or body no backend can store, fail with `Invalid` and write nothing. The
/// numbering is checked before the head.
///
/// # Errors
///
/// When the property does not hold.
pub async fn invalid_appends_are_refused(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("invalid_appends_are_refused");
    let stream = format!("{prefix}/invalid");
    let renumbered = |seqs: &[u64]| seqs.iter().map(|&seq| record(seq, 0, "{}")).collect();
    let cases: Vec<(&str, Append)> = vec![
        (
            "a first record numbered 2",
            append(&stream, 0, renumbered(&[2])),
        ),
        ("a gap", append(&stream, 0, renumbered(&[1, 3]))),
        ("a duplicate", append(&stream, 0, renumbered(&[1, 1]))),
        ("a record numbered 0", append(&stream, 0, renumbered(&[0]))),
        (
            "descending numbers",
            append(&stream, 0, renumbered(&[2, 1])),
        ),
        ("an empty stream name", append("", 0, numbered(1, 1))),
        (
            "a control character in the name",
            append(&format!("{stream}\n"), 0, numbered(1, 1)),
        ),
        (
            "a NUL in a body",
            append(&stream, 0, vec![record(1, 0, "\"a\0b\"")]),
        ),
        (
            "a seq past i64::MAX",
            append(&stream, Append::MAX_SEQ, numbered(Append::MAX_SEQ + 1, 1)),
        ),
    ];
    for (what, bad) in cases {
        match log.append(bad).await {
            Err(StoreError::Invalid(_)) => {}
            other => return Err(check.fail(format!("{what}: expected Invalid, got {other:?}"))),
        }
    }
    check.equal("the head", &check.ok("head", log.head(&stream).await)?, &0)?;
    check.ok(
        "append",
        log.append(append(&stream, 0, numbered(1, 2))).await,
    )?;
    let wrong_numbers_wrong_head = append(&stream, 5, renumbered(&[7]));
    match log.append(wrong_numbers_wrong_head).await {
        Err(StoreError::Invalid(_)) => {}
        other => {
            return Err(check.fail(format!(
                "bad numbers after a wrong head: expected Invalid, got {other:?}"
            )));
        }
    }
    check.equal("the head", &check.ok("head", log.head(&stream).await)?, &2)
}

/// An append of no records succeeds and writes nothing: no record, no stream.
///
/// # Errors
///
/// When the property does not hold.
pub async fn empty_append_writes_nothing(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("empty_append_writes_nothing");
    let fresh = format!("{prefix}/empty/fresh");
    let used = format!("{prefix}/empty/used");
    check.ok(
        "an empty append to a new stream",
        log.append(append(&fresh, 0, Vec::new())).await,
    )?;
    check.ok("append", log.append(append(&used, 0, numbered(1, 2))).await)?;
    check.ok(
        "an empty append at the head",
        log.append(append(&used, 2, Vec::new())).await,
    )?;
    check.equal(
        "the new stream's head",
        &check.ok("head", log.head(&fresh).await)?,
        &0,
    )?;
    check.equal(
        "the used stream's head",
        &check.ok("head", log.head(&used).await)?,
        &2,
    )?;
    let listed = check.ok("streams", log.streams(&format!("{prefix}/empty/")).await)?;
    check.equal("the streams", &listed, &vec![used])
}

/// `read` returns the records after `after`, at most `limit` of them; nothing past the
/// head, for a limit of 0, or for an unknown stream.
///
/// # Errors
///
/// When the property does not hold.
pub async fn read_after_and_limit(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("read_after_and_limit");
    let stream = format!("{prefix}/window");
    let all = numbered(1, 10);
    check.ok("append", log.append(append(&stream, 0, all.clone())).await)?;
    let cases: [(u64, usize, &[Record]); 7] = [
        (0, usize::MAX, &all),
        (3, 4, all.get(3..7).unwrap_or_default()),
        (8, 100, all.get(8..).unwrap_or_default()),
        (0, 1, all.get(..1).unwrap_or_default()),
        (10, 5, &[]),
        (42, 5, &[]),
        (0, 0, &[]),
    ];
    for (after, limit, want) in cases {
        let read = check.ok("read", log.read(&stream, after, limit).await)?;
        check.equal(
            &format!("read after {after} limit {limit}"),
            &read.as_slice(),
            &want,
        )?;
    }
    let unknown = format!("{prefix}/window-unknown");
    let read = check.ok("read", log.read(&unknown, 0, 10).await)?;
    check.equal("an unknown stream", &read, &Vec::new())
}

/// `streams(prefix)` lists each stream that starts with the prefix once, sorted by
/// bytes (as Rust sorts `str`; PostgreSQL needs `COLLATE "C"`).
///
/// # Errors
///
/// When the property does not hold.
pub async fn streams_by_prefix(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("streams_by_prefix");
    let base = format!("{prefix}/streams");
    let names = [
        format!("{base}/c"),
        format!("{base}/b/2"),
        format!("{base}/a"),
        format!("{base}/b/1"),
        format!("{base}/biểu-quyết"),
        format!("{base}/Z"),
        format!("{base}-other"),
    ];
    for name in &names {
        check.ok("append", log.append(append(name, 0, numbered(1, 3))).await)?;
    }
    for query in [
        format!("{base}/"),
        format!("{base}/b"),
        format!("{base}/b/"),
        format!("{base}/bi"),
        format!("{base}/zzz"),
        base.clone(),
    ] {
        let mut want: Vec<String> = names
            .iter()
            .filter(|name| name.starts_with(&query))
            .cloned()
            .collect();
        want.sort();
        let listed = check.ok("streams", log.streams(&query).await)?;
        check.equal(&format!("streams({query:?})"), &listed, &want)?;
    }
    Ok(())
}

/// Unicode in stream names and bodies comes back byte for byte: Vietnamese in both
/// composed and decomposed forms, emoji, escapes, line breaks.
///
/// # Errors
///
/// When the property does not hold.
pub async fn unicode_round_trips(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("unicode_round_trips");
    let stream = format!("{prefix}/hội-nghị/biểu-quyết");
    let bodies = [
        r#"{"title":"Biểu quyết thông qua"}"#,
        // The same words with the tone marks as combining characters: a backend must
        // not normalise them.
        "{\"title\":\"Bie\u{302}\u{309}u quye\u{302}\u{301}t tho\u{302}ng qua\"}",
        r#"{"emoji":"🗳️✅","rtl":"تصويت","escaped":"\u0000\"\\"}"#,
        "{\"lines\":\"một\nhai\r\nba\tbốn\"}",
    ];
    let records: Vec<Record> = (1..)
        .zip(bodies)
        .map(|(seq, body)| record(seq, 0, body))
        .collect();
    check.ok(
        "append",
        log.append(append(&stream, 0, records.clone())).await,
    )?;
    let read = check.ok("read", log.read(&stream, 0, usize::MAX).await)?;
    check.equal("the records read back", &read, &records)?;
    let listed = check.ok("streams", log.streams(&format!("{prefix}/hội-nghị/")).await)?;
    check.equal("the stream's name", &listed, &vec![stream])
}

/// Bodies of 200 KiB, one at a time and several in one append, come back exactly.
///
/// # Errors
///
/// When the property does not hold.
pub async fn large_bodies_round_trip(
    log: &Arc<dyn EventLog>,
    prefix: &str,
) -> Result<(), ConformanceError> {
    let check = Check("large_bodies_round_trip");
    let stream = format!("{prefix}/large");
    let large = |tag: u64| {
        let mut text = String::from("{\"text\":\"");
        while text.len() < 200 * 1024 {
            text.push_str(&format!("Biểu quyết thông qua {tag}. "));
        }
        text.push_str("\"}");
        text
    };
    let one = vec![record(1, 0, &large(1))];
    check.ok(
        "append one",
        log.append(append(&stream, 0, one.clone())).await,
    )?;
    let three: Vec<Record> = (2..5).map(|seq| record(seq, 0, &large(seq))).collect();
    check.ok(
        "append three",
        log.append(append(&stream, 1, three.clone())).await,
    )?;
    let read = check.ok("read", log.read(&stream, 0, usize::MAX).await)?;
    let want: Vec<Record> = one.into_iter().chain(three).collect();
    if read != want {
        let sizes = |records: &[Record]| records.iter().map(|r| r.body.len()).collect::<Vec<_>>();
        return Err(check.fail(format!(
            "read back {} records of sizes {:?}, wrote sizes {:?}",
            read.len(),
            sizes(&read),
            sizes(&want)
        )));
    }
    Ok(())
}
