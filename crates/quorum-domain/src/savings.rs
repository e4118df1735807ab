//! Savings: what a workflow is worth, per week and per year.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::FieldError;

/// The model a workflow type declares: how much manual work one run replaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SavingsModel {
    pub tasks_automated: String,
    pub minutes_saved_per_week: f64,
    pub hourly_rate: f64,
    #[serde(default = "usd")]
    pub currency: String,
}

fn usd() -> String {
    "USD".into()
}

/// Weekly and annual savings in cents, so that sums over millions of rows stay exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Savings {
    pub weekly_cents: i64,
    pub annual_cents: i64,
}

impl SavingsModel {
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("minutes_saved_per_week", self.minutes_saved_per_week),
            ("hourly_rate", self.hourly_rate),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!(
                    "savings_model.{name} must be a finite number, 0 or more"
                ));
            }
        }
        let weekly = self.minutes_saved_per_week / 60.0 * self.hourly_rate;
        if weekly * 100.0 > MAX_WEEKLY_CENTS as f64 {
            return Err(format!(
                "savings_model saves {weekly:.2} a week; at most {:.2} a week is counted",
                MAX_WEEKLY_CENTS as f64 / 100.0
            ));
        }
        Ok(())
    }

    /// weekly = minutes / 60 × rate; annual = weekly × 52.
    pub fn savings(&self) -> Savings {
        let weekly = self.minutes_saved_per_week / 60.0 * self.hourly_rate;
        Savings::from_weekly(weekly)
    }

    /// The seed's `calculated_savings` object.
    pub fn to_json(&self) -> Value {
        let s = self.savings();
        json!({
            "tasks_automated": self.tasks_automated,
            "time_saved_per_week": self.minutes_saved_per_week,
            "hourly_rate": self.hourly_rate,
            "currency": self.currency,
            "weekly_savings": s.weekly(),
            "annual_savings": s.annual(),
        })
    }
}

impl Savings {
    pub fn from_weekly(weekly: f64) -> Self {
        let weekly_cents = to_cents(weekly);
        Self {
            weekly_cents,
            annual_cents: weekly_cents * 52,
        }
    }

    pub fn weekly(self) -> f64 {
        self.weekly_cents as f64 / 100.0
    }

    pub fn annual(self) -> f64 {
        self.annual_cents as f64 / 100.0
    }

    /// Reads a caller-given `calculated_savings`, and the object to keep for it: only the
    /// fields of the seed's object are accepted; `weekly_savings` is required and
    /// `annual_savings` defaults to 52 weeks of it; both are bounded by [`MAX_WEEKLY_CENTS`]
    /// and [`MAX_ANNUAL_CENTS`], and the kept object carries them in whole cents.
    pub fn from_json(value: &Value) -> Result<(Self, Value), Vec<FieldError>> {
        let Some(object) = value.as_object() else {
            return Err(vec![FieldError::new(
                "calculated_savings",
                "type",
                "must be an object such as {\"weekly_savings\": 225.0}",
            )]);
        };
        let mut errors = Vec::new();
        for key in object
            .keys()
            .filter(|k| !KNOWN_FIELDS.contains(&k.as_str()))
        {
            errors.push(FieldError::new(
                format!("calculated_savings.{key}"),
                "additionalProperties",
                format!("is not a savings field; use {}", KNOWN_FIELDS.join(", ")),
            ));
        }
        let mut number = |key: &str, max: f64| -> Option<f64> {
            match object.get(key) {
                None | Some(Value::Null) => None,
                Some(v) => match v.as_f64() {
                    Some(n) if (0.0..=max).contains(&n) => Some(n),
                    _ => {
                        errors.push(FieldError::new(
                            format!("calculated_savings.{key}"),
                            "range",
                            format!("must be a number from 0 to {max}"),
                        ));
                        None
                    }
                },
            }
        };
        let weekly = number("weekly_savings", MAX_WEEKLY_CENTS as f64 / 100.0);
        let annual = number("annual_savings", MAX_ANNUAL_CENTS as f64 / 100.0);
        number("time_saved_per_week", MINUTES_PER_WEEK);
        number("hourly_rate", MAX_WEEKLY_CENTS as f64 / 100.0);
        for (key, max) in [("tasks_automated", 500), ("currency", 3)] {
            match object.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::String(text)) if text.chars().count() <= max => {}
                Some(_) => errors.push(FieldError::new(
                    format!("calculated_savings.{key}"),
                    "maxLength",
                    format!("must be text of at most {max} characters"),
                )),
            }
        }
        if matches!(object.get("weekly_savings"), None | Some(Value::Null)) {
            errors.push(FieldError::new(
                "calculated_savings.weekly_savings",
                "required",
                "is required: the weekly savings in the currency's units",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut savings = Self::from_weekly(weekly.unwrap_or(0.0));
        if let Some(annual) = annual {
            savings.annual_cents = to_cents(annual);
        }
        let mut kept = object.clone();
        kept.insert("weekly_savings".into(), savings.weekly().into());
        kept.insert("annual_savings".into(), savings.annual().into());
        Ok((savings, Value::Object(kept)))
    }
}

/// The fields of the seed's `calculated_savings` object; nothing else is kept.
pub const KNOWN_FIELDS: [&str; 6] = [
    "tasks_automated",
    "time_saved_per_week",
    "hourly_rate",
    "currency",
    "weekly_savings",
    "annual_savings",
];

/// The most one workflow may save in a week: 500,000.00. With the annual bound it keeps every
/// aggregate inside an `i64` however many workflows are summed, up to 2^31 of them (see the
/// test `the_bounds_keep_any_sum_of_two_billion_workflows_inside_an_i64`).
pub const MAX_WEEKLY_CENTS: i64 = 50_000_000;
/// 52 weeks of the weekly bound.
pub const MAX_ANNUAL_CENTS: i64 = MAX_WEEKLY_CENTS * 52;

const MINUTES_PER_WEEK: f64 = 7.0 * 24.0 * 60.0;

fn to_cents(amount: f64) -> i64 {
    if amount.is_finite() && amount > 0.0 {
        (amount * 100.0).round() as i64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_hours_a_week_at_75_an_hour_is_the_seeds_figures() {
        let model = SavingsModel {
            tasks_automated: "Manual website creation (5 pages)".into(),
            minutes_saved_per_week: 180.0,
            hourly_rate: 75.0,
            currency: "USD".into(),
        };
        let s = model.savings();
        assert_eq!((s.weekly(), s.annual()), (225.0, 11700.0));
        assert_eq!(model.to_json()["annual_savings"], 11700.0);
    }

    #[test]
    fn caller_savings_are_never_negative_or_nan() {
        assert!(Savings::from_json(&json!({"weekly_savings": -1})).is_err());
        assert!(Savings::from_json(&json!({"weekly_savings": "lots"})).is_err());
        assert!(Savings::from_json(&json!({})).is_err());
        let (s, kept) = Savings::from_json(&json!({"weekly_savings": 10.5})).unwrap();
        assert_eq!(s.annual(), 546.0);
        assert_eq!(
            kept,
            json!({"weekly_savings": 10.5, "annual_savings": 546.0})
        );
    }

    #[test]
    fn caller_savings_keep_only_known_fields_within_the_bounds() {
        let fields = |value: Value| -> Vec<(String, String)> {
            Savings::from_json(&value)
                .unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.rule))
                .collect()
        };
        assert_eq!(
            fields(json!({"weekly_savings": 1, "padding": "x".repeat(1000)})),
            [(
                "calculated_savings.padding".into(),
                "additionalProperties".into()
            )]
        );
        assert_eq!(
            fields(json!({"weekly_savings": 9_999_999_999_999.0_f64})),
            [("calculated_savings.weekly_savings".into(), "range".into())]
        );
        assert_eq!(
            fields(json!({"weekly_savings": 1, "annual_savings": 26_000_000.01})),
            [("calculated_savings.annual_savings".into(), "range".into())]
        );
        let (at_max, _) = Savings::from_json(&json!({"weekly_savings": 500_000})).unwrap();
        assert_eq!(
            (at_max.weekly_cents, at_max.annual_cents),
            (MAX_WEEKLY_CENTS, MAX_ANNUAL_CENTS)
        );
        let seed = json!({"tasks_automated": "Site", "time_saved_per_week": 180, "hourly_rate": 75,
            "currency": "USD", "weekly_savings": 225.0, "annual_savings": 11700.0});
        assert_eq!(Savings::from_json(&seed).unwrap().1, seed);
    }

    #[test]
    fn the_bounds_keep_any_sum_of_two_billion_workflows_inside_an_i64() {
        let workflows: i128 = 1 << 31;
        assert!(i128::from(MAX_ANNUAL_CENTS) * workflows <= i128::from(i64::MAX));
        assert!(i128::from(MAX_WEEKLY_CENTS) * workflows <= i128::from(i64::MAX));
    }

    #[test]
    fn a_model_that_saves_more_than_the_bound_is_refused() {
        let model = SavingsModel {
            tasks_automated: "Everything".into(),
            minutes_saved_per_week: 10_080.0,
            hourly_rate: 1e9,
            currency: "USD".into(),
        };
        assert!(model.validate().is_err());
    }
}
