//! The long-running roles: `quorum serve` (the API, the dashboards and, unless told
//! otherwise, workers) and `quorum worker`, and how both stop on SIGTERM or Ctrl-C.

use std::time::Duration;

use anyhow::Context;
use quorum_service::{WorkerConfig, auth, demo};
use quorum_store::{PageRequest, WorkflowFilter};

use super::open;
use crate::settings::Settings;

/// Demo mode fills an empty database with this many workflows.
const DEMO_WORKFLOWS: u64 = 300;

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
pub(super) async fn worker(settings: &Settings) -> anyhow::Result<()> {
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

pub(super) async fn serve(settings: &Settings, demo_mode: bool) -> anyhow::Result<()> {
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
            // Built for real: the workers deploy two sites, and one waits with its preview.
            demo::showcase(&quorum)
                .await
                .context("proposing the demo's real workflows")?;
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
    tracing::info!(bind = %settings.bind, backend = quorum.database_backend(), "serving");
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
