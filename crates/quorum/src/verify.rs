//! `quorum verify`: recomputes a meeting's hash chain and every tally from the events
//! stored in a data directory, and says exactly where anything differs. It reads the log
//! directly rather than loading the hub, so that a damaged meeting can still be examined.

use anyhow::Context as _;
use clap::Args;
use quorum_domain::MeetingId;
use quorum_gateway::audit::verify::{Report, verify};
use quorum_gateway::audit::{ChainHash, ChainHead};
use quorum_store::{SqliteLog, SqliteOptions};

use crate::ConfigArgs;
use crate::settings;

/// `quorum verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// The meeting.
    #[arg(long)]
    meeting: String,
    /// A head published earlier, as SEQ:HASH (the minutes print it; the projector shows
    /// it when a poll closes): the log must hold exactly that event. May be repeated.
    #[arg(long = "head", value_name = "SEQ:HASH", value_parser = parse_head)]
    heads: Vec<ChainHead>,
    /// Prints the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Verifies a meeting; fails (exit status 1) if anything differs.
pub(crate) async fn run(args: VerifyArgs) -> anyhow::Result<()> {
    let config = settings::load(&args.config, &[])?;
    let meeting = MeetingId::new(&args.meeting)
        .map_err(|error| anyhow::anyhow!("bad meeting id {:?}: {error}", args.meeting))?;
    let path = config.data.join("quorum.db");
    if !path.exists() {
        anyhow::bail!("there is no event log at {}", path.display());
    }
    let _lock = crate::serve::lock(&config.data)?;
    let log = SqliteLog::open(&path, SqliteOptions::default())
        .with_context(|| format!("cannot open {}", path.display()))?;
    let report = verify(&log, &meeting, &args.heads).await;
    if let Err(error) = log.close().await {
        tracing::warn!(%error, "the event log did not close cleanly");
    }
    let report = report.with_context(|| format!("cannot verify {meeting}"))?;
    print(&if args.json {
        serde_json::to_string_pretty(&report)?
    } else {
        describe(&report)
    });
    if report.is_clean() {
        Ok(())
    } else {
        anyhow::bail!(
            "the record of {meeting} differs in {} place(s)",
            report.findings.len()
        )
    }
}

/// The report for a person.
fn describe(report: &Report) -> String {
    let results = if report.polls_recounted == 1 {
        "result"
    } else {
        "results"
    };
    let mut text = format!(
        "meeting {}: {} events, {} poll {results} recounted, head {}:{}\n",
        report.meeting, report.events, report.polls_recounted, report.head.seq, report.head.hash
    );
    if report.is_clean() {
        text.push_str("the record is intact: the hash chain holds and every tally recounts\n");
    }
    for finding in &report.findings {
        text.push_str(&format!(
            "event {}: {}: {}\n",
            finding.seq,
            serde_json::to_value(finding.kind)
                .ok()
                .and_then(|kind| kind.as_str().map(str::to_owned))
                .unwrap_or_default(),
            finding.detail
        ));
    }
    text
}

fn parse_head(text: &str) -> Result<ChainHead, String> {
    let (seq, hash) = text
        .split_once(':')
        .ok_or_else(|| format!("{text:?} is not SEQ:HASH"))?;
    let seq = seq
        .trim()
        .parse()
        .map_err(|_| format!("{seq:?} is not an event number"))?;
    let hash: ChainHash = hash.trim().parse().map_err(|error| format!("{error}"))?;
    Ok(ChainHead { seq, hash })
}

#[allow(clippy::print_stdout, reason = "the command line prints its result")]
fn print(text: &str) {
    print!("{text}");
}
