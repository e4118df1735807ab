//! Councils and the arithmetic of their votes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Council {
    pub id: String,
    pub name: String,
    /// The workflow-type domains this council owns; a domain has at most one council.
    pub domains: Vec<String>,
    pub members: Vec<String>,
    pub threshold: Threshold,
    /// Undecided workflows older than this are expired; none when absent.
    pub voting_window_hours: Option<u32>,
    #[serde(with = "crate::time::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
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
}
