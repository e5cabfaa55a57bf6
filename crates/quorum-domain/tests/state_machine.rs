//! Property tests of the meeting engine as a state machine. Random command sequences
//! from every role — the chair, the secretary, delegates (some weighted, some in
//! groups), a guest, an administrator, the hub's clock and an outsider — run against a
//! real [`Meeting`](quorum_domain::Meeting), and after every step the test checks that:
//!
//! 1. each round counts one ballot per voter, never more voters than entitled seats,
//!    and its running tally equals a recount;
//! 2. no seat is counted twice;
//! 3. replaying the log from scratch gives the live state;
//! 4. a rejected command changes nothing;
//! 5. no projection, snapshot or change, shows a secret choice, a result before the
//!    poll's visibility allows it, a draft that never ran, or a document its viewer may
//!    not read (judged by oracles written here, independently of the engine's `view.rs`);
//! 6. nothing panics.
//!
//! A second property feeds arbitrary commands, built at random from the command's JSON
//! schema and decoded, from random actors at random times, with the same checks.
//!
//! Both run a fixed number of cases chosen to stay well under 30 seconds in a debug
//! build; set `PROPTEST_CASES` for a longer run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test that panics is a failed test"
)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, prop_state_machine};
use quorum_domain::Timestamp;

use state_machine::arbitrary::{Source, When, arbitrary_actor, arbitrary_step, decode};
use state_machine::harness::{Harness, MeetingTest};
use state_machine::instances::command_schema;
use state_machine::lively::{LIVELY_CLOCK, lively};
use state_machine::model::MeetingModel;
use state_machine::stats::Stats;

/// The parts of the test, one file each in `state_machine/`: the meeting a case starts
/// from (`who`, `setup`), the choices that build it (`dice`), the reference model and
/// the commands it generates (`model`, `command`), the harness that runs them and checks
/// invariants 1 to 4 (`harness`, `round`, `stats`), the oracles for invariant 5
/// (`visibility`, `view`, `change`), and the arbitrary commands (`instances`, `lively`,
/// `arbitrary`).
///
/// Modules declared at a crate root are looked for beside it, in `tests/`; declaring
/// them in this inline module is what puts them in the directory named after the test.
mod state_machine {
    pub(super) mod arbitrary;
    mod change;
    mod command;
    mod device;
    mod dice;
    pub(super) mod harness;
    pub(super) mod instances;
    pub(super) mod lively;
    pub(super) mod model;
    mod round;
    mod setup;
    pub(super) mod stats;
    mod view;
    mod visibility;
    mod who;
}

/// Cases of the state-machine property (each 1 to 60 commands).
const STATE_MACHINE_CASES: u32 = 1500;
/// Cases of the arbitrary-command property (each 1 to 40 commands).
const ARBITRARY_CASES: u32 = 1000;

/// Cases to run: `PROPTEST_CASES` if set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default)
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: cases(STATE_MACHINE_CASES),
        max_shrink_iters: 4096,
        ..Config::default()
    })]

    #[test]
    fn the_engine_keeps_its_invariants_under_random_commands(sequential 1..=60 => MeetingTest);
}

/// The generator must keep reaching the states worth checking: accepted named and
/// secret ballots, changed and resent ballots, proxies, deadlines, publications.
#[test]
fn generated_sequences_reach_the_interesting_states() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let strategy = MeetingModel::sequential_strategy(40..=60);
    let mut total = Stats::default();
    for _ in 0..40 {
        let (model, steps, _) = strategy.new_tree(&mut runner).unwrap().current();
        let mut harness = Harness::new(&model.setup);
        for step in &steps {
            harness.step(step);
            harness.check_invariants();
        }
        total.add(&harness.stats);
    }
    let accepted = total.commands - total.rejected;
    assert!(
        accepted * 3 >= total.commands,
        "too few commands accepted: {total:?}"
    );
    // About half of what the generator reaches today.
    for (what, count, least) in [
        ("named ballots", total.named_ballots, 70),
        ("secret ballots", total.secret_ballots, 60),
        ("changed ballots", total.changed, 20),
        ("resent ballots", total.resent, 15),
        ("ballots by proxy", total.by_proxy, 12),
        ("polls opened", total.polls_opened, 35),
        (
            "polls closed at their deadline",
            total.closed_at_deadline,
            5,
        ),
        ("polls published", total.published, 6),
        ("revotes", total.revotes, 6),
        ("documents attached", total.documents, 15),
        ("floor granted", total.floor_granted, 3),
        ("polls put on the projector", total.projector_polls, 5),
    ] {
        assert!(
            count >= least,
            "only {count} {what} in 40 sequences: {total:?}"
        );
    }
}

proptest! {
    #![proptest_config(Config {
        cases: cases(ARBITRARY_CASES),
        max_shrink_iters: 4096,
        ..Config::default()
    })]

    #[test]
    fn arbitrary_commands_never_panic_nor_break_the_invariants(
        steps in prop::collection::vec(arbitrary_step(), 1..40)
    ) {
        let mut harness = lively();
        harness.check_invariants();
        let mut clock = LIVELY_CLOCK;
        for step in &steps {
            let now = match step.when {
                When::Later(ms) => {
                    clock = clock.saturating_add(ms);
                    clock
                }
                When::At(at) => at,
            };
            let Some(command) = decode(&step.source, clock) else {
                continue;
            };
            let _outcome = harness.run(&arbitrary_actor(step.actor), Timestamp(now), &command);
            harness.check_invariants();
        }
    }
}

/// The schema walk must produce decodable commands of every kind, or the property
/// above would test little.
#[test]
fn the_schema_walk_builds_every_kind_of_command() {
    let mut decoded = 0;
    let mut kinds = BTreeSet::new();
    let tries = 4_000;
    for seed in 0..tries {
        if let Some(command) = decode(&Source::Schema(seed), LIVELY_CLOCK) {
            decoded += 1;
            let value = serde_json::to_value(&command).unwrap();
            kinds.insert(value["type"].as_str().unwrap().to_owned());
        }
    }
    let variants = command_schema()["oneOf"].as_array().unwrap().len();
    assert_eq!(kinds.len(), variants, "kinds decoded: {kinds:?}");
    assert!(
        decoded * 2 >= tries,
        "only {decoded} of {tries} walks decode"
    );
}
