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
    // As the workers do: each claim hands in the last one's jobs.
    let mut finished = Vec::new();
    loop {
        let (acked, leases) = queue
            .ack_and_claim(&finished, &worker, batch, LEASE)
            .await?;
        done.fetch_add(acked, Ordering::Relaxed);
        if leases.is_empty() {
            return Ok(());
        }
        finished = leases;
    }
}

/// Registers a benchmark type (`fields` over a type needing no vote, run once, saving
/// nothing to speak of) and starts `workers` on this process.
async fn bench_type(
    quorum: &Quorum,
    workers: usize,
    fields: Value,
) -> anyhow::Result<quorum_service::WorkerPool> {
    demo::ensure_directory(quorum).await?;
    let mut definition = json!({
        "domain": "media",
        "category": "Benchmark",
        "estimated_duration_seconds": 1,
        "outputs": {},
        "success_criteria": [],
        "oversight": {"required": false},
        "review_criteria": [],
        "savings_model": {"tasks_automated": "Nothing", "minutes_saved_per_week": 1, "hourly_rate": 60},
        "max_attempts": 1
    });
    for (key, value) in fields.as_object().cloned().unwrap_or_default() {
        definition[key] = value;
    }
    quorum
        .registry()
        .register(&auth::admin_principal(), definition)
        .await?;
    Ok(quorum.spawn_workers(WorkerConfig {
        concurrency: workers,
        name: "bench".into(),
        ..WorkerConfig::default()
    }))
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
    let steps: Vec<Value> = (0..steps)
        .map(|i| json!({"name": format!("step_{i}"), "title": format!("Step {i}"), "estimated_seconds": 1, "handler": "core.noop"}))
        .collect();
    let pool = bench_type(
        quorum,
        workers,
        json!({
            "id": "bench.noop",
            "name": "No-op benchmark",
            "description": "Steps that do nothing: measures Quorum itself.",
            "input_schema": {"type": "object"},
            "steps": steps,
        }),
    )
    .await?;
    let agent = quorum.principal("agent_jermaine_super_action").await?;
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

/// Timer precision: `count` workflows of one `core.wait` step, due at random times within the
/// minute that begins `lead` seconds from now, run by `workers` of this process, which hold
/// none of them while they wait. Each one's lateness is when its step resumed (its record's
/// `started_at` once woken) less the time it waited for.
pub async fn waits(
    quorum: &Quorum,
    count: u64,
    workers: usize,
    lead: u64,
) -> anyhow::Result<Value> {
    if count == 0 || workers == 0 {
        bail!("--waits and --workers must be 1 or more");
    }
    let pool = bench_type(
        quorum,
        workers,
        json!({
            "id": "bench.wait",
            "name": "Wait benchmark",
            "description": "One step that waits for a time: measures Quorum's timers.",
            "input_schema": {"type": "object", "properties": {"wait_until": {"type": "string", "format": "date-time"}}},
            "steps": [{"name": "wait", "title": "Wait", "estimated_seconds": 1, "handler": "core.wait"}],
        }),
    )
    .await?;
    let agent = quorum.principal("agent_jermaine_super_action").await?;
    let minute = quorum_domain::time::now() + chrono::Duration::seconds(lead as i64);
    let mut ids = Vec::with_capacity(count as usize);
    let started = Instant::now();
    for _ in 0..count {
        let until = minute + chrono::Duration::milliseconds(rand::random_range(0..60_000));
        let request = CreateWorkflow {
            workflow_type_id: "bench.wait".into(),
            inputs: json!({"wait_until": until.to_rfc3339()}),
            calculated_savings: None,
            assigned_council_id: None,
            enqueue: None,
        };
        ids.push(quorum.create_workflow(&agent, request).await?.id);
    }
    let created = started.elapsed();
    if quorum_domain::time::now() >= minute {
        bail!("creating {count} waits took {created:?}, past --lead {lead}: give a longer lead");
    }
    let (before, _) = ended(quorum, "bench.wait").await?;
    loop {
        let done = ended(quorum, "bench.wait").await?.0 - before;
        if done as u64 >= count {
            break;
        }
        if quorum_domain::time::now() > minute + chrono::Duration::seconds(660) {
            bail!("only {done} of {count} waits ended ten minutes after their minute");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    pool.shutdown().await;
    let mut late = Vec::with_capacity(ids.len());
    for id in &ids {
        let detail = quorum.store().get_workflow(id).await?;
        let step = detail
            .steps
            .first()
            .ok_or_else(|| anyhow::anyhow!("{id} has no step record"))?;
        let (Some(woke), Some(until)) = (step.started_at, step.wake_at) else {
            bail!("{id}'s step did not wait: {step:?}");
        };
        late.push((woke - until).num_microseconds().unwrap_or(i64::MAX) as f64 / 1_000.0);
    }
    late.sort_by(f64::total_cmp);
    let at = |p: usize| late[(late.len() * p / 100).min(late.len() - 1)];
    Ok(json!({
        "bench": "waits",
        "database": quorum.database_backend(),
        "queue": quorum.queue().backend(),
        "waits": count,
        "workers": workers,
        "create_per_s": per_second(count, created),
        "early": late.iter().filter(|ms| **ms < 0.0).count(),
        "late_ms": {"p50": at(50), "p90": at(90), "p99": at(99), "max": late[late.len() - 1]},
    }))
}

/// Website workflows end to end on this process: an agent proposes each, two of the media
/// council's three members approve it, and the in-process workers generate, deploy and
/// verify the site over HTTP against a server this command runs. Times each workflow from
/// proposal to completion, and its three heavy steps (generate, deploy, verify) together.
pub async fn websites(
    quorum: &Quorum,
    count: u64,
    workers: usize,
    kind: &str,
) -> anyhow::Result<Value> {
    if count == 0 || workers == 0 {
        bail!("--workflows and --workers must be 1 or more");
    }
    let site = SiteType::named(kind)?;
    let (quorum, _) = serving(quorum).await?;
    demo::ensure_directory(&quorum).await?;
    let agent = quorum.principal("agent_jermaine_super_action").await?;
    let members = site.members(&quorum).await?;
    let type_id = site.type_id();
    let pool = quorum.spawn_workers(WorkerConfig {
        concurrency: workers,
        name: "bench".into(),
        ..WorkerConfig::default()
    });
    // Count finished workflows from the aggregates (cheap), and read details once at the end.
    let (before, _) = ended(&quorum, type_id).await?;
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
                        workflow_type_id: site.type_id().into(),
                        inputs: site.inputs(&format!("Bench {run} {n} {i}")),
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
        let (completed, failed) = ended(&quorum, type_id).await?;
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
        "type": type_id,
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

/// `quorum`, serving its router on a port of its own with its steps' public URL there.
async fn serving(quorum: &Quorum) -> anyhow::Result<(Quorum, std::net::SocketAddr)> {
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
    Ok((quorum, address))
}

/// The website types the bench builds, each from the content its tests use.
#[derive(Clone, Copy)]
enum SiteType {
    Basic,
    Landing,
    Affiliate,
    Store,
}

impl SiteType {
    fn named(name: &str) -> anyhow::Result<SiteType> {
        Ok(match name {
            "basic" => SiteType::Basic,
            "landing" => SiteType::Landing,
            "affiliate" => SiteType::Affiliate,
            "store" => SiteType::Store,
            other => bail!("--type must be basic, landing, affiliate or store, not {other:?}"),
        })
    }

    fn type_id(self) -> &'static str {
        match self {
            SiteType::Basic => "website.create_basic_site",
            SiteType::Landing => "website.create_landing_page",
            SiteType::Affiliate => "website.create_affiliate_site",
            SiteType::Store => "website.create_ecommerce_store",
        }
    }

    /// Inputs for a site called `name` (its slug made from it, so each workflow has its own).
    fn inputs(self, name: &str) -> Value {
        let fixture = match self {
            SiteType::Basic => {
                return json!({
                    "site_name": name,
                    "site_description": "A site generated to measure Quorum.",
                    "contact_email": "owner@example.com",
                });
            }
            SiteType::Landing => include_str!("../../quorum-steps/fixtures/landing.json"),
            SiteType::Affiliate => include_str!("../../quorum-steps/fixtures/affiliate.json"),
            SiteType::Store => include_str!("../../quorum-steps/fixtures/shop.json"),
        };
        let mut inputs: Value = serde_json::from_str(fixture).expect("the fixtures are JSON");
        inputs["site_name"] = json!(name);
        if let Some(fields) = inputs.as_object_mut() {
            fields.remove("site_slug");
        }
        inputs
    }

    /// Two members of the council that owns the type.
    async fn members(self, quorum: &Quorum) -> anyhow::Result<[quorum_domain::Principal; 2]> {
        let ids = match self {
            SiteType::Store => ["user_commerce_lead", "user_commerce_finance"],
            _ => ["user_council_lead", "user_media_editor"],
        };
        Ok([
            quorum.principal(ids[0]).await?,
            quorum.principal(ids[1]).await?,
        ])
    }
}

/// Checkouts posted to a store over HTTP, `connections` at a time. One store is built first
/// (proposed, approved, generated, deployed and verified); each order then carries two lines
/// and a key of its own, and is priced, stocked, kept and e-mailed to the shop and the
/// customer (the outbox: no SMTP server). Clients come from distinct loopback addresses, eight
/// orders each, so the per-address limit (ten a minute) never refuses one.
pub async fn orders(quorum: &Quorum, count: u64, connections: usize) -> anyhow::Result<Value> {
    if count == 0 || connections == 0 {
        bail!("--orders and --connections must be 1 or more");
    }
    let (quorum, address) = serving(quorum).await?;
    demo::ensure_directory(&quorum).await?;
    let site = SiteType::Store;
    let agent = quorum.principal("agent_jermaine_super_action").await?;
    let mut inputs = site.inputs("Bench Bakery");
    // Stock enough for every order, so each takes its units and none is refused.
    inputs["shop"]["products"][0]["stock"] = json!(count * 2 + 10);
    let workflow = quorum
        .create_workflow(
            &agent,
            CreateWorkflow {
                workflow_type_id: site.type_id().into(),
                inputs,
                calculated_savings: None,
                assigned_council_id: None,
                enqueue: None,
            },
        )
        .await?;
    for member in site.members(&quorum).await? {
        let vote = quorum_service::VoteRequest {
            vote: quorum_domain::VoteChoice::Approve,
            reason: "benchmark".into(),
            on_behalf_of: None,
        };
        quorum.cast_vote(&member, &workflow.id, vote).await?;
    }
    let pool = quorum.spawn_workers(WorkerConfig {
        concurrency: 2,
        name: "bench".into(),
        ..WorkerConfig::default()
    });
    let built = Instant::now();
    loop {
        let detail = quorum.workflow(&workflow.id).await?;
        match detail.workflow.status {
            WorkflowStatus::Completed => break,
            WorkflowStatus::Failed => {
                bail!("the store failed to build: {:?}", detail.workflow.error)
            }
            _ if built.elapsed() > Duration::from_secs(60) => {
                bail!("the store was not built in a minute")
            }
            _ => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
    pool.shutdown().await;
    let url = format!("http://{address}/sites/bench-bakery/order");
    let cart = json!([
        {"product": "country-sourdough", "quantity": 2, "price": 850},
        {"product": "croissant", "options": {"Filling": "Almond"}, "quantity": 1, "price": 425}
    ])
    .to_string();
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (next, url, cart) = (next.clone(), url.clone(), cart.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut client: Option<(u64, reqwest::Client)> = None;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let group = i / 8;
                    if client.as_ref().is_none_or(|(g, _)| *g != group) {
                        // 127.1.0.1 onwards: a visitor of its own per eight orders.
                        let n = group + 1;
                        let from = std::net::Ipv4Addr::new(
                            127,
                            1 + (n >> 16) as u8,
                            (n >> 8) as u8,
                            n as u8,
                        );
                        let built = reqwest::Client::builder()
                            .local_address(std::net::IpAddr::V4(from))
                            .build()?;
                        client = Some((group, built));
                    }
                    let (_, http) = client.as_ref().expect("made above");
                    let key = format!("bench-order-{i:012}");
                    let form = [
                        ("cart", cart.as_str()),
                        ("idempotency_key", key.as_str()),
                        ("name", "Bench Customer"),
                        ("email", "customer@example.com"),
                        ("website", ""),
                    ];
                    let sent = Instant::now();
                    let answer = http
                        .post(&url)
                        .header("accept", "application/json")
                        .form(&form)
                        .send()
                        .await?;
                    let status = answer.status();
                    answer.bytes().await?;
                    latencies.push(sent.elapsed().as_micros() as i64);
                    if status != reqwest::StatusCode::CREATED {
                        bail!("order {i} answered {status}");
                    }
                }
                anyhow::Ok(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(count as usize);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at =
        |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize] as f64 / 1000.0;
    // The agent that built the store owns it, and may read its orders.
    let kept = quorum.site_orders(&agent, "bench-bakery", 1, 0).await?;
    Ok(json!({
        "bench": "orders",
        "database": quorum.database_backend(),
        "orders": count,
        "connections": connections,
        "orders_per_s": per_second(count, elapsed),
        "latency_ms": {"p50": at(0.5), "p99": at(0.99), "max": at(1.0)},
        "last_order": kept.first().map(|o| o.number.clone()),
    }))
}

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
