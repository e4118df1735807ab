//! What each subcommand does: thin wrappers over the service. Here, opening the core and
//! choosing the subcommand, and the data commands; the long-running roles and the
//! administration commands have a module each.

mod admin;
mod serve;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use quorum_service::{Mailer, Quorum, RetryPolicy, demo};
use quorum_steps::StepEnv;

use crate::backends;
use crate::bench;
use crate::settings::{BenchCommand, Cli, Command, Settings};

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

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = cli.settings;
    match cli.command {
        Command::Serve { demo } => serve::serve(&settings, demo).await?,
        Command::Worker => serve::worker(&settings).await?,
        Command::Migrate => {
            let quorum = open(&settings, None, false).await?;
            println!(
                "migrated the {} database; built-in workflow types registered",
                quorum.database_backend()
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
                BenchCommand::Waits {
                    waits,
                    workers,
                    lead,
                } => bench::waits(&quorum, waits, workers, lead).await?,
                BenchCommand::Websites {
                    workflows,
                    workers,
                    r#type,
                } => bench::websites(&quorum, workflows, workers, &r#type).await?,
                BenchCommand::Orders {
                    orders,
                    connections,
                } => bench::orders(&quorum, orders, connections).await?,
            };
            println!("{result}");
        }
        Command::Token { command } => admin::token(&settings, command).await?,
        Command::Keys { command } => admin::keys(&settings, command).await?,
        Command::Types { command } => admin::types(&settings, command).await?,
    }
    Ok(ExitCode::SUCCESS)
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
        quorum.database_backend(),
        workflows as f64 / seconds.max(1e-9)
    );
    Ok(())
}
