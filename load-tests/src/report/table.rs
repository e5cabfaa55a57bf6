//! The report's Markdown tables: which figures each scenario shows, and how they are
//! written (thousands separators, KiB/MiB, milliseconds).

use serde_json::Value;

/// Latency metrics in the order the tables and plots show them; others follow by name.
pub(crate) const LATENCY_METRICS: [&str; 4] = ["ack", "tally_visible", "delivery", "resync"];

/// Shown where a result lacks a column's figure.
const MISSING: &str = "–";

const KIB: f64 = 1024.0;
const MIB: f64 = 1024.0 * 1024.0;

/// How a cell's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `10,000`.
    Integer,
    /// `1,234.57`.
    Float,
    /// `7.4 KiB`, `83.6 MiB`.
    Bytes,
    /// Milliseconds, `12.3`.
    Millis,
    /// The first 8 characters of a commit hash.
    Commit,
}

/// One column: its header, where its figure is in a result, and how it is written.
#[derive(Debug, Clone)]
struct Column {
    label: String,
    pointer: String,
    format: Format,
}

impl Column {
    fn new(label: impl Into<String>, pointer: impl Into<String>, format: Format) -> Column {
        Column {
            label: label.into(),
            pointer: pointer.into(),
            format,
        }
    }
}

/// The columns a scenario's table may have; `idle` has its own, every other scenario
/// (including unknown ones) the throughput and latency figures.
fn columns(scenario: &str) -> Vec<Column> {
    use Format::{Bytes, Commit, Float, Integer, Millis};
    if scenario == "idle" {
        return vec![
            Column::new("connections", "/connected", Integer),
            Column::new("subscribed", "/subscribed", Integer),
            Column::new("failed", "/failed", Integer),
            Column::new("B/conn (RSS)", "/bytes_per_connection", Integer),
            Column::new("KiB/conn", "/kib_per_connection", Float),
            Column::new("B/conn (anon)", "/anon_bytes_per_connection", Integer),
            Column::new("peak RSS", "/rss_peak_bytes", Bytes),
            Column::new("idle CPU s", "/server_cpu_seconds_idle", Float),
        ];
    }
    let mut columns = vec![
        Column::new("devices", "/devices", Integer),
        Column::new("meetings", "/meetings", Integer),
        Column::new("nodes", "/nodes", Integer),
        Column::new("ballots sent", "/ballots_sent", Integer),
        Column::new("acked", "/acked", Integer),
        Column::new("counted", "/counted", Integer),
        Column::new("ballots/s", "/ballots_per_second", Float),
    ];
    for metric in LATENCY_METRICS {
        for statistic in ["p50", "p99", "max"] {
            columns.push(Column::new(
                format!("{metric} {statistic}"),
                format!("/latency_ms/{metric}/{statistic}"),
                Millis,
            ));
        }
    }
    columns.extend([
        Column::new("frames", "/frames_delivered", Integer),
        Column::new("frames/s", "/frames_per_second", Float),
        Column::new("CPU µs/frame", "/server_cpu_us_per_frame", Float),
        Column::new("missed", "/missed_updates", Integer),
        Column::new("dup", "/duplicate_updates", Integer),
        Column::new("resync s", "/resync_seconds", Float),
        Column::new("hub CPU s", "/server/cpu_seconds", Float),
        Column::new("peak RSS", "/server/peak_rss_bytes", Bytes),
        Column::new("commit", "/git_commit", Commit),
    ]);
    columns
}

/// A Markdown table of `rows` (`(file stem, result)`) of `scenario`: one row per result,
/// and only the columns that at least one result has.
pub(crate) fn table(scenario: &str, rows: &[(&str, &Value)]) -> String {
    let present: Vec<(Column, Vec<Option<String>>)> = columns(scenario)
        .into_iter()
        .filter_map(|column| {
            let cells: Vec<Option<String>> = rows
                .iter()
                .map(|(_, result)| {
                    result
                        .pointer(&column.pointer)
                        .and_then(|value| cell(value, column.format))
                })
                .collect();
            cells.iter().any(Option::is_some).then_some((column, cells))
        })
        .collect();

    let mut out = String::from("| result |");
    for (column, _) in &present {
        out.push(' ');
        out.push_str(&column.label);
        out.push_str(" |");
    }
    out.push_str("\n|---|");
    for (column, _) in &present {
        // Numbers right-aligned so that their digits line up.
        out.push_str(if column.format == Format::Commit {
            "---|"
        } else {
            "---:|"
        });
    }
    out.push('\n');
    for (index, (stem, _)) in rows.iter().enumerate() {
        out.push_str("| ");
        out.push_str(&escape_cell(stem));
        out.push_str(" |");
        for (_, cells) in &present {
            let text = cells.get(index).cloned().flatten();
            out.push(' ');
            out.push_str(&text.map_or_else(|| MISSING.to_owned(), |text| escape_cell(&text)));
            out.push_str(" |");
        }
        out.push('\n');
    }
    out
}

/// A value written as `format`, or `None` if it is null or of another type.
fn cell(value: &Value, format: Format) -> Option<String> {
    match format {
        Format::Integer => integer(value),
        Format::Float => value
            .as_f64()
            .map(|number| grouped(&format!("{number:.2}"))),
        Format::Bytes => value.as_f64().map(bytes),
        Format::Millis => value
            .as_f64()
            .map(|number| grouped(&format!("{number:.1}"))),
        Format::Commit => value.as_str().map(|hash| hash.chars().take(8).collect()),
    }
}

/// An integer, or a float rounded to one, with thousands separators.
fn integer(value: &Value) -> Option<String> {
    if let Some(number) = value.as_u64() {
        Some(grouped(&number.to_string()))
    } else if let Some(number) = value.as_i64() {
        Some(grouped(&number.to_string()))
    } else {
        value
            .as_f64()
            .map(|number| grouped(&format!("{number:.0}")))
    }
}

/// Bytes as KiB below a MiB, MiB from there, one decimal.
fn bytes(count: f64) -> String {
    if count.abs() >= MIB {
        format!("{} MiB", grouped(&format!("{:.1}", count / MIB)))
    } else {
        format!("{} KiB", grouped(&format!("{:.1}", count / KIB)))
    }
}

/// A formatted decimal number (`-12345.67`) with commas between its integer part's
/// groups of three digits (`-12,345.67`).
pub(crate) fn grouped(number: &str) -> String {
    let (sign, unsigned) = match number.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", number),
    };
    let (whole, fraction) = unsigned.split_at(unsigned.find('.').unwrap_or(unsigned.len()));
    let digits = whole.chars().count();
    let mut out = String::from(sign);
    for (position, digit) in whole.chars().enumerate() {
        if position > 0 && (digits - position) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out.push_str(fraction);
    out
}

/// Text that cannot break a table row or be read as HTML: `\\ | < > &` escaped with a
/// backslash (CommonMark), line breaks as spaces.
pub(crate) fn escape_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' | '|' | '<' | '>' | '&' => {
                out.push('\\');
                out.push(character);
            }
            '\n' | '\r' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_are_grouped_and_bytes_scaled() {
        assert_eq!(grouped("10000"), "10,000");
        assert_eq!(grouped("-1234567.891"), "-1,234,567.891");
        assert_eq!(grouped("999.5"), "999.5");
        assert_eq!(
            cell(&json!(10_000), Format::Integer).as_deref(),
            Some("10,000")
        );
        assert_eq!(
            cell(&json!(9999.6), Format::Integer).as_deref(),
            Some("10,000")
        );
        assert_eq!(
            cell(&json!(1_572_864), Format::Bytes).as_deref(),
            Some("1.5 MiB")
        );
        assert_eq!(
            cell(&json!(7_607), Format::Bytes).as_deref(),
            Some("7.4 KiB")
        );
        assert_eq!(
            cell(&json!(1234.5678), Format::Float).as_deref(),
            Some("1,234.57")
        );
        assert_eq!(
            cell(&json!(12.345), Format::Millis).as_deref(),
            Some("12.3")
        );
        assert_eq!(
            cell(&json!("dd981bda53db5585"), Format::Commit).as_deref(),
            Some("dd981bda")
        );
        assert_eq!(cell(&Value::Null, Format::Integer), None);
        assert_eq!(cell(&json!("x"), Format::Float), None);
    }

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(escape_cell("a|b<c>&d\\e\nf"), "a\\|b\\<c\\>\\&d\\\\e f");
    }

    #[test]
    fn the_table_keeps_only_present_columns() {
        let first = json!({"scenario": "assembly", "devices": 10_000, "acked": 9_999,
            "latency_ms": {"ack": {"p50": 1.24, "p99": 8.0, "max": 20.0}}});
        let second = json!({"scenario": "assembly", "devices": 500, "git_commit": null});
        let table = table("assembly", &[("a|1", &first), ("b", &second)]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines,
            [
                "| result | devices | acked | ack p50 | ack p99 | ack max |",
                "|---|---:|---:|---:|---:|---:|",
                "| a\\|1 | 10,000 | 9,999 | 1.2 | 8.0 | 20.0 |",
                "| b | 500 | – | – | – | – |",
            ]
        );
    }

    #[test]
    fn idle_has_its_own_columns() {
        let result = json!({"scenario": "idle", "connected": 10_000, "bytes_per_connection": 7_607,
            "rss_peak_bytes": 87_846_912, "git_commit": "dd981bda53db"});
        let table = table("idle", &[("idle-10000", &result)]);
        assert!(table.starts_with("| result | connections | B/conn (RSS) | peak RSS |\n"));
        assert!(
            table.contains("| idle-10000 | 10,000 | 7,607 | 83.8 MiB |"),
            "{table}"
        );
    }
}
