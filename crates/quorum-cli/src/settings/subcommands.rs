//! The subcommands `quorum` takes, one per role or chore, with the flags only they read.

use std::path::PathBuf;

use clap::Subcommand;

use super::default_workers;

#[derive(Subcommand)]
pub enum Command {
    /// Run the API server.
    Serve {
        /// Create demo councils, members, agents and history on an empty database, and allow
        /// reads without a token.
        #[arg(long)]
        demo: bool,
    },
    /// Run workers only: claim approved workflows from the queue and run them, until SIGTERM.
    Worker,
    /// Apply database migrations and register the built-in workflow types.
    Migrate,
    /// Write demo history in bulk: the seed's agents, councils and types over a year.
    DemoData {
        #[arg(long, default_value_t = 10_000)]
        workflows: u64,
        #[arg(long, default_value_t = 5_000)]
        batch_size: usize,
        /// Random seed, for reproducible data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Recompute the analytics aggregates by a full scan and compare them with the stored ones.
    CheckAggregates,
    /// Measure throughput on the configured database and queue (use a fresh one).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage the key the dashboards seal their cookies with, shared by every server.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Manage workflow types.
    Types {
        #[command(subcommand)]
        command: TypesCommand,
    },
}

#[derive(Subcommand)]
pub enum BenchCommand {
    /// No-op jobs: enqueue them all, then claim and acknowledge them with --workers tasks.
    Queue {
        #[arg(long, default_value_t = 20_000)]
        jobs: u64,
        #[arg(long, default_value_t = 1)]
        workers: usize,
        /// Jobs per claim.
        #[arg(long, default_value_t = 100)]
        batch: usize,
    },
    /// Whole workflows of a type with no-op steps and no vote, created while this process's
    /// --workers run them (as many as `quorum serve` runs unless told otherwise).
    Workflows {
        #[arg(long, default_value_t = 2_000)]
        workflows: u64,
        #[arg(long, default_value_t = default_workers())]
        workers: usize,
        #[arg(long, default_value_t = 8)]
        steps: usize,
    },
    /// Workflows of one `core.wait` step, due at random times within one minute that begins
    /// --lead seconds from now, run by this process's --workers: how late each resumes.
    Waits {
        #[arg(long, default_value_t = 10_000)]
        waits: u64,
        #[arg(long, default_value_t = default_workers())]
        workers: usize,
        /// Seconds from the start to the minute the waits are due in: time to create them all.
        #[arg(long, default_value_t = 60)]
        lead: u64,
    },
    /// Website workflows proposed, approved by two council members, then generated, deployed
    /// and verified by this process's --workers against a server it runs.
    Websites {
        #[arg(long, default_value_t = 500)]
        workflows: u64,
        #[arg(long, default_value_t = default_workers())]
        workers: usize,
        /// Which website type: basic, landing, affiliate or store (each from its fixture).
        #[arg(long, default_value = "basic")]
        r#type: String,
    },
    /// Checkouts posted over HTTP to a store this process builds and serves, from
    /// --connections clients at once, each order priced, stocked and e-mailed (to the outbox).
    Orders {
        #[arg(long, default_value_t = 10_000)]
        orders: u64,
        #[arg(long, default_value_t = 16)]
        connections: usize,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Print a new token for a principal, creating the principal when --kind is given.
    Create {
        /// The principal's id, e.g. agent_jermaine_super_action.
        principal: String,
        /// Create the principal as this kind (agent or user) if it does not exist.
        #[arg(long)]
        kind: Option<String>,
        /// Roles for a new principal, comma-separated: admin, agent, member, viewer.
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
        /// Display name for a new principal.
        #[arg(long)]
        name: Option<String>,
    },
    /// Revoke every token of a principal and end its dashboard sessions, on every server.
    Revoke {
        /// The principal's id.
        principal: String,
    },
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Make a new signing key for every server; the previous one keeps opening what it
    /// sealed for a session's lifetime (12 hours), and keys retired longer ago are deleted.
    Rotate,
}

#[derive(Subcommand)]
pub enum TypesCommand {
    /// List registered types.
    List,
    /// Print a type's definition (latest version unless --version).
    Show {
        id: String,
        #[arg(long)]
        version: Option<i64>,
    },
    /// Register a definition file (.json or .toml) as its type's next version.
    Register { file: PathBuf },
}
