//! Arbitrary commands: decoded from the schema walk or from noise, sent by a random
//! actor at a random time, possibly in the past.

use proptest::prelude::*;
use quorum_domain::{Actor, MeetingCommand};

use super::dice::SplitMix;
use super::instances::{Instances, noise};
use super::who::Who;

/// One arbitrary command: who sends it (see [`arbitrary_actor`]), when, and what it is
/// decoded from.
#[derive(Debug, Clone)]
pub(crate) struct Arbitrary {
    pub(crate) actor: u8,
    pub(crate) when: When,
    pub(crate) source: Source,
}

/// Mostly a little after the previous command, and mostly from the schema walk.
pub(crate) fn arbitrary_step() -> impl Strategy<Value = Arbitrary> {
    let when = prop_oneof![
        9 => (0i64..120_000).prop_map(When::Later),
        1 => prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX), Just(0i64)]
            .prop_map(When::At),
    ];
    let source = prop_oneof![
        9 => any::<u64>().prop_map(Source::Schema),
        1 => any::<u64>().prop_map(Source::Noise),
    ];
    (any::<u8>(), when, source).prop_map(|(actor, when, source)| Arbitrary {
        actor,
        when,
        source,
    })
}

/// When an arbitrary command is sent.
#[derive(Debug, Clone)]
pub(crate) enum When {
    /// Some milliseconds after the previous command.
    Later(i64),
    /// Any instant at all, even in the past.
    At(i64),
}

/// What an arbitrary command is decoded from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A walk of the command schema with this seed.
    Schema(u64),
    /// Unstructured JSON with this seed.
    Noise(u64),
}

/// The command `source` decodes to, if any; a decoded command must survive its JSON
/// form.
pub(crate) fn decode(source: &Source, clock: i64) -> Option<MeetingCommand> {
    let value = match *source {
        Source::Schema(seed) => Instances::new(clock, seed).command(),
        Source::Noise(seed) => noise(&mut SplitMix::new(seed), 3),
    };
    let command: MeetingCommand = serde_json::from_value(value).ok()?;
    let again: MeetingCommand =
        serde_json::from_value(serde_json::to_value(&command).unwrap()).unwrap();
    assert_eq!(again, command, "a command does not survive its JSON form");
    Some(command)
}

/// Anyone, the chair most often.
pub(crate) fn arbitrary_actor(pick: u8) -> Actor {
    let who = match pick % 20 {
        0..=4 => Who::Chair,
        5 | 6 => Who::Secretary,
        n @ 7..=14 => Who::Delegate(usize::from(n - 7)),
        15 => Who::Guest,
        16 => Who::Admin,
        17 => Who::Hub,
        18 => Who::Outsider,
        _ => Who::Late,
    };
    who.actor()
}
