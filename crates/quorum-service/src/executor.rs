//! Runs one claimed workflow: checks its approval, marks it started, runs its type's steps
//! in order through their handlers, records every step, and ends it COMPLETED or FAILED with
//! the attempt's metric, or hands it back for a retry.
//!
//! Whatever happened before the claim is read back from the store, so a workflow whose last
//! worker died resumes at its first step that has not succeeded.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use quorum_domain::ids::new_id;
use quorum_domain::{EventKind, StepDefinition, StepStatus, WorkflowStatus};
use quorum_queue::{Lease, RetryPolicy};
use quorum_steps::{StepContext, StepError};
use quorum_store::{NewMetric, StepOutcome, StoreError, Transition, WorkflowDetail};
use serde_json::{Map, Value};
use tracing::Instrument;

use crate::worker::Signals;
use crate::{Quorum, ServiceResult, telemetry};

/// What the worker does with the job once `execute` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Finished for good (completed, failed, cancelled, or nothing left to do): acknowledge.
    Done,
    /// A retryable failure: release the job to be claimed again after the backoff.
    Retry(Duration),
    /// Shutting down between steps: release the job for another worker at once.
    Handback,
    /// A step waits for a time: release the job to be claimed then, holding nothing meanwhile.
    Wait(Duration),
    /// The heartbeat lost the lease: someone else holds the job now; touch nothing.
    LeaseLost,
}

/// One attempt's bookkeeping.
struct Attempt<'a> {
    detail: &'a WorkflowDetail,
    number: i64,
    started: Instant,
    steps: usize,
    worker: &'a str,
}

impl Attempt<'_> {
    fn metric(&self, succeeded: usize, errors: i64) -> NewMetric {
        let w = &self.detail.workflow;
        let steps = self.steps.max(1) as i64;
        NewMetric {
            id: new_id("met"),
            workflow_id: w.id.clone(),
            attempt: self.number,
            duration_ms: i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX),
            weekly_cents: quorum_domain::Savings::from_json(&w.calculated_savings.to_value())
                .map_or(0, |(s, _)| s.weekly_cents),
            success_ppm: succeeded as i64 * 1_000_000 / steps,
            error_count: errors,
            recorded_at: quorum_domain::time::now(),
        }
    }

    fn transition(&self, from: WorkflowStatus, to: WorkflowStatus, event: EventKind) -> Transition {
        Transition {
            workflow_id: self.detail.workflow.id.clone(),
            from,
            to,
            decision: None,
            outputs: None,
            error: None,
            actor: self.worker.to_owned(),
            event,
            reason: None,
            at: quorum_domain::time::now(),
            require_undecided: false,
            metric: None,
        }
    }
}

/// How long until `at`, if it is still to come.
fn time_until(at: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    (at - quorum_domain::time::now())
        .to_std()
        .ok()
        .filter(|left| !left.is_zero())
}

/// A workflow's outputs: the fields of its steps' outputs, later steps winning.
fn merged_outputs(steps: &[StepDefinition], outputs: &BTreeMap<String, Value>) -> Value {
    let mut merged = Map::new();
    for step in steps {
        if let Some(Value::Object(fields)) = outputs.get(&step.name) {
            merged.extend(fields.clone());
        }
    }
    Value::Object(merged)
}

impl Quorum {
    /// Runs the workflow `lease` holds, as far as it can go. Errors are the store's (the
    /// database went away); the worker then lets the lease lapse or releases the job.
    pub async fn execute(&self, lease: &Lease, signals: &Arc<Signals>) -> ServiceResult<Outcome> {
        let span = tracing::info_span!("workflow", workflow.id = %lease.workflow_id, claim = lease.attempt);
        self.execute_in(lease, signals).instrument(span).await
    }

    async fn execute_in(&self, lease: &Lease, signals: &Arc<Signals>) -> ServiceResult<Outcome> {
        let detail = match self.store.get_workflow(&lease.workflow_id).await {
            Err(StoreError::NotFound(_)) => return Ok(Outcome::Done),
            other => other?,
        };
        let w = &detail.workflow;
        let compiled = self
            .registry
            .get(&w.workflow_type_id, Some(w.workflow_type_version))
            .await?;
        let definition = &compiled.definition;
        let attempt = Attempt {
            detail: &detail,
            number: detail.metrics.len() as i64 + 1,
            started: Instant::now(),
            steps: definition.steps.len(),
            worker: &lease.worker,
        };
        match w.status {
            WorkflowStatus::Completed | WorkflowStatus::Failed | WorkflowStatus::Cancelled => {
                // Delivered again after it finished (the ack was lost): nothing to do.
                return Ok(Outcome::Done);
            }
            WorkflowStatus::Pending => {
                if let Err(refusal) = self.approval_holds(&detail).await {
                    tracing::warn!(error = %refusal, "refusing to run a workflow whose approval does not hold");
                    let mut failed = attempt.transition(
                        WorkflowStatus::Pending,
                        WorkflowStatus::Failed,
                        EventKind::Failed,
                    );
                    failed.error = Some(format!("not run: {refusal}"));
                    failed.reason = failed.error.clone();
                    return self.end(failed).await;
                }
                let started = attempt.transition(
                    WorkflowStatus::Pending,
                    WorkflowStatus::InProgress,
                    EventKind::Started,
                );
                match self.store.transition(&started).await {
                    Err(StoreError::Conflict(_)) => return Ok(Outcome::Done),
                    other => other?,
                };
                self.changed();
            }
            WorkflowStatus::InProgress => {
                if !detail.steps.iter().any(|s| s.status == StepStatus::Failed) {
                    // Not a retry (that leaves its failed step behind): the last holder's
                    // lease ran out while it ran.
                    metrics::counter!(telemetry::LEASE_EXPIRIES).increment(1);
                }
            }
        }
        self.run_steps(signals, &attempt, definition).await
    }

    async fn run_steps(
        &self,
        signals: &Arc<Signals>,
        attempt: &Attempt<'_>,
        definition: &quorum_domain::WorkflowTypeDefinition,
    ) -> ServiceResult<Outcome> {
        let detail = attempt.detail;
        let id = &detail.workflow.id;
        let inputs = detail.workflow.inputs.to_value();
        let created_on = detail.workflow.created_at.format("%Y-%m-%d").to_string();
        let mut outputs: BTreeMap<String, Value> = BTreeMap::new();
        let mut succeeded = 0;
        // The step the last finish already marked running, in its own transaction.
        let mut started_by_finish: Option<usize> = None;
        for (position, step) in definition.steps.iter().enumerate() {
            let record = detail.steps.iter().find(|s| s.position == position as i64);
            if let Some(done) = record.filter(|s| s.status == StepStatus::Succeeded) {
                outputs.insert(
                    step.name.clone(),
                    done.output.clone().unwrap_or(Value::Null),
                );
                succeeded += 1;
                continue;
            }
            if signals.lease_lost() {
                return Ok(Outcome::LeaseLost);
            }
            if signals.draining() {
                return Ok(Outcome::Handback);
            }
            let step_attempt = record.map_or(0, |s| s.attempts) + 1;
            let wake_at = record.and_then(|s| s.wake_at);
            if let Some(until) =
                wake_at.filter(|_| record.is_some_and(|s| s.status == StepStatus::Waiting))
                && let Some(left) = time_until(until)
            {
                // Delivered before its time (a lapsed lease, a queue's early delivery): wait on,
                // touching nothing.
                return Ok(Outcome::Wait(left));
            }
            if started_by_finish != Some(position) {
                self.store
                    .start_step(id, position as i64, &step.name, quorum_domain::time::now())
                    .await?;
            }

            let ctx = StepContext {
                workflow_id: id,
                created_on: &created_on,
                step: &step.name,
                position,
                attempt: step_attempt,
                inputs: &inputs,
                previous: &outputs,
                env: &self.step_env,
                sites: self.site_store(),
                preview: detail.preview.as_deref(),
                wake_at,
            };
            let finished =
                |status: StepStatus, error: Option<String>, output: Option<Value>| StepOutcome {
                    workflow_id: id.clone(),
                    position: position as i64,
                    status,
                    error,
                    output,
                    at: quorum_domain::time::now(),
                    then_start: None,
                    wake_at: None,
                };
            let result = match self.step_waits_until(step, &ctx) {
                Ok(Some(until)) if time_until(until).is_some() => {
                    let waiting = StepOutcome {
                        wake_at: Some(until),
                        ..finished(StepStatus::Waiting, None, None)
                    };
                    let now = self.store.finish_step(&waiting).await?;
                    self.changed();
                    if now.status == WorkflowStatus::Cancelled {
                        return self.stopped_by_cancel(attempt, succeeded).await;
                    }
                    metrics::counter!(telemetry::WAITS).increment(1);
                    tracing::debug!(step = %step.name, until = %until, "waiting");
                    // Measured again when the job is claimed: the worker's release is later.
                    return Ok(Outcome::Wait(time_until(until).unwrap_or_default()));
                }
                Ok(_) => self.run_step(step, &ctx).await,
                Err(refused) => Err(refused),
            };
            match result {
                Ok(output) => {
                    let mut outcome = finished(StepStatus::Succeeded, None, Some(output.clone()));
                    // Start the next step with this one's finish, unless the worker is about
                    // to stop (the store checks for cancellation inside that transaction).
                    let next = definition.steps.get(position + 1);
                    if let Some(next) =
                        next.filter(|_| !signals.lease_lost() && !signals.draining())
                    {
                        outcome.then_start = Some((position as i64 + 1, next.name.clone()));
                        started_by_finish = Some(position + 1);
                    }
                    let now = self.store.finish_step(&outcome).await?;
                    self.changed();
                    outputs.insert(step.name.clone(), output);
                    succeeded += 1;
                    if now.status == WorkflowStatus::Cancelled {
                        // Cancelled while the step ran: stop before the next one.
                        return self.stopped_by_cancel(attempt, succeeded).await;
                    }
                }
                Err(error) => {
                    let message = format!("step {} failed: {error}", step.name);
                    self.store
                        .finish_step(&finished(StepStatus::Failed, Some(error.to_string()), None))
                        .await?;
                    return self
                        .after_failure(attempt, definition, succeeded, &error, message)
                        .await;
                }
            }
        }
        let mut completed = attempt.transition(
            WorkflowStatus::InProgress,
            WorkflowStatus::Completed,
            EventKind::Completed,
        );
        completed.outputs = Some(merged_outputs(&definition.steps, &outputs));
        completed.metric = Some(attempt.metric(succeeded, 0));
        metrics::counter!(telemetry::COMPLETED).increment(1);
        self.end(completed).await
    }

    /// Ends the attempt of a workflow cancelled while its step ran: its metric, and done.
    async fn stopped_by_cancel(
        &self,
        attempt: &Attempt<'_>,
        succeeded: usize,
    ) -> ServiceResult<Outcome> {
        self.store
            .record_metric(&attempt.metric(succeeded, 0))
            .await?;
        metrics::counter!(telemetry::CANCELLED).increment(1);
        Ok(Outcome::Done)
    }

    /// The time the step's handler says it must wait for first, if any.
    fn step_waits_until(
        &self,
        step: &StepDefinition,
        ctx: &StepContext<'_>,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, StepError> {
        match self.handlers.get(&step.handler) {
            Some(handler) => handler.wait_until(ctx),
            // run_step says so.
            None => Ok(None),
        }
    }

    async fn run_step(
        &self,
        step: &StepDefinition,
        ctx: &StepContext<'_>,
    ) -> Result<Value, StepError> {
        let Some(handler) = self.handlers.get(&step.handler) else {
            return Err(StepError::Permanent(format!(
                "no step handler named {:?} in this build",
                step.handler
            )));
        };
        let span = tracing::info_span!("step", step.name = %step.name, step.handler = %step.handler, step.attempt = ctx.attempt);
        let started = Instant::now();
        let result = handler.run(ctx).instrument(span).await;
        let outcome = if result.is_ok() {
            "succeeded"
        } else {
            "failed"
        };
        metrics::histogram!(telemetry::STEP_SECONDS, "handler" => step.handler.clone(), "outcome" => outcome)
            .record(started.elapsed().as_secs_f64());
        result
    }

    async fn after_failure(
        &self,
        attempt: &Attempt<'_>,
        definition: &quorum_domain::WorkflowTypeDefinition,
        succeeded: usize,
        error: &StepError,
        message: String,
    ) -> ServiceResult<Outcome> {
        // The spacing is the deployment's; how many attempts, the type's.
        let policy = RetryPolicy {
            max_attempts: definition.max_attempts.max(1),
            ..self.retry
        };
        let failed_attempts = u32::try_from(attempt.number).unwrap_or(u32::MAX);
        let backoff = (!error.is_permanent())
            .then(|| policy.backoff(failed_attempts))
            .flatten();
        match backoff {
            Some(wait) => {
                tracing::info!(error = %message, attempt = attempt.number, retry_in_ms = wait.as_millis() as u64, "attempt failed; will retry");
                self.store
                    .record_metric(&attempt.metric(succeeded, 1))
                    .await?;
                metrics::counter!(telemetry::RETRIES).increment(1);
                Ok(Outcome::Retry(wait))
            }
            None => {
                tracing::warn!(error = %message, attempt = attempt.number, "workflow failed");
                let mut failed = attempt.transition(
                    WorkflowStatus::InProgress,
                    WorkflowStatus::Failed,
                    EventKind::Failed,
                );
                failed.reason = Some(match error.is_permanent() {
                    true => "a permanent error".to_owned(),
                    false => format!("{} attempts failed", attempt.number),
                });
                failed.error = Some(message);
                failed.metric = Some(attempt.metric(succeeded, 1));
                self.end(failed).await
            }
        }
    }

    /// Ends the workflow; losing the race to a cancel is not an error.
    async fn end(&self, change: Transition) -> ServiceResult<Outcome> {
        let failed = change.to == WorkflowStatus::Failed;
        match self.store.transition(&change).await {
            Err(StoreError::Conflict(_)) => Ok(Outcome::Done),
            Err(e) => Err(e.into()),
            Ok(_) => {
                if failed {
                    metrics::counter!(telemetry::FAILED).increment(1);
                }
                self.changed();
                Ok(Outcome::Done)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outputs_merge_step_by_step_later_steps_winning() {
        let step = |name: &str| StepDefinition {
            name: name.into(),
            title: name.into(),
            estimated_seconds: 1,
            handler: "core.noop".into(),
        };
        let steps = [step("deploy"), step("verify")];
        let outputs = BTreeMap::from([
            (
                "deploy".to_owned(),
                json!({"site_url": "u", "note": "first"}),
            ),
            (
                "verify".to_owned(),
                json!({"verification": {"ok": true}, "note": "last"}),
            ),
        ]);
        assert_eq!(
            merged_outputs(&steps, &outputs),
            json!({"site_url": "u", "verification": {"ok": true}, "note": "last"})
        );
    }
}
