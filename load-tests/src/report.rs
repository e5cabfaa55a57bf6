//! `quorum-load report`: reads result files and writes `report.md`, one table per
//! scenario, with SVG plots of each latency distribution under `svg/`.

mod svg;
mod table;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde_json::Value;

use table::LATENCY_METRICS;

/// Scenarios in the order the report shows them; others follow by name.
const SCENARIO_ORDER: [&str; 6] = [
    "idle",
    "assembly",
    "province",
    "fanout",
    "cluster",
    "reconnect",
];

/// `quorum-load report`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ReportArgs {
    /// Result files, or directories of them (every *.json in it, by name).
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    inputs: Vec<PathBuf>,
    /// Where to write report.md and svg/ [default: the first input's directory, or the
    /// first input if it is a directory].
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

/// Reads the results, writes the plots and the report, and prints the report's path.
#[allow(
    clippy::print_stdout,
    reason = "the report's path is the command's output"
)]
pub(crate) fn run(args: ReportArgs) -> anyhow::Result<()> {
    let mut results = Vec::new();
    for path in result_files(&args.inputs)? {
        if let Some(result) = load(&path)? {
            results.push(result);
        }
    }
    anyhow::ensure!(!results.is_empty(), "no result files among the inputs");
    let out_dir = args
        .out_dir
        .unwrap_or_else(|| default_out_dir(&args.inputs));

    let plots: Vec<Plot> = sections(&results).iter().flat_map(plots).collect();
    if !plots.is_empty() {
        let svg_dir = out_dir.join("svg");
        std::fs::create_dir_all(&svg_dir)
            .with_context(|| format!("cannot create {}", svg_dir.display()))?;
        for plot in &plots {
            let path = svg_dir.join(&plot.file_name);
            std::fs::write(&path, svg::cdf_svg(&plot.title, &plot.curves))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let report = out_dir.join("report.md");
    std::fs::write(&report, markdown(&results))
        .with_context(|| format!("cannot write {}", report.display()))?;
    println!("{}", report.display());
    Ok(())
}

/// The files named, and every `*.json` of the directories named, each directory's by name.
fn result_files(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if !input.is_dir() {
            files.push(input.clone());
            continue;
        }
        let mut found = Vec::new();
        let entries =
            std::fs::read_dir(input).with_context(|| format!("cannot read {}", input.display()))?;
        for entry in entries {
            let path = entry
                .with_context(|| format!("cannot read {}", input.display()))?
                .path();
            if path.is_file()
                && path
                    .extension()
                    .is_some_and(|extension| extension == "json")
            {
                found.push(path);
            }
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// A result file as `(file stem, result)`, or `None` with a warning if it is not a
/// result (not a JSON object with a string `scenario`).
fn load(path: &Path) -> anyhow::Result<Option<(String, Value)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let result = match serde_json::from_str::<Value>(&text) {
        Ok(result) => result,
        Err(error) => {
            crate::warn(&format!("skipping {}: not JSON ({error})", path.display()));
            return Ok(None);
        }
    };
    if result.get("scenario").and_then(Value::as_str).is_none() {
        crate::warn(&format!(
            "skipping {}: not a result (no string \"scenario\")",
            path.display()
        ));
        return Ok(None);
    }
    let stem = path.file_stem().map_or_else(
        || path.display().to_string(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    Ok(Some((stem, result)))
}

/// The first input if it is a directory, else the directory it is in.
fn default_out_dir(inputs: &[PathBuf]) -> PathBuf {
    match inputs.first() {
        Some(first) if first.is_dir() => first.clone(),
        Some(first) => first
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        None => PathBuf::from("."),
    }
}

/// The results of one scenario, in the order they were read.
#[derive(Debug)]
struct Section<'a> {
    scenario: &'a str,
    rows: Vec<(&'a str, &'a Value)>,
}

/// The results grouped by scenario, sections in [`SCENARIO_ORDER`] then by name.
fn sections(results: &[(String, Value)]) -> Vec<Section<'_>> {
    let mut sections: Vec<Section<'_>> = Vec::new();
    for (stem, result) in results {
        let Some(scenario) = result.get("scenario").and_then(Value::as_str) else {
            continue;
        };
        let row = (stem.as_str(), result);
        match sections
            .iter_mut()
            .find(|section| section.scenario == scenario)
        {
            Some(section) => section.rows.push(row),
            None => sections.push(Section {
                scenario,
                rows: vec![row],
            }),
        }
    }
    sections.sort_by_key(|section| {
        let rank = SCENARIO_ORDER
            .iter()
            .position(|known| *known == section.scenario)
            .unwrap_or(SCENARIO_ORDER.len());
        (rank, section.scenario)
    });
    sections
}

/// One latency plot of a scenario.
#[derive(Debug)]
struct Plot {
    /// `<scenario>-<metric>.svg`, with only file-name-safe characters.
    file_name: String,
    title: String,
    /// `(file stem, cumulative distribution)` of each result that has the metric.
    curves: Vec<(String, Vec<[f64; 2]>)>,
}

/// The plots of a section: one per latency metric that some result has, in
/// [`LATENCY_METRICS`] order then by name.
fn plots(section: &Section<'_>) -> Vec<Plot> {
    let others: BTreeSet<&str> = section
        .rows
        .iter()
        .filter_map(|(_, result)| result.get("latency_ms")?.as_object())
        .flat_map(|metrics| metrics.keys().map(String::as_str))
        .filter(|metric| !LATENCY_METRICS.contains(metric))
        .collect();
    LATENCY_METRICS
        .into_iter()
        .chain(others)
        .filter_map(|metric| {
            // Read from the JSON rather than as `latency::Summary`, so that a result
            // with a partial or older summary still gets its curve.
            let curves: Vec<(String, Vec<[f64; 2]>)> = section
                .rows
                .iter()
                .filter_map(|(stem, result)| {
                    let cdf = result.get("latency_ms")?.get(metric)?.get("cdf")?;
                    let points: Vec<[f64; 2]> =
                        cdf.as_array()?.iter().filter_map(cdf_point).collect();
                    (!points.is_empty()).then(|| ((*stem).to_owned(), points))
                })
                .collect();
            (!curves.is_empty()).then(|| Plot {
                file_name: format!("{}-{}.svg", file_safe(section.scenario), file_safe(metric)),
                title: format!("{}: {metric} latency (CDF)", section.scenario),
                curves,
            })
        })
        .collect()
}

/// `[ms, fraction]` from a JSON pair.
fn cdf_point(point: &Value) -> Option<[f64; 2]> {
    match point.as_array()?.as_slice() {
        [ms, fraction] => Some([ms.as_f64()?, fraction.as_f64()?]),
        _ => None,
    }
}

/// A name usable in a file name and a Markdown link as it is.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|character| {
            if character.is_ascii_alphanumeric() || matches!(character, '-' | '_') {
                character
            } else {
                '_'
            }
        })
        .collect()
}

/// The report: a title, then per scenario its table and its plots.
fn markdown(results: &[(String, Value)]) -> String {
    let sections = sections(results);
    let mut out = String::from("# Quorum load-test results\n\n");
    let _ = writeln!(
        out,
        "Result files: {}. Scenarios: {}. Columns that no result of a scenario has are \
         left out; – marks a figure a result lacks. Latencies are in ms.",
        results.len(),
        sections.len()
    );
    for section in &sections {
        let _ = write!(out, "\n## {}\n\n", table::escape_cell(section.scenario));
        out.push_str(&table::table(section.scenario, &section.rows));
        let plots = plots(section);
        for plot in plots {
            let alt = plot.title.replace(['[', ']', '\n', '\r'], " ");
            let _ = write!(out, "\n![{alt}](svg/{})\n", plot.file_name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a test that panics is a failed test")]

    use serde_json::json;

    use super::*;

    fn latency(p50: f64) -> Value {
        json!({"count": 3, "p50": p50, "p90": 2.0, "p99": 3.0, "p999": 3.0, "max": 3.0,
            "mean": 2.0, "cdf": [[0.5, 0.3], [p50, 0.5], [3.0, 1.0]]})
    }

    fn results() -> Vec<(String, Value)> {
        vec![
            (
                "z-custom".to_owned(),
                json!({"scenario": "zeta", "devices": 3}),
            ),
            (
                "f1".to_owned(),
                json!({"scenario": "fanout", "devices": 10,
                "latency_ms": {"delivery": latency(1.0), "extra": latency(2.0)}}),
            ),
            (
                "i1".to_owned(),
                json!({"scenario": "idle", "connected": 10_000}),
            ),
            (
                "a1".to_owned(),
                json!({"scenario": "assembly", "devices": 1_000,
                "latency_ms": {"ack": latency(1.5)}}),
            ),
            (
                "f2".to_owned(),
                json!({"scenario": "fanout", "devices": 20,
                "latency_ms": {"delivery": latency(2.5)}}),
            ),
            ("b1".to_owned(), json!({"scenario": "beta"})),
        ]
    }

    #[test]
    fn sections_follow_the_scenario_order() {
        let results = results();
        let sections = sections(&results);
        let names: Vec<&str> = sections.iter().map(|section| section.scenario).collect();
        assert_eq!(names, ["idle", "assembly", "fanout", "beta", "zeta"]);
        let fanout: Vec<&str> = sections[2].rows.iter().map(|(stem, _)| *stem).collect();
        assert_eq!(fanout, ["f1", "f2"]);
    }

    #[test]
    fn plots_are_one_per_metric_with_a_curve_per_result() {
        let results = results();
        let sections = sections(&results);
        let plots = plots(&sections[2]);
        let names: Vec<&str> = plots.iter().map(|plot| plot.file_name.as_str()).collect();
        assert_eq!(names, ["fanout-delivery.svg", "fanout-extra.svg"]);
        assert_eq!(plots[0].title, "fanout: delivery latency (CDF)");
        assert_eq!(plots[0].curves.len(), 2);
        assert_eq!(plots[1].curves.len(), 1);
        assert_eq!(plots[0].curves[1].1, [[0.5, 0.3], [2.5, 0.5], [3.0, 1.0]]);
        assert_eq!(file_safe("a/b c"), "a_b_c");
    }

    #[test]
    fn markdown_has_tables_and_plot_links_in_order() {
        let report = markdown(&results());
        assert!(report.starts_with("# Quorum load-test results\n"));
        let at = |heading: &str| report.find(heading).unwrap();
        assert!(at("## idle") < at("## assembly"));
        assert!(at("## assembly") < at("## fanout"));
        assert!(at("## fanout") < at("## beta"));
        assert!(at("## beta") < at("## zeta"));
        assert!(report.contains("| i1 | 10,000 |"));
        assert!(report.contains("| result | devices | delivery p50 |"));
        assert!(report.contains("| f1 | 10 | 1.0 |"));
        assert!(report.contains("![fanout: delivery latency (CDF)](svg/fanout-delivery.svg)"));
        assert!(report.contains("![assembly: ack latency (CDF)](svg/assembly-ack.svg)"));
        // A scenario whose results have no columns still gets its section.
        assert!(report.contains("## beta\n\n| result |\n|---|\n| b1 |\n"));
    }

    #[test]
    fn run_writes_the_report_and_the_plots() {
        let dir = tempfile::tempdir().unwrap();
        let results = dir.path().join("results");
        std::fs::create_dir(&results).unwrap();
        for (name, p50) in [("assembly-1", 1.5), ("assembly-2", 4.0)] {
            let result = json!({"scenario": "assembly", "devices": 1_000,
                "git_commit": "0123456789abcdef", "latency_ms": {"ack": latency(p50)}});
            std::fs::write(results.join(format!("{name}.json")), result.to_string()).unwrap();
        }
        // Neither is a result: both are skipped with a warning.
        std::fs::write(results.join("notes.json"), "[1, 2]").unwrap();
        std::fs::write(results.join("broken.json"), "{").unwrap();
        std::fs::write(results.join("assembly-1.md"), "not read").unwrap();

        run(ReportArgs {
            inputs: vec![results.clone()],
            out_dir: None,
        })
        .unwrap();
        let report = std::fs::read_to_string(results.join("report.md")).unwrap();
        assert!(report.contains("| assembly-1 | 1,000 | 1.5 |"), "{report}");
        assert!(report.contains("| assembly-2 | 1,000 | 4.0 |"), "{report}");
        assert!(report.contains("| 01234567 |"), "{report}");
        assert!(!report.contains("notes"));
        let svg = std::fs::read_to_string(results.join("svg/assembly-ack.svg")).unwrap();
        assert_eq!(svg.matches("<path ").count(), 2);
        assert!(svg.contains(">assembly-2</text>"));

        // Files named one by one, written elsewhere.
        let out = dir.path().join("out");
        run(ReportArgs {
            inputs: vec![results.join("assembly-2.json")],
            out_dir: Some(out.clone()),
        })
        .unwrap();
        assert!(out.join("report.md").is_file());
        assert!(out.join("svg/assembly-ack.svg").is_file());

        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let args = ReportArgs {
            inputs: vec![empty],
            out_dir: None,
        };
        assert!(run(args).is_err());
    }
}
