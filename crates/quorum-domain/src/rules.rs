//! The meeting's rules as data: thresholds, the quorum rule, majority rules and what
//! counts as present. All arithmetic is exact integer arithmetic on weights.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::rejection::Rejection;

/// A fraction `numerator / denominator`, with `0 < numerator <= denominator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Ratio {
    /// The part.
    pub numerator: u32,
    /// The whole.
    pub denominator: u32,
}

impl Ratio {
    /// One half.
    pub const HALF: Ratio = Ratio::new(1, 2);
    /// Two thirds.
    pub const TWO_THIRDS: Ratio = Ratio::new(2, 3);
    /// Three quarters.
    pub const THREE_QUARTERS: Ratio = Ratio::new(3, 4);

    /// The fraction `numerator / denominator`; see [`Ratio::validate`].
    pub const fn new(numerator: u32, denominator: u32) -> Ratio {
        Ratio {
            numerator,
            denominator,
        }
    }

    /// Checks `0 < numerator <= denominator`.
    pub fn validate(&self, field: &str) -> Result<(), Rejection> {
        if self.numerator == 0 || self.denominator == 0 || self.numerator > self.denominator {
            return Err(Rejection::invalid(
                field,
                "the fraction must be more than 0 and at most 1",
            ));
        }
        Ok(())
    }
}

/// How much of a base a count must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// Strictly more than the fraction of the base ("quá nửa": more than half).
    MoreThan(Ratio),
    /// At least the fraction of the base ("ít nhất hai phần ba": at least two thirds).
    AtLeast(Ratio),
}

impl Threshold {
    /// More than half.
    pub const MORE_THAN_HALF: Threshold = Threshold::MoreThan(Ratio::HALF);
    /// At least two thirds.
    pub const TWO_THIRDS: Threshold = Threshold::AtLeast(Ratio::TWO_THIRDS);
    /// At least three quarters.
    pub const THREE_QUARTERS: Threshold = Threshold::AtLeast(Ratio::THREE_QUARTERS);

    fn ratio(&self) -> Ratio {
        match self {
            Threshold::MoreThan(ratio) | Threshold::AtLeast(ratio) => *ratio,
        }
    }

    /// Whether `count` reaches the threshold of `base`. An empty base is never reached.
    pub fn is_met(&self, count: u64, base: u64) -> bool {
        if base == 0 {
            return false;
        }
        let ratio = self.ratio();
        let scaled_count = u128::from(count) * u128::from(ratio.denominator);
        let scaled_base = u128::from(base) * u128::from(ratio.numerator);
        match self {
            Threshold::MoreThan(_) => scaled_count > scaled_base,
            Threshold::AtLeast(_) => scaled_count >= scaled_base,
        }
    }

    /// The smallest count that reaches the threshold of `base` (0 for an empty base,
    /// which nothing reaches).
    pub fn required(&self, base: u64) -> u64 {
        if base == 0 {
            return 0;
        }
        let ratio = self.ratio();
        let product = u128::from(base) * u128::from(ratio.numerator);
        let denominator = u128::from(ratio.denominator.max(1));
        let required = match self {
            Threshold::MoreThan(_) => product / denominator + 1,
            Threshold::AtLeast(_) => product.div_ceil(denominator),
        };
        u64::try_from(required).unwrap_or(u64::MAX)
    }

    /// Checks the fraction.
    pub fn validate(&self, field: &str) -> Result<(), Rejection> {
        self.ratio().validate(field)
    }
}

/// What counts as present, for the quorum and for majorities of members present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PresenceRule {
    /// Remote participants count as present (the default: urgent meetings rely on it).
    pub remote_counts: bool,
    /// An absent seat represented by a present proxy holder counts as present.
    pub proxies_count: bool,
}

impl Default for PresenceRule {
    fn default() -> Self {
        PresenceRule {
            remote_counts: true,
            proxies_count: false,
        }
    }
}

/// What the quorum is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuorumBase {
    /// Every participant with a voting right (by weight).
    AllMembers,
    /// A number fixed by statute, such as the elected size of a council.
    Stated {
        /// The base, in weight units.
        members: u64,
    },
}

/// The meeting's quorum rule ("túc số").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QuorumRule {
    /// How much of the base must be present.
    pub threshold: Threshold,
    /// What the threshold is measured against.
    pub base: QuorumBase,
}

impl Default for QuorumRule {
    /// More than half of the members with a voting right.
    fn default() -> Self {
        QuorumRule {
            threshold: Threshold::MORE_THAN_HALF,
            base: QuorumBase::AllMembers,
        }
    }
}

impl QuorumRule {
    /// Checks the fraction and a stated base.
    pub fn validate(&self) -> Result<(), Rejection> {
        self.threshold.validate("quorum_rule.threshold")?;
        if let QuorumBase::Stated { members: 0 } = self.base {
            return Err(Rejection::invalid(
                "quorum_rule.base",
                "a stated base must be positive",
            ));
        }
        Ok(())
    }
}

/// What a majority is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MajorityBase {
    /// The ballots cast on the question (abstentions per [`Abstentions`]).
    VotesCast,
    /// The entitled members present when the poll closes.
    MembersPresent,
    /// Every entitled member, present or not ("tổng số đại biểu").
    AllMembers,
    /// A number fixed by statute.
    Stated {
        /// The base, in weight units.
        members: u64,
    },
}

/// How abstentions (and blank ballots) enter a base of votes cast. Bases of members
/// contain every member whatever they vote, so an abstention there acts as a "no".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Abstentions {
    /// Abstentions are left out of the votes cast: the rule compares yes with no.
    Excluded,
    /// Abstentions are votes cast: they weigh against the motion.
    Counted,
}

/// A rule that turns a tally into a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MajorityRule {
    /// How much of the base the yes side (or an option) must reach.
    pub threshold: Threshold,
    /// What the threshold is measured against.
    pub base: MajorityBase,
    /// How abstentions enter a base of votes cast.
    pub abstentions: Abstentions,
}

impl Default for MajorityRule {
    /// More than half of all members: the usual rule of People's Councils and party
    /// committees.
    fn default() -> Self {
        MajorityRule::more_than_half_of_all_members()
    }
}

impl MajorityRule {
    /// A simple majority of the votes cast, abstentions left out (yes beats no).
    pub const fn simple_majority() -> MajorityRule {
        MajorityRule {
            threshold: Threshold::MORE_THAN_HALF,
            base: MajorityBase::VotesCast,
            abstentions: Abstentions::Excluded,
        }
    }

    /// More than half of the members present.
    pub const fn more_than_half_of_present() -> MajorityRule {
        MajorityRule {
            threshold: Threshold::MORE_THAN_HALF,
            base: MajorityBase::MembersPresent,
            abstentions: Abstentions::Counted,
        }
    }

    /// More than half of all members with a voting right.
    pub const fn more_than_half_of_all_members() -> MajorityRule {
        MajorityRule {
            threshold: Threshold::MORE_THAN_HALF,
            base: MajorityBase::AllMembers,
            abstentions: Abstentions::Counted,
        }
    }

    /// At least two thirds of all members with a voting right.
    pub const fn two_thirds_of_all_members() -> MajorityRule {
        MajorityRule {
            threshold: Threshold::TWO_THIRDS,
            base: MajorityBase::AllMembers,
            abstentions: Abstentions::Counted,
        }
    }

    /// Checks the fraction and a stated base.
    pub fn validate(&self) -> Result<(), Rejection> {
        self.threshold.validate("majority.threshold")?;
        if let MajorityBase::Stated { members: 0 } = self.base {
            return Err(Rejection::invalid(
                "majority.base",
                "a stated base must be positive",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_than_half_is_strict_and_at_least_is_not() {
        assert!(!Threshold::MORE_THAN_HALF.is_met(10, 20));
        assert!(Threshold::MORE_THAN_HALF.is_met(11, 20));
        assert!(Threshold::TWO_THIRDS.is_met(20, 30));
        assert!(!Threshold::TWO_THIRDS.is_met(19, 30));
        assert!(Threshold::THREE_QUARTERS.is_met(3, 4));
        assert!(!Threshold::MORE_THAN_HALF.is_met(0, 0));
    }

    #[test]
    fn required_is_the_smallest_count_that_meets() {
        for threshold in [
            Threshold::MORE_THAN_HALF,
            Threshold::TWO_THIRDS,
            Threshold::THREE_QUARTERS,
            Threshold::MoreThan(Ratio::new(1, 3)),
        ] {
            for base in 1..200 {
                let required = threshold.required(base);
                assert!(threshold.is_met(required, base), "{threshold:?} {base}");
                assert!(
                    !threshold.is_met(required - 1, base),
                    "{threshold:?} {base}"
                );
            }
        }
    }

    #[test]
    fn huge_weights_do_not_overflow() {
        assert!(Threshold::MORE_THAN_HALF.is_met(u64::MAX, u64::MAX));
        assert_eq!(
            Threshold::AtLeast(Ratio::new(1, 1)).required(u64::MAX),
            u64::MAX
        );
    }

    #[test]
    fn bad_fractions_are_rejected() {
        assert!(Ratio::new(0, 2).validate("t").is_err());
        assert!(Ratio::new(3, 2).validate("t").is_err());
        assert!(Ratio::new(1, 0).validate("t").is_err());
        assert!(Ratio::new(2, 2).validate("t").is_ok());
    }
}
