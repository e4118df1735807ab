//! Command line and configuration: every setting is a flag and an environment variable; the
//! subcommands and their own flags are in [`subcommands`].

mod subcommands;

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser};

pub use subcommands::{BenchCommand, Command, KeysCommand, TokenCommand, TypesCommand};

#[derive(Parser)]
#[command(
    name = "quorum",
    version,
    about = "Quorum: agents propose workflows, councils vote, workers run them."
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Settings {
    /// Where the API and dashboards listen.
    #[arg(
        long,
        env = "QUORUM_BIND",
        default_value = "127.0.0.1:5000",
        global = true
    )]
    pub bind: SocketAddr,
    /// Where the embedded database lives (deployed sites are in the database).
    #[arg(
        long,
        env = "QUORUM_DATA_DIR",
        default_value = "./quorum-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; default: a SQLite file in the data dir.
    #[arg(long, env = "QUORUM_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// A token with every right. In demo mode one is generated when unset.
    #[arg(
        long,
        env = "QUORUM_ADMIN_TOKEN",
        global = true,
        hide_env_values = true
    )]
    pub admin_token: Option<String>,
    /// The URL clients reach this server at; default `http://{bind}`.
    #[arg(long, env = "QUORUM_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Database connections per process; default twice the cores. More only adds context
    /// switches: on 2 cores, 16 connections had a worse p99 than 4.
    #[arg(long, env = "QUORUM_DB_CONNECTIONS", default_value_t = default_connections(), global = true)]
    pub db_connections: u32,
    /// How often undecided workflows past their council's voting window are expired.
    #[arg(
        long,
        env = "QUORUM_SWEEP_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub sweep_seconds: u64,
    /// The sweeper deletes events of finished workflows older than this; a pending or running
    /// workflow keeps every event of its own, however old.
    #[arg(
        long,
        env = "QUORUM_EVENT_RETENTION_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub event_retention_days: u32,
    /// The queue workers consume: `db` (the database itself) or `redis://…` (Redis Streams).
    #[arg(long, env = "QUORUM_QUEUE", default_value = "db", global = true)]
    pub queue: String,
    /// Workflows each process runs at once: in-process workers under `serve` (0: none, leave
    /// it to `quorum worker` processes) and the workers of `quorum worker`.
    #[arg(long, env = "QUORUM_WORKERS", default_value_t = default_workers(), global = true)]
    pub workers: usize,
    /// How long a claimed workflow stays held without a heartbeat; the same for every worker.
    #[arg(
        long,
        env = "QUORUM_LEASE_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub lease_seconds: u64,
    /// On SIGTERM, how long running steps may take before their workflows are handed back.
    #[arg(
        long,
        env = "QUORUM_SHUTDOWN_GRACE_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_grace_seconds: u64,
    /// The wait before a failed attempt's first retry; it doubles with each further failure.
    #[arg(
        long,
        env = "QUORUM_RETRY_BASE_MS",
        default_value_t = 1_000,
        global = true
    )]
    pub retry_base_ms: u64,
    /// The newest deployments kept per site, for rollback (the live one is kept whatever its
    /// age); older ones, and the files only they used, are removed when the site is deployed.
    #[arg(
        long,
        env = "QUORUM_SITE_DEPLOYMENTS_KEPT",
        default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub site_deployments_kept: u32,
    /// `smtp://HOST:PORT`: where contact-form messages are sent. Unset, they are kept in the
    /// outbox (`GET /api/sites/{slug}/messages`).
    #[arg(long, env = "QUORUM_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,
    /// How long a client may take to send a request's headers (from connecting, or from its
    /// previous response) before its connection is closed. A browser sends them at once.
    #[arg(
        long,
        env = "QUORUM_HEADER_READ_TIMEOUT_SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub header_read_timeout_seconds: u64,
    /// Open connections per client IP address; more are closed at once. A browser opens about
    /// six per host. Behind a reverse proxy every client arrives from the proxy's address:
    /// raise it there.
    #[arg(
        long,
        env = "QUORUM_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub max_connections_per_address: u32,
    /// The sender of contact-form mail.
    #[arg(
        long,
        env = "QUORUM_SMTP_FROM",
        default_value = "Quorum <quorum@localhost>",
        global = true
    )]
    pub smtp_from: String,
}

fn default_workers() -> usize {
    quorum_service::default_workers()
}

fn default_connections() -> u32 {
    std::thread::available_parallelism().map_or(4, |n| 2 * n.get() as u32)
}

impl Settings {
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("quorum.db").display()))
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind))
            .trim_end_matches('/')
            .to_owned()
    }

    pub fn event_retention(&self) -> chrono::Duration {
        chrono::Duration::days(i64::from(self.event_retention_days))
    }

    pub fn server_limits(&self) -> quorum_web::ServerLimits {
        quorum_web::ServerLimits {
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_seconds),
            max_connections_per_address: self.max_connections_per_address as usize,
        }
    }
}

fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Secrets stay out of logs: the admin token and database passwords are redacted.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted_url = redact_url(&self.database_url());
        f.debug_struct("Settings")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redacted_url)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "***"))
            .field("public_url", &self.public_url())
            .field("db_connections", &self.db_connections)
            .field("sweep_seconds", &self.sweep_seconds)
            .field("event_retention_days", &self.event_retention_days)
            .field("queue", &redact_url(&self.queue))
            .field("workers", &self.workers)
            .field("lease_seconds", &self.lease_seconds)
            .field("shutdown_grace_seconds", &self.shutdown_grace_seconds)
            .field("retry_base_ms", &self.retry_base_ms)
            .field(
                "header_read_timeout_seconds",
                &self.header_read_timeout_seconds,
            )
            .field(
                "max_connections_per_address",
                &self.max_connections_per_address,
            )
            .field("site_deployments_kept", &self.site_deployments_kept)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("smtp_from", &self.smtp_from)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(args).unwrap()
    }

    #[test]
    fn flags_override_environment_and_environment_overrides_defaults() {
        // Each case owns its variable, so the tests do not race on the environment.
        let cli = parse(&["quorum", "migrate"]);
        assert_eq!(cli.settings.bind.to_string(), "127.0.0.1:5000");
        assert!(cli.settings.database_url().starts_with("sqlite://"));
        let cli = parse(&[
            "quorum",
            "--bind",
            "0.0.0.0:8080",
            "--database-url",
            "postgres://u:secret@db/q",
            "migrate",
        ]);
        assert_eq!(cli.settings.bind.to_string(), "0.0.0.0:8080");
        assert_eq!(cli.settings.public_url(), "http://0.0.0.0:8080");
        let shown = format!("{:?}", cli.settings);
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[test]
    fn the_server_limits_default_to_what_no_browser_reaches_and_take_flags() {
        let limits = parse(&["quorum", "serve"]).settings.server_limits();
        assert_eq!(limits.header_read_timeout.as_secs(), 30);
        assert_eq!(limits.max_connections_per_address, 256);
        let limits = parse(&[
            "quorum",
            "--header-read-timeout-seconds",
            "5",
            "--max-connections-per-address",
            "10000",
            "serve",
        ])
        .settings
        .server_limits();
        assert_eq!(limits.header_read_timeout.as_secs(), 5);
        assert_eq!(limits.max_connections_per_address, 10_000);
        // Zero would close every connection.
        for flag in [
            "--header-read-timeout-seconds",
            "--max-connections-per-address",
        ] {
            assert!(Cli::try_parse_from(["quorum", flag, "0", "serve"]).is_err());
        }
    }

    #[test]
    fn events_are_kept_thirty_days_unless_told_and_never_zero() {
        let kept = parse(&["quorum", "serve"]).settings.event_retention();
        assert_eq!(kept, chrono::Duration::days(30));
        let kept = parse(&["quorum", "--event-retention-days", "7", "serve"])
            .settings
            .event_retention();
        assert_eq!(kept, chrono::Duration::days(7));
        // Zero would delete a finished workflow's events as soon as it finished.
        assert!(Cli::try_parse_from(["quorum", "--event-retention-days", "0", "serve"]).is_err());
    }

    #[test]
    fn the_admin_token_never_appears_in_debug_output() {
        let cli = parse(&["quorum", "--admin-token", "hunter2hunter2", "serve"]);
        assert!(!format!("{:?}", cli.settings).contains("hunter2"));
    }
}
