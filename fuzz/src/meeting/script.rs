//! The input of the meeting target: one step a line, `ACTOR +MILLIS COMMAND`, where
//! ACTOR is `admin`, `hub` (the hub's clock), `unit:ID` or a member id, MILLIS is how
//! far the clock moves forward first, and COMMAND is a `MeetingCommand` as JSON, as it
//! appears in a `command` message on the wire. A line that is not a step is skipped.

use quorum_domain::{Actor, MeetingCommand, MemberId, UnitId};

/// One line of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Who sends the command.
    pub actor: Actor,
    /// Milliseconds the clock moves forward before it.
    pub advance: u64,
    /// What is asked.
    pub command: MeetingCommand,
}

impl Step {
    /// The step as a script line.
    pub fn line(&self) -> String {
        let actor = match &self.actor {
            Actor::Admin => "admin".to_owned(),
            Actor::System => "hub".to_owned(),
            Actor::Unit { unit } => format!("unit:{unit}"),
            Actor::Member { member } => member.to_string(),
        };
        let command = serde_json::to_string(&self.command).expect("a command serializes");
        format!("{actor} +{} {command}", self.advance)
    }
}

/// Reads one line; `None` if it is not a step.
pub fn parse_line(line: &str) -> Option<Step> {
    let (actor, rest) = line.split_once(' ')?;
    let (advance, command) = rest.split_once(' ')?;
    let actor = match actor {
        "admin" => Actor::Admin,
        "hub" => Actor::System,
        _ => match actor.strip_prefix("unit:") {
            Some(unit) => Actor::Unit {
                unit: UnitId::new(unit).ok()?,
            },
            None => Actor::Member {
                member: MemberId::new(actor).ok()?,
            },
        },
    };
    Some(Step {
        actor,
        advance: advance.strip_prefix('+')?.parse().ok()?,
        command: serde_json::from_str(command).ok()?,
    })
}
