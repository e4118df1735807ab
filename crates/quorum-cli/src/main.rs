//! `quorum`: one binary, a subcommand per role.

mod backends;
mod bench;
mod commands;
mod settings;

use clap::Parser;

use settings::Cli;

/// A server's work is many short allocations on several threads at once (pages rendered,
/// parsed and compressed, JSON, rows): glibc's allocator spent a fifth of a website
/// workflow's CPU time on them, mimalloc less than half of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
