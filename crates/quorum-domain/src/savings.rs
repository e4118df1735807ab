//! Savings: what a workflow is worth, per week and per year.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

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

    /// Reads a caller-given `calculated_savings`: `weekly_savings` is required, `annual_savings`
    /// defaults to 52 weeks of it; both must be finite and not negative.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let number = |key: &str| -> Result<Option<f64>, String> {
            match value.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => match v.as_f64() {
                    Some(n) if (0.0..1e13).contains(&n) => Ok(Some(n)),
                    _ => Err(format!(
                        "calculated_savings.{key} must be a number, 0 or more"
                    )),
                },
            }
        };
        if !value.is_object() {
            return Err("calculated_savings must be an object".into());
        }
        let weekly =
            number("weekly_savings")?.ok_or("calculated_savings.weekly_savings is required")?;
        let mut savings = Self::from_weekly(weekly);
        if let Some(annual) = number("annual_savings")? {
            savings.annual_cents = to_cents(annual);
        }
        Ok(savings)
    }
}

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
        let s = Savings::from_json(&json!({"weekly_savings": 10.5})).unwrap();
        assert_eq!(s.annual(), 546.0);
    }
}
