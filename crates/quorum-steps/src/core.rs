//! General-purpose handlers, the building blocks of operational and test types: `core.noop`
//! does nothing, `core.sleep` waits holding its worker, `core.wait` waits without one,
//! `core.effect` leaves one keyed file per step, and `core.flaky` fails on purpose a given
//! number of times.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::{Handlers, StepContext, StepError, StepHandler};

pub(crate) fn register(handlers: &mut Handlers) {
    handlers.insert("core.noop", Noop);
    handlers.insert("core.sleep", Sleep);
    handlers.insert("core.wait", Wait);
    handlers.insert("core.effect", Effect);
    handlers.insert("core.flaky", Flaky);
}

/// Succeeds having done nothing, and says so: its output is empty.
struct Noop;

#[async_trait]
impl StepHandler for Noop {
    async fn run(&self, _ctx: &StepContext<'_>) -> Result<Value, StepError> {
        Ok(json!({}))
    }
}

#[derive(Deserialize)]
struct SleepInputs {
    #[serde(default)]
    sleep_ms: u64,
}

/// Waits `inputs.sleep_ms` (at most a minute): stands in for a step's latency.
struct Sleep;

#[async_trait]
impl StepHandler for Sleep {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let inputs: SleepInputs = ctx.inputs()?;
        let ms = inputs.sleep_ms.min(60_000);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(json!({}))
    }
}

#[derive(Deserialize)]
struct WaitInputs {
    /// Waits until this time (RFC 3339)…
    #[serde(default)]
    wait_until: Option<DateTime<Utc>>,
    /// …or this many seconds from when the step is first reached.
    #[serde(default)]
    wait_seconds: Option<f64>,
}

/// Waits until `inputs.wait_until`, or `inputs.wait_seconds` after the step is first reached,
/// without holding a worker; its output is the time it waited for.
struct Wait;

impl Wait {
    fn until(&self, ctx: &StepContext<'_>) -> Result<DateTime<Utc>, StepError> {
        if let Some(waited) = ctx.wake_at {
            return Ok(waited);
        }
        let inputs: WaitInputs = ctx.inputs()?;
        match (inputs.wait_until, inputs.wait_seconds) {
            (Some(at), None) => Ok(at),
            (None, Some(seconds)) if seconds.is_finite() && seconds >= 0.0 => {
                let wait = chrono::Duration::milliseconds((seconds * 1_000.0).min(1e15) as i64);
                Ok(Utc::now() + wait)
            }
            _ => Err(StepError::Permanent(
                "core.wait needs inputs.wait_until (a time) or inputs.wait_seconds (0 or more), not both".into(),
            )),
        }
    }
}

#[async_trait]
impl StepHandler for Wait {
    fn wait_until(&self, ctx: &StepContext<'_>) -> Result<Option<DateTime<Utc>>, StepError> {
        self.until(ctx).map(Some)
    }

    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let until = self.until(ctx)?;
        Ok(json!({"waited_until": until.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)}))
    }

    fn check_inputs(&self, inputs: &Value) -> Vec<crate::InputProblem> {
        let parsed: Result<WaitInputs, _> = serde_json::from_value(inputs.clone());
        let fine = match parsed {
            Ok(WaitInputs {
                wait_until: Some(_),
                wait_seconds: None,
            }) => true,
            Ok(WaitInputs {
                wait_until: None,
                wait_seconds: Some(s),
            }) => s.is_finite() && s >= 0.0,
            _ => false,
        };
        match fine {
            true => Vec::new(),
            false => vec![crate::InputProblem {
                field: "wait_until".into(),
                message: "core.wait needs wait_until (an RFC 3339 time) or wait_seconds (0 or more), not both".into(),
            }],
        }
    }
}

/// Leaves `effects/<idempotency key>` in the data directory, once: a second run of the same
/// step finds it and leaves it alone. Every run, first or not, appends a line to
/// `effects/runs.log`, so that a test can tell a step that ran twice from an effect that
/// happened twice.
struct Effect;

#[async_trait]
impl StepHandler for Effect {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let dir = ctx.env.data_dir.join("effects");
        let io = |e: std::io::Error| StepError::Retryable(format!("effects folder: {e}"));
        tokio::fs::create_dir_all(&dir).await.map_err(io)?;
        let key = ctx.idempotency_key();
        let mut log = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("runs.log"))
            .await
            .map_err(io)?;
        log.write_all(format!("{key}\n").as_bytes())
            .await
            .map_err(io)?;
        // tokio's File hands writes to a blocking thread: without a flush the line may land
        // after the step has answered, or after whoever reads the log has read it.
        log.flush().await.map_err(io)?;
        let target = dir.join(&key);
        let created = match tokio::fs::try_exists(&target).await.map_err(io)? {
            true => false,
            false => {
                // Written aside and renamed into place, so the effect is all there or absent.
                let partial = dir.join(format!(".{key}.{}", ctx.attempt));
                tokio::fs::write(&partial, format!("{key}\n"))
                    .await
                    .map_err(io)?;
                tokio::fs::rename(&partial, &target).await.map_err(io)?;
                true
            }
        };
        Ok(json!({ "effect": key, "created": created }))
    }
}

#[derive(Deserialize)]
struct FlakyInputs {
    #[serde(default)]
    fail_times: i64,
    #[serde(default)]
    permanent: bool,
}

/// Fails its first `inputs.fail_times` attempts (permanently when `inputs.permanent`), then
/// succeeds: exercises retries and failure paths.
struct Flaky;

#[async_trait]
impl StepHandler for Flaky {
    async fn run(&self, ctx: &StepContext<'_>) -> Result<Value, StepError> {
        let inputs: FlakyInputs = ctx.inputs()?;
        if ctx.attempt > inputs.fail_times {
            return Ok(json!({ "succeeded_on_attempt": ctx.attempt }));
        }
        let message = format!(
            "failing attempt {} of {} on purpose",
            ctx.attempt, inputs.fail_times
        );
        Err(match inputs.permanent {
            true => StepError::Permanent(message),
            false => StepError::Retryable(message),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::{SiteDeployment, SiteStore, StepEnv};

    struct NoSites;

    #[async_trait]
    impl SiteStore for NoSites {
        async fn keep_files(&self, _: Vec<Vec<u8>>) -> Result<(), StepError> {
            unreachable!("the demonstration steps deploy no site")
        }
        async fn publish(&self, _: SiteDeployment) -> Result<(), StepError> {
            unreachable!("the demonstration steps deploy no site")
        }
        async fn media(&self, _: &[String]) -> Result<crate::site::Media, StepError> {
            unreachable!("the demonstration steps deploy no site")
        }
        async fn previewed(&self, _: &str) -> Result<Option<BTreeMap<String, String>>, StepError> {
            unreachable!("the demonstration steps deploy no site")
        }
    }

    #[tokio::test]
    async fn an_effect_happens_once_however_often_its_step_runs() {
        let dir = tempfile::tempdir().unwrap();
        let env = StepEnv {
            data_dir: dir.path().to_owned(),
            public_url: "http://127.0.0.1:5000".into(),
        };
        let previous = BTreeMap::new();
        let inputs = json!({});
        for attempt in 1..=3 {
            let ctx = StepContext {
                workflow_id: "wf_1",
                created_on: "2026-01-02",
                step: "touch",
                position: 0,
                attempt,
                inputs: &inputs,
                previous: &previous,
                env: &env,
                sites: &NoSites,
                preview: None,
                wake_at: None,
            };
            let out = Effect.run(&ctx).await.unwrap();
            assert_eq!(out["created"], attempt == 1);
        }
        let effects = dir.path().join("effects");
        let runs = std::fs::read_to_string(effects.join("runs.log")).unwrap();
        assert_eq!(runs.lines().count(), 3);
        let files: Vec<_> = std::fs::read_dir(&effects)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name != "runs.log")
            .collect();
        assert_eq!(files, ["wf_1.0.touch"]);
    }
}
