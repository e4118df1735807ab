//! Councils and the arithmetic of their votes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::VoteChoice;

/// How many approvals a council needs. Serialized as `"simple_majority"`, `"unanimous"` or
/// `{"at_least": N}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    #[default]
    SimpleMajority,
    Unanimous,
    AtLeast(u32),
}

/// Written by hand: the derive would allow `at_least: 0`, which [`Threshold::validate`] refuses.
impl utoipa::PartialSchema for Threshold {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        crate::schema::from_json(serde_json::json!({
            "description": "How many approvals a council needs: \"simple_majority\" (more than half \
                the members), \"unanimous\", or {\"at_least\": N}. On a council, N may not exceed \
                its members.",
            "oneOf": [
                {"type": "string", "enum": ["simple_majority", "unanimous"]},
                {
                    "type": "object",
                    "required": ["at_least"],
                    "properties": {"at_least": {"type": "integer", "minimum": 1, "maximum": u32::MAX}},
                    "additionalProperties": false,
                },
            ],
        }))
    }
}

impl utoipa::ToSchema for Threshold {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approved,
    Rejected,
    Expired,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Approved, Self::Rejected, Self::Expired]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Threshold {
    /// Approvals needed from an electorate of `members`. Never more than the electorate can
    /// give, never zero: `at_least: 5` on a council of three needs all three.
    pub fn required(self, members: u32) -> u32 {
        let wanted = match self {
            Self::SimpleMajority => members / 2 + 1,
            Self::Unanimous => members,
            Self::AtLeast(n) => n,
        };
        wanted.clamp(1, members.max(1))
    }

    /// The decision as soon as it is certain: approved once the threshold is met, rejected once
    /// the members who have not voted can no longer reach it. Abstentions do not approve.
    pub fn decide(self, members: u32, approvals: u32, votes_cast: u32) -> Option<Decision> {
        let required = self.required(members);
        let outstanding = members.saturating_sub(votes_cast);
        if approvals >= required {
            Some(Decision::Approved)
        } else if approvals + outstanding < required {
            Some(Decision::Rejected)
        } else {
            None
        }
    }

    /// Whether a council of `members` can meet this threshold at all.
    pub fn validate(self, members: usize) -> Result<(), String> {
        match self {
            Self::AtLeast(0) => Err("at_least must be 1 or more".into()),
            Self::AtLeast(n) if n as usize > members => Err(format!(
                "at_least: {n} needs more approvals than the council's {members} member(s) can give"
            )),
            _ => Ok(()),
        }
    }
}

/// How an electorate decides: the threshold of approvals, the members whose approval is needed
/// whatever the count (`required`), and those whose rejection decides at once (`veto`).
///
/// Kept as its threshold alone when it names no member, which is how every rule was written
/// before members could be named: such a value reads back as a rule without them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    pub threshold: Threshold,
    pub required: Vec<String>,
    pub veto: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct NamedRule {
    threshold: Threshold,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    veto: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StoredRule {
    Plain(Threshold),
    Named(NamedRule),
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.required.is_empty() && self.veto.is_empty() {
            true => self.threshold.serialize(serializer),
            false => NamedRule {
                threshold: self.threshold,
                required: self.required.clone(),
                veto: self.veto.clone(),
            }
            .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match StoredRule::deserialize(deserializer)? {
            StoredRule::Plain(threshold) => Rule::from(threshold),
            StoredRule::Named(named) => Rule {
                threshold: named.threshold,
                required: named.required,
                veto: named.veto,
            },
        })
    }
}

impl From<Threshold> for Rule {
    fn from(threshold: Threshold) -> Self {
        Rule {
            threshold,
            ..Rule::default()
        }
    }
}

/// A decision, and the sentence the audit trail keeps of why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub decision: Decision,
    pub why: String,
}

impl Rule {
    /// The rule for `electorate`: the members it names who are not in it (a workflow's creator,
    /// who never votes on its own proposal) are left out.
    pub fn within(&self, electorate: &[String]) -> Rule {
        let keep = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .filter(|name| electorate.contains(name))
                .cloned()
                .collect()
        };
        Rule {
            threshold: self.threshold,
            required: keep(&self.required),
            veto: keep(&self.veto),
        }
    }

    /// Approvals needed from an electorate of `members`: the threshold's, and never fewer
    /// than the required members.
    pub fn needed(&self, members: u32) -> u32 {
        self.threshold
            .required(members)
            .max(self.required.len() as u32)
    }

    /// The decision once it is certain, from the `ballots` (member, choice) of an electorate
    /// of `members`: rejected at once by a veto, or by a required member who did not approve;
    /// approved once enough approvals are in and every required member's is among them;
    /// rejected as soon as the members who have not voted can no longer make it approved.
    pub fn decide<'a>(
        &self,
        members: u32,
        ballots: impl IntoIterator<Item = (&'a str, VoteChoice)>,
    ) -> Option<Verdict> {
        let ballots: Vec<(&str, VoteChoice)> = ballots.into_iter().collect();
        let verdict = |decision, why: String| Some(Verdict { decision, why });
        if let Some((member, _)) = ballots
            .iter()
            .find(|(m, choice)| *choice == VoteChoice::Reject && self.veto.iter().any(|v| v == m))
        {
            return verdict(
                Decision::Rejected,
                format!("rejected by the veto of {member}"),
            );
        }
        if let Some((member, choice)) = ballots.iter().find(|(m, choice)| {
            *choice != VoteChoice::Approve && self.required.iter().any(|r| r == m)
        }) {
            return verdict(
                Decision::Rejected,
                format!(
                    "rejected: {member}, whose approval is required, voted {}",
                    choice.as_str()
                ),
            );
        }
        let approvals = ballots
            .iter()
            .filter(|(_, choice)| *choice == VoteChoice::Approve)
            .count() as u32;
        let cast = ballots.len() as u32;
        let needed = self.needed(members);
        let counted = format!("{approvals} approvals of {cast} votes ({members} members)");
        let required_in = self
            .required
            .iter()
            .all(|r| ballots.iter().any(|(m, _)| m == r));
        if approvals >= needed && required_in {
            let also = match self.required.is_empty() {
                true => String::new(),
                false => ", every required member's among them".to_owned(),
            };
            return verdict(Decision::Approved, format!("approved by {counted}{also}"));
        }
        let outstanding = members.saturating_sub(cast);
        if approvals + outstanding < needed {
            return verdict(Decision::Rejected, format!("rejected by {counted}"));
        }
        None
    }

    /// Whether an electorate of `members` can decide by this rule: its threshold can be met,
    /// and every member it names is one of them.
    pub fn validate(&self, members: &[String]) -> Result<(), String> {
        self.threshold.validate(members.len())?;
        for (list, names) in [("required", &self.required), ("veto", &self.veto)] {
            if let Some(stranger) = names.iter().find(|name| !members.contains(name)) {
                return Err(format!("{list} names {stranger}, who is not a member"));
            }
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            if sorted.len() != names.len() {
                return Err(format!("{list} names a member twice"));
            }
        }
        Ok(())
    }
}

/// The `to` of an escalation that hands the decision to the admins rather than a council.
pub const ESCALATE_TO_ADMINS: &str = "admins";

/// What happens to a workflow its council leaves undecided when the voting window closes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum OnExpiry {
    /// Cancelled, with the decision `expired`.
    #[default]
    Cancel,
    /// Handed, once, to council `to` (or, with `"admins"`, to the admins, one of whose votes
    /// decides), which gets `voting_window_hours` to decide.
    Escalate {
        to: String,
        voting_window_hours: u32,
    },
}

/// A council's policy for its voting window: its reminder and what expiry does. Stored as
/// JSON beside the council.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WindowPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remind_hours_before: Option<u32>,
    #[serde(default)]
    pub on_expiry: OnExpiry,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Council {
    pub id: String,
    pub name: String,
    /// The workflow-type domains this council owns; a domain has at most one council.
    pub domains: Vec<String>,
    pub members: Vec<String>,
    pub threshold: Threshold,
    /// Members whose approval a workflow needs, whatever the count.
    #[serde(default)]
    pub required: Vec<String>,
    /// Members whose rejection decides at once.
    #[serde(default)]
    pub veto: Vec<String>,
    /// Undecided workflows older than this are expired; none when absent.
    pub voting_window_hours: Option<u32>,
    /// Members who have not voted get one reminder this many hours before the deadline.
    #[serde(default)]
    pub remind_hours_before: Option<u32>,
    /// What the deadline does to an undecided workflow.
    #[serde(default)]
    pub on_expiry: OnExpiry,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
}

impl Council {
    pub fn policy(&self) -> WindowPolicy {
        WindowPolicy {
            remind_hours_before: self.remind_hours_before,
            on_expiry: self.on_expiry.clone(),
        }
    }

    /// How this council decides.
    pub fn rule(&self) -> Rule {
        Rule {
            threshold: self.threshold,
            required: self.required.clone(),
            veto: self.veto.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Decision::*, Threshold::*};

    #[test]
    fn a_simple_majority_is_half_the_members_plus_one() {
        let required: Vec<u32> = (1..=7).map(|n| SimpleMajority.required(n)).collect();
        assert_eq!(required, [1, 2, 2, 3, 3, 4, 4]);
    }

    #[test]
    fn a_council_of_four_rejects_once_three_approvals_are_out_of_reach() {
        assert_eq!(SimpleMajority.decide(4, 0, 1), None);
        assert_eq!(SimpleMajority.decide(4, 1, 2), None);
        assert_eq!(SimpleMajority.decide(4, 0, 2), Some(Rejected));
        assert_eq!(SimpleMajority.decide(4, 3, 3), Some(Approved));
    }

    #[test]
    fn unanimity_fails_on_the_first_abstention_and_at_least_is_capped_by_the_members() {
        assert_eq!(Unanimous.decide(3, 1, 2), Some(Rejected));
        assert_eq!(Unanimous.decide(3, 3, 3), Some(Approved));
        assert_eq!(AtLeast(5).required(3), 3);
        assert_eq!(AtLeast(2).decide(5, 2, 2), Some(Approved));
    }

    #[test]
    fn thresholds_serialize_as_the_api_spells_them() {
        assert_eq!(
            serde_json::to_value(SimpleMajority).unwrap(),
            "simple_majority"
        );
        assert_eq!(
            serde_json::to_value(AtLeast(3)).unwrap(),
            serde_json::json!({"at_least": 3})
        );
        let parsed: super::Threshold = serde_json::from_str(r#"{"at_least": 2}"#).unwrap();
        assert_eq!(parsed, AtLeast(2));
    }

    mod rules {
        use super::super::{Rule, Threshold};
        use crate::{Decision, VoteChoice};

        const CHOICES: [VoteChoice; 3] =
            [VoteChoice::Approve, VoteChoice::Reject, VoteChoice::Abstain];

        fn names(n: usize) -> Vec<String> {
            (0..n).map(|i| format!("m{i}")).collect()
        }

        /// Whether some way the members who have not voted could vote approves, vetoes aside.
        fn reachable(rule: &Rule, members: &[String], cast: &[(String, VoteChoice)]) -> bool {
            let rest: Vec<&String> = members
                .iter()
                .filter(|m| !cast.iter().any(|(c, _)| c == *m))
                .collect();
            (0..3usize.pow(rest.len() as u32)).any(|mut code| {
                let mut all: Vec<(String, VoteChoice)> = cast.to_vec();
                for m in &rest {
                    all.push(((*m).clone(), CHOICES[code % 3]));
                    code /= 3;
                }
                let approvals = all
                    .iter()
                    .filter(|(_, c)| *c == VoteChoice::Approve)
                    .count() as u32;
                let required_approve = rule
                    .required
                    .iter()
                    .all(|r| all.iter().any(|(m, c)| m == r && *c == VoteChoice::Approve));
                let vetoed = all
                    .iter()
                    .any(|(m, c)| *c == VoteChoice::Reject && rule.veto.contains(m));
                approvals >= rule.needed(members.len() as u32) && required_approve && !vetoed
            })
        }

        /// Every rule a council of 1–7 can have (threshold, required and veto as bit masks,
        /// sampled), every order of votes (members in order, each choice): the decision comes
        /// exactly when it is certain, and says why.
        #[test]
        fn required_veto_and_threshold_decide_exactly_for_councils_of_one_to_seven() {
            let mut checked = 0u64;
            for n in 1..=7usize {
                let members = names(n);
                let thresholds = [
                    Threshold::SimpleMajority,
                    Threshold::Unanimous,
                    Threshold::AtLeast(1),
                    Threshold::AtLeast(n as u32),
                ];
                // Masks sampled so that 7 members stay quick: every one up to four members.
                let step = if n <= 4 { 1 } else { 1 << (n - 2) };
                for threshold in thresholds {
                    for required_mask in (0..1u32 << n).step_by(step) {
                        for veto_mask in (0..1u32 << n).step_by(step * 3) {
                            let pick = |mask: u32| -> Vec<String> {
                                members
                                    .iter()
                                    .enumerate()
                                    .filter(|(i, _)| mask & (1 << i) != 0)
                                    .map(|(_, m)| m.clone())
                                    .collect()
                            };
                            let rule = Rule {
                                threshold,
                                required: pick(required_mask),
                                veto: pick(veto_mask),
                            };
                            rule.validate(&members).unwrap();
                            // Votes in member order, each of three choices: 3^n sequences
                            // for small councils, a deterministic sample for large ones.
                            let sequences = 3usize.pow(n as u32);
                            let every = if n <= 4 {
                                1
                            } else {
                                3usize.pow(n as u32 - 4) + 1
                            };
                            for mut code in (0..sequences).step_by(every) {
                                let mut cast: Vec<(String, VoteChoice)> = Vec::new();
                                for member in &members {
                                    let choice = CHOICES[code % 3];
                                    code /= 3;
                                    cast.push((member.clone(), choice));
                                    let verdict = rule.decide(
                                        n as u32,
                                        cast.iter().map(|(m, c)| (m.as_str(), *c)),
                                    );
                                    checked += 1;
                                    let vetoed = cast.iter().any(|(m, c)| {
                                        *c == VoteChoice::Reject && rule.veto.contains(m)
                                    });
                                    let approvals =
                                        cast.iter()
                                            .filter(|(_, c)| *c == VoteChoice::Approve)
                                            .count() as u32;
                                    let required_in = rule.required.iter().all(|r| {
                                        cast.iter()
                                            .any(|(m, c)| m == r && *c == VoteChoice::Approve)
                                    });
                                    let expected = if vetoed {
                                        Some(Decision::Rejected)
                                    } else if approvals >= rule.needed(n as u32) && required_in {
                                        Some(Decision::Approved)
                                    } else if !reachable(&rule, &members, &cast) {
                                        Some(Decision::Rejected)
                                    } else {
                                        None
                                    };
                                    assert_eq!(
                                        verdict.as_ref().map(|v| v.decision),
                                        expected,
                                        "{rule:?} after {cast:?}"
                                    );
                                    if verdict.is_some() {
                                        break;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            assert!(checked > 10_000, "{checked}");
        }

        #[test]
        fn a_verdict_says_who_decided_it() {
            let members = names(5);
            let rule = Rule {
                threshold: Threshold::SimpleMajority,
                required: vec!["m0".into()],
                veto: vec!["m4".into()],
            };
            rule.validate(&members).unwrap();
            let why =
                |votes: &[(&str, VoteChoice)]| rule.decide(5, votes.iter().copied()).map(|v| v.why);
            assert_eq!(
                why(&[("m4", VoteChoice::Reject)]).as_deref(),
                Some("rejected by the veto of m4")
            );
            assert_eq!(
                why(&[("m0", VoteChoice::Abstain)]).as_deref(),
                Some("rejected: m0, whose approval is required, voted abstain")
            );
            // Three approvals are a majority, but not without m0's.
            let three = [
                ("m1", VoteChoice::Approve),
                ("m2", VoteChoice::Approve),
                ("m3", VoteChoice::Approve),
            ];
            assert_eq!(why(&three), None);
            let with_m0 = [three[0], three[1], ("m0", VoteChoice::Approve)];
            assert_eq!(
                why(&with_m0).as_deref(),
                Some(
                    "approved by 3 approvals of 3 votes (5 members), every required member's among them"
                )
            );
        }

        #[test]
        fn a_rule_naming_nobody_is_stored_as_its_threshold_and_read_back_either_way() {
            let plain = Rule::from(Threshold::AtLeast(2));
            assert_eq!(
                serde_json::to_value(&plain).unwrap(),
                serde_json::json!({"at_least": 2})
            );
            let named = Rule {
                threshold: Threshold::Unanimous,
                required: vec!["a".into()],
                veto: vec![],
            };
            let text = serde_json::to_string(&named).unwrap();
            assert_eq!(
                text,
                r#"{"threshold":"unanimous","required":["a"],"veto":[]}"#
            );
            assert_eq!(serde_json::from_str::<Rule>(&text).unwrap(), named);
            assert_eq!(
                serde_json::from_str::<Rule>(r#""simple_majority""#).unwrap(),
                Rule::default()
            );
            assert_eq!(
                serde_json::from_str::<Rule>(r#"{"at_least": 2}"#).unwrap(),
                plain
            );
            let strangers = Rule {
                threshold: Threshold::SimpleMajority,
                required: vec!["x".into()],
                veto: vec![],
            };
            assert_eq!(
                strangers.validate(&names(3)).unwrap_err(),
                "required names x, who is not a member"
            );
        }
    }
}
