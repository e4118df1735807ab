//! What each subcommand does: thin wrappers over the service.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use quorum_domain::{PrincipalKind, Role};
use quorum_service::{
    Mailer, NewPrincipal, Quorum, RetryPolicy, ServiceError, WorkerConfig, auth, demo,
};
use quorum_steps::StepEnv;
use quorum_store::{PageRequest, WorkflowFilter};
use serde_json::Value;

use crate::backends;
use crate::bench;
use crate::settings::{
    BenchCommand, Cli, Command, KeysCommand, Settings, TokenCommand, TypesCommand,
};

/// Demo mode fills an empty database with this many workflows.
const DEMO_WORKFLOWS: u64 = 300;

async fn open(
    settings: &Settings,
    admin_token: Option<&str>,
    public_reads: bool,
) -> anyhow::Result<Quorum> {
    let (store, queue) = backends::open(settings).await?;
    let quorum = Quorum::new(store, admin_token, public_reads)
        .with_queue(queue)
        .with_step_env(StepEnv {
            data_dir: settings.data_dir.clone(),
            public_url: settings.public_url(),
        })
        .with_retry_policy(RetryPolicy {
            base: Duration::from_millis(settings.retry_base_ms.max(1)),
            ..RetryPolicy::default()
        })
        .with_site_deployments_kept(settings.site_deployments_kept);
    let quorum = match &settings.smtp_url {
        Some(url) => quorum.with_mailer(
            Mailer::new(url, &settings.smtp_from).context("configuring SMTP (QUORUM_SMTP_URL)")?,
        ),
        None => quorum,
    };
    quorum.prepare().await.context("migrating the database")?;
    Ok(quorum)
}

fn worker_config(settings: &Settings) -> WorkerConfig {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "quorum".into());
    WorkerConfig {
        concurrency: settings.workers,
        lease: Duration::from_secs(settings.lease_seconds.max(1)),
        grace: Duration::from_secs(settings.shutdown_grace_seconds),
        name: format!("{host}-{}", std::process::id()),
        ..WorkerConfig::default()
    }
}

/// `quorum worker`: workers and nothing else, until SIGTERM or Ctrl-C; then a drain.
async fn worker(settings: &Settings) -> anyhow::Result<()> {
    let quorum = open(settings, None, false).await?;
    quorum
        .listen_for_changes()
        .await
        .context("listening for database notifications")?;
    let config = worker_config(settings);
    println!(
        "Quorum worker {} running {} workflows at once from the {} queue",
        config.name,
        config.concurrency,
        quorum.queue().backend()
    );
    let pool = quorum.spawn_workers(config);
    shutdown_signal().await;
    pool.shutdown().await;
    tracing::info!("workers stopped");
    Ok(())
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = cli.settings;
    match cli.command {
        Command::Serve { demo } => serve(&settings, demo).await?,
        Command::Worker => worker(&settings).await?,
        Command::Migrate => {
            let quorum = open(&settings, None, false).await?;
            println!(
                "migrated the {} database; built-in workflow types registered",
                quorum.store().backend()
            );
        }
        Command::DemoData {
            workflows,
            batch_size,
            seed,
        } => demo_data(&settings, workflows, batch_size, seed).await?,
        Command::CheckAggregates => {
            let quorum = open(&settings, None, false).await?;
            let differences = quorum.check_aggregates().await?;
            if !differences.is_empty() {
                for d in &differences {
                    println!("{d}");
                }
                println!(
                    "{} aggregate rows differ from a full scan",
                    differences.len()
                );
                return Ok(ExitCode::FAILURE);
            }
            println!("aggregates match a full scan of the workflows");
        }
        Command::Bench { command } => {
            let quorum = open(&settings, None, false).await?;
            let result = match command {
                BenchCommand::Queue {
                    jobs,
                    workers,
                    batch,
                } => bench::queue(&quorum, jobs, workers, batch).await?,
                BenchCommand::Workflows {
                    workflows,
                    workers,
                    steps,
                } => bench::workflows(&quorum, workflows, workers, steps).await?,
                BenchCommand::Websites { workflows, workers } => {
                    bench::websites(&quorum, workflows, workers).await?
                }
            };
            println!("{result}");
        }
        Command::Token { command } => token(&settings, command).await?,
        Command::Keys { command } => keys(&settings, command).await?,
        Command::Types { command } => types(&settings, command).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(settings: &Settings, demo_mode: bool) -> anyhow::Result<()> {
    let generated;
    let admin_token = match (&settings.admin_token, demo_mode) {
        (Some(token), _) => Some(token.as_str()),
        (None, true) => {
            generated = auth::new_token();
            Some(generated.as_str())
        }
        (None, false) => None,
    };
    let quorum = open(settings, admin_token, demo_mode).await?;
    let listener = tokio::net::TcpListener::bind(settings.bind)
        .await
        .with_context(|| format!("binding {}", settings.bind))?;
    let url = settings.public_url();
    if demo_mode {
        let tokens = demo::ensure_directory(&quorum).await?;
        let existing = quorum
            .list_workflows(
                &WorkflowFilter::default(),
                &PageRequest::Offset {
                    limit: 1,
                    offset: 0,
                },
            )
            .await?;
        if existing.total == 0 {
            demo::load(&quorum, DEMO_WORKFLOWS, 1_000, rand::random(), |_| {}).await?;
        }
        println!("Quorum demo is running at {url}/");
        println!("  API:       {url}/api/workflows   (reads need no token in demo mode)");
        println!("  OpenAPI:   {url}/api/openapi.json");
        if settings.admin_token.is_none() {
            println!(
                "  admin token (this run only): {}",
                admin_token.unwrap_or_default()
            );
        }
        if tokens.is_empty() {
            println!(
                "  demo principals exist already; make tokens with `quorum token create <id>`"
            );
        }
        for (id, token) in tokens {
            println!("  token for {id:<28} {token}");
        }
    } else {
        println!("Quorum is running at {url}/");
    }
    quorum
        .spawn_background(
            std::time::Duration::from_secs(settings.sweep_seconds.max(1)),
            settings.event_retention(),
        )
        .await
        .context("starting the sweeper and listener")?;
    let warming = quorum.clone();
    tokio::spawn(async move {
        if let Err(e) = warming.warm_dashboards().await {
            tracing::warn!(error = %e, "warming the analytics failed; the first visit will compute them");
        }
    });
    tracing::info!(bind = %settings.bind, backend = quorum.store().backend(), "serving");
    let workers = (settings.workers > 0).then(|| quorum.spawn_workers(worker_config(settings)));
    quorum_web::serve(
        listener,
        quorum_web::router(quorum),
        settings.server_limits(),
        shutdown_signal(),
    )
    .await;
    if let Some(workers) = workers {
        workers.shutdown().await;
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn demo_data(
    settings: &Settings,
    workflows: u64,
    batch_size: usize,
    seed: u64,
) -> anyhow::Result<()> {
    if batch_size == 0 {
        bail!("--batch-size must be 1 or more");
    }
    let quorum = open(settings, None, false).await?;
    demo::ensure_directory(&quorum).await?;
    let bar = ProgressBar::new(workflows);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} {bar:40} {pos}/{len} workflows ({per_sec}, {eta} left)",
        )
        .expect("progress template")
        .progress_chars("█▉ "),
    );
    let started = Instant::now();
    demo::load(&quorum, workflows, batch_size, seed, |written| {
        bar.set_position(written)
    })
    .await?;
    bar.finish();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "wrote {workflows} workflows with their votes, metrics and audit trail to {} in {seconds:.1} s ({:.0}/s)",
        quorum.store().backend(),
        workflows as f64 / seconds.max(1e-9)
    );
    Ok(())
}

async fn token(settings: &Settings, command: TokenCommand) -> anyhow::Result<()> {
    let quorum = open(settings, None, false).await?;
    let admin = auth::admin_principal();
    let (principal, kind, roles, name) = match command {
        TokenCommand::Create {
            principal,
            kind,
            roles,
            name,
        } => (principal, kind, roles, name),
        TokenCommand::Revoke { principal } => {
            let revoked = quorum.revoke_tokens(&admin, &principal).await?;
            println!(
                "revoked {} token(s) of {principal}; its dashboard sessions have ended",
                revoked.revoked_tokens
            );
            return Ok(());
        }
    };
    let exists = quorum.store().get_principal(&principal).await.is_ok();
    let token = if exists {
        quorum.create_token(&admin, &principal).await?
    } else {
        let Some(kind) = kind else {
            bail!(
                "there is no principal {principal:?}; pass --kind agent|user (and --roles) to create it"
            );
        };
        let kind = PrincipalKind::parse(&kind).context("--kind must be agent or user")?;
        let roles = roles
            .iter()
            .map(|r| {
                Role::parse(r).with_context(|| {
                    format!("unknown role {r:?}: use admin, agent, member or viewer")
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let new = NewPrincipal {
            id: principal.clone(),
            kind,
            roles: (!roles.is_empty()).then_some(roles),
            name,
        };
        quorum
            .create_principal(&admin, new)
            .await
            .map_err(describe)?
            .token
    };
    println!("{token}");
    eprintln!("token for {principal}: shown once, keep it safe");
    Ok(())
}

async fn keys(settings: &Settings, command: KeysCommand) -> anyhow::Result<()> {
    let quorum = open(settings, None, false).await?;
    match command {
        KeysCommand::Rotate => {
            let rotated = quorum.keys().rotate().await?;
            println!("{} is the current signing key", rotated.current);
            for (id, until) in rotated.retired {
                println!(
                    "{id} is retired and opens what it sealed until {}",
                    until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                );
            }
        }
    }
    Ok(())
}

async fn types(settings: &Settings, command: TypesCommand) -> anyhow::Result<()> {
    let quorum = open(settings, None, false).await?;
    match command {
        TypesCommand::List => {
            println!(
                "{:<28} {:>7} {:<10} {:<11} name",
                "id", "version", "domain", "executable"
            );
            for t in quorum.registry().list().await? {
                let text = |key: &str| {
                    t.definition
                        .get(key)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                println!(
                    "{:<28} {:>7} {:<10} {:<11} {}",
                    t.id,
                    t.version,
                    text("domain"),
                    if t.executable { "yes" } else { "not yet" },
                    text("name")
                );
            }
        }
        TypesCommand::Show { id, version } => {
            let compiled = quorum
                .registry()
                .get(&id, version)
                .await
                .map_err(describe)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&compiled.record.definition)?
            );
        }
        TypesCommand::Register { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let definition: Value = if file.extension().is_some_and(|e| e == "toml") {
                toml::from_str(&text)
                    .with_context(|| format!("{} is not valid TOML", file.display()))?
            } else {
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not valid JSON", file.display()))?
            };
            let record = quorum
                .registry()
                .register(&auth::admin_principal(), definition)
                .await
                .map_err(describe)?;
            println!("registered {} version {}", record.id, record.version);
        }
    }
    Ok(())
}

/// A service error as a readable multi-line message, details included.
fn describe(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid { message, details }
        | ServiceError::BadRequest { message, details } => {
            let lines: Vec<String> = details
                .iter()
                .map(|d| format!("  {}: {} ({})", d.field, d.message, d.rule))
                .collect();
            anyhow::anyhow!("{message}\n{}", lines.join("\n"))
        }
        other => anyhow::anyhow!(other),
    }
}
