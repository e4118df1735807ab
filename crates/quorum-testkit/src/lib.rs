//! Test helpers shared by Quorum's crates; a dev-dependency only, never linked into a binary.
//!
//! [`browser`] drives a real headless Chromium through chromedriver, so tests of generated
//! websites and server-rendered dashboards can check what a person would get: the page at
//! phone and desktop widths, no console errors, no serious accessibility violations, and a
//! screenshot to look at. [`smtp`] runs a real SMTP server (aiosmtpd) that tests read
//! messages back from. [`python_tool`] finds the other PyPI tools the tests run (the OpenAPI
//! validator). [`artifact_path`] says where such files go. [`PgSchema`] is a PostgreSQL
//! schema of a test's own, dropped after it. [`skip`] is how a test gives up when one of
//! them, PostgreSQL or Redis is missing, so `scripts/test` can list it at the end.

pub mod browser;
mod postgres;
mod skip;
pub mod smtp;

pub use postgres::{PgSchema, postgres_url};
pub use skip::{SKIPS_DIR_VAR, skip};

use std::path::{Path, PathBuf};

/// Where a test writes files meant for a person to look at afterwards (screenshots),
/// `<workspace>/target/test-artifacts/<relative>`.
///
/// Beside the build output rather than in a temporary directory, so the files outlive the
/// test and are ignored by git with the rest of `target/`.
pub fn artifact_path(relative: impl AsRef<Path>) -> PathBuf {
    workspace_root()
        .join("target")
        .join("test-artifacts")
        .join(relative)
}

/// A command installed in `target/test-venv` by `install-python-deps.sh`, such as
/// `openapi-spec-validator`. Without it: under `CI=true` a panic saying how to install it;
/// elsewhere a SKIPPED line and None.
pub fn python_tool(name: &str) -> Option<PathBuf> {
    let tool = workspace_root().join("target/test-venv/bin").join(name);
    if tool.is_file() {
        return Some(tool);
    }
    skip(name, &format!("no {}", tool.display()), PYTHON_INSTALL_HINT);
    None
}

/// What a test skipped for want of PostgreSQL tells a person to do.
pub const POSTGRES_HOW: &str = "start PostgreSQL at postgres://postgres@127.0.0.1:5432/test \
    (trust auth), or point QUORUM_TEST_DATABASE_URL at one";

/// What a test skipped for want of Redis tells a person to do.
pub const REDIS_HOW: &str = "start Redis (redis-server --port 6379), or point \
    QUORUM_TEST_REDIS_URL at one";

const PYTHON_INSTALL_HINT: &str = "run crates/quorum-testkit/install-python-deps.sh";

/// The workspace root, found from this crate's place in it (`crates/quorum-testkit`).
pub(crate) fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .expect("quorum-testkit lives at <workspace>/crates/quorum-testkit")
}

/// CI sets `CI=true`; there a missing tool fails the test instead of skipping it, so a
/// missing install step cannot pass unnoticed.
pub(crate) fn on_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}
