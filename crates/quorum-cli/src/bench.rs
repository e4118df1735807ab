//! `quorum bench`: throughput of the configured queue with no-op jobs, and of whole
//! workflows end to end, printed as one JSON line each so runs can be compared.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use quorum_domain::WorkflowStatus;
use quorum_queue::{Job, Queue};
use quorum_service::{CreateWorkflow, Quorum, WorkerConfig, auth, demo};
use quorum_store::{PageRequest, WorkflowFilter};
use serde_json::{Value, json};

const LEASE: Duration = Duration::from_secs(60);

/// Ids of `count` workflows the queue can carry: the database queue refers to real rows, so
/// demo history is written first.
async fn subjects(quorum: &Quorum, count: u64) -> anyhow::Result<Vec<String>> {
    demo::ensure_directory(quorum).await?;
    demo::load(quorum, count, 5_000, 7, |_| {}).await?;
    let mut ids = Vec::with_capacity(count as usize);
    let mut page = PageRequest::Offset {
        limit: 1_000,
        offset: 0,
    };
    loop {
        let found = quorum
            .list_workflows(&WorkflowFilter::default(), &page)
            .await?;
        ids.extend(found.workflows.into_iter().map(|w| w.id));
        match found.next_cursor {
            Some(cursor) if (ids.len() as u64) < count => {
                page = PageRequest::After {
                    limit: 1_000,
                    cursor,
                }
            }
            _ => break,
        }
    }
    ids.truncate(count as usize);
    Ok(ids)
}

fn per_second(n: u64, elapsed: Duration) -> f64 {
    (n as f64 / elapsed.as_secs_f64()).round()
}

/// Enqueue `jobs` in batches, then `workers` tasks claim `batch` at a time and acknowledge
/// them, until the queue is empty.
pub async fn queue(
    quorum: &Quorum,
    jobs: u64,
    workers: usize,
    batch: usize,
) -> anyhow::Result<Value> {
    if jobs == 0 || workers == 0 || batch == 0 {
        bail!("--jobs, --workers and --batch must be 1 or more");
    }
    let ids = subjects(quorum, jobs)
        .await
        .context("preparing workflows to queue")?;
    let queue = quorum.queue().clone();
    if queue.depth().await? != 0 {
        bail!("the queue is not empty; benchmark on a fresh database and queue");
    }
    let started = Instant::now();
    for chunk in ids.chunks(batch.max(100)) {
        let jobs: Vec<Job> = chunk.iter().map(|id| Job::now(id.clone())).collect();
        queue.enqueue(&jobs).await?;
    }
    let enqueued = started.elapsed();
    let done = Arc::new(AtomicU64::new(0));
    let processing = Instant::now();
    let tasks: Vec<_> = (0..workers)
        .map(|n| {
            let (queue, done) = (queue.clone(), done.clone());
            tokio::spawn(async move { drain(queue, format!("bench-{n}"), batch, done).await })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let processed = processing.elapsed();
    let acked = done.load(Ordering::Relaxed);
    if acked != jobs {
        bail!("{acked} of {jobs} jobs were acknowledged");
    }
    Ok(json!({
        "bench": "queue",
        "queue": queue.backend(),
        "jobs": jobs,
        "workers": workers,
        "batch": batch,
        "enqueue_jobs_per_s": per_second(jobs, enqueued),
        "process_jobs_per_s": per_second(jobs, processed),
        "end_to_end_jobs_per_s": per_second(jobs, enqueued + processed),
    }))
}

async fn drain(
    queue: Arc<dyn Queue>,
    worker: String,
    batch: usize,
    done: Arc<AtomicU64>,
) -> anyhow::Result<()> {
    loop {
        let leases = queue.claim(&worker, batch, LEASE).await?;
        if leases.is_empty() {
            return Ok(());
        }
        let acked = queue.ack(&leases).await?;
        done.fetch_add(acked, Ordering::Relaxed);
    }
}

/// Creates `count` workflows of a type with `steps` no-op steps and no vote, while this
/// process's workers run them, and times until the last completes.
pub async fn workflows(
    quorum: &Quorum,
    count: u64,
    workers: usize,
    steps: usize,
) -> anyhow::Result<Value> {
    if count == 0 || workers == 0 {
        bail!("--workflows and --workers must be 1 or more");
    }
    demo::ensure_directory(quorum).await?;
    let steps: Vec<Value> = (0..steps)
        .map(|i| json!({"name": format!("step_{i}"), "title": format!("Step {i}"), "estimated_seconds": 1, "handler": "core.noop"}))
        .collect();
    let definition = json!({
        "id": "bench.noop",
        "name": "No-op benchmark",
        "description": "Steps that do nothing: measures Quorum itself.",
        "domain": "media",
        "category": "Benchmark",
        "estimated_duration_seconds": 1,
        "input_schema": {"type": "object"},
        "outputs": {},
        "steps": steps,
        "success_criteria": [],
        "oversight": {"required": false},
        "review_criteria": [],
        "savings_model": {"tasks_automated": "Nothing", "minutes_saved_per_week": 1, "hourly_rate": 60},
        "max_attempts": 1
    });
    quorum
        .registry()
        .register(&auth::admin_principal(), definition)
        .await?;
    let agent = quorum.principal("agent_jermaine_super_action").await?;
    let pool = quorum.spawn_workers(WorkerConfig {
        concurrency: workers,
        name: "bench".into(),
        ..WorkerConfig::default()
    });
    let (before, _) = ended(quorum, "bench.noop").await?;
    let started = Instant::now();
    let creators: Vec<_> = (0..4u64)
        .map(|n| {
            let (quorum, agent) = (quorum.clone(), agent.clone());
            let share = count / 4 + u64::from(n < count % 4);
            tokio::spawn(async move {
                for _ in 0..share {
                    let request = CreateWorkflow {
                        workflow_type_id: "bench.noop".into(),
                        inputs: json!({}),
                        calculated_savings: None,
                        assigned_council_id: None,
                        enqueue: None,
                    };
                    quorum.create_workflow(&agent, request).await?;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for creator in creators {
        creator.await??;
    }
    let created = started.elapsed();
    loop {
        let done = ended(quorum, "bench.noop").await?.0 - before;
        if done as u64 >= count {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("only {done} of {count} workflows completed in ten minutes");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    pool.shutdown().await;
    Ok(json!({
        "bench": "workflows",
        "database": quorum.database_backend(),
        "queue": quorum.queue().backend(),
        "workflows": count,
        "steps": steps.len(),
        "workers": workers,
        "create_per_s": per_second(count, created),
        "workflows_per_s": per_second(count, elapsed),
    }))
}

/// Website workflows end to end on this process: an agent proposes each, two of the media
/// council's three members approve it, and the in-process workers generate, deploy and
/// verify the site over HTTP against a server this command runs. Times each workflow from
/// proposal to completion, and its three heavy steps (generate, deploy, verify) together.
pub async fn websites(quorum: &Quorum, count: u64, workers: usize) -> anyhow::Result<Value> {
    if count == 0 || workers == 0 {
        bail!("--workflows and --workers must be 1 or more");
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let quorum = quorum.clone().with_step_env(quorum_steps::StepEnv {
        data_dir: quorum.step_env().data_dir.clone(),
        public_url: format!("http://{address}"),
    });
    tokio::spawn(quorum_web::serve(
        listener,
        quorum_web::router(quorum.clone()),
        quorum_web::ServerLimits::default(),
        std::future::pending(),
    ));
    demo::ensure_directory(&quorum).await?;
    let agent = quorum.principal("agent_jermaine_super_action").await?;
    let members = [
        quorum.principal("user_council_lead").await?,
        quorum.principal("user_media_editor").await?,
    ];
    let pool = quorum.spawn_workers(WorkerConfig {
        concurrency: workers,
        name: "bench".into(),
        ..WorkerConfig::default()
    });
    // Count finished workflows from the aggregates (cheap), and read details once at the end.
    let (before, _) = ended(&quorum, WEBSITE).await?;
    let run = format!("{:x}", rand::random::<u32>());
    let started = Instant::now();
    // Agents propose and members vote concurrently, as many of them would.
    let proposers_count = 4u64;
    let proposers: Vec<_> = (0..proposers_count)
        .map(|n| {
            let (quorum, agent, members, run) =
                (quorum.clone(), agent.clone(), members.clone(), run.clone());
            let share = count / proposers_count + u64::from(n < count % proposers_count);
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..share {
                    let request = CreateWorkflow {
                        workflow_type_id: WEBSITE.into(),
                        inputs: json!({
                            "site_name": format!("Bench {run} {n} {i}"),
                            "site_description": "A site generated to measure Quorum.",
                            "contact_email": "owner@example.com",
                        }),
                        calculated_savings: None,
                        assigned_council_id: None,
                        enqueue: None,
                    };
                    let workflow = quorum.create_workflow(&agent, request).await?;
                    for member in &members {
                        let vote = quorum_service::VoteRequest {
                            vote: quorum_domain::VoteChoice::Approve,
                            reason: "benchmark".into(),
                            on_behalf_of: None,
                        };
                        quorum.cast_vote(member, &workflow.id, vote).await?;
                    }
                    ids.push(workflow.id);
                }
                anyhow::Ok(ids)
            })
        })
        .collect();
    let mut ids = Vec::new();
    for proposer in proposers {
        ids.extend(proposer.await??);
    }
    loop {
        let (completed, failed) = ended(&quorum, WEBSITE).await?;
        let done = completed - before;
        if done as u64 >= count {
            break;
        }
        if failed > 0 {
            bail!("{failed} website workflows failed");
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!("only {done} of {count} website workflows completed in ten minutes");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let elapsed = started.elapsed();
    pool.shutdown().await;
    let mut details = Vec::with_capacity(ids.len());
    for id in &ids {
        details.push(quorum.workflow(id).await?);
    }
    let mut end_to_end: Vec<i64> = details
        .iter()
        .filter_map(|d| {
            d.workflow
                .completed_at
                .map(|c| (c - d.workflow.created_at).num_milliseconds())
        })
        .collect();
    let mut build: Vec<i64> = details
        .iter()
        .map(|d| {
            d.steps
                .iter()
                .filter(|s| ["generate_pages", "deploy", "verify"].contains(&s.name.as_str()))
                .filter_map(|s| s.duration_ms)
                .sum()
        })
        .collect();
    let mut all_steps: Vec<i64> = details
        .iter()
        .map(|d| d.steps.iter().filter_map(|s| s.duration_ms).sum())
        .collect();
    Ok(json!({
        "bench": "websites",
        "database": quorum.database_backend(),
        "queue": quorum.queue().backend(),
        "workflows": count,
        "workers": workers,
        "websites_per_s": per_second(count, elapsed),
        "end_to_end_ms": percentiles(&mut end_to_end),
        "steps_ms": percentiles(&mut all_steps),
        "generate_deploy_verify_ms": percentiles(&mut build),
    }))
}

const WEBSITE: &str = "website.create_basic_site";

/// How many workflows of a type have completed and how many failed, from the aggregates
/// (one cheap read, so polling it does not load what is measured).
async fn ended(quorum: &Quorum, type_id: &str) -> anyhow::Result<(i64, i64)> {
    let filter = WorkflowFilter {
        workflow_type_id: Some(type_id.into()),
        ..WorkflowFilter::default()
    };
    let summary = quorum.metrics(&filter).await?;
    let count = |status: WorkflowStatus| summary.status_distribution[status.as_str()];
    Ok((
        count(WorkflowStatus::Completed),
        count(WorkflowStatus::Failed),
    ))
}

/// Median and 99th percentile, in milliseconds.
fn percentiles(values: &mut [i64]) -> Value {
    values.sort_unstable();
    let at = |q: f64| {
        values
            .get(((values.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(0)
    };
    json!({"median": at(0.5), "p99": at(0.99), "max": values.last().copied().unwrap_or(0)})
}
