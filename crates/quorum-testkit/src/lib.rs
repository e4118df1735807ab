//! Test helpers shared by Quorum's crates; a dev-dependency only, never linked into a binary.
//!
//! [`browser`] drives a real headless Chromium through chromedriver, so tests of generated
//! websites and server-rendered dashboards can check what a person would get: the page at
//! phone and desktop widths, no console errors, no serious accessibility violations, and a
//! screenshot to look at. [`smtp`] runs a real SMTP server (aiosmtpd) that tests read
//! messages back from. [`python_tool`] finds the other PyPI tools the tests run (the OpenAPI
//! validator). [`artifact_path`] says where such files go.

pub mod browser;
pub mod smtp;

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
    let how = "run crates/quorum-testkit/install-python-deps.sh";
    if on_ci() {
        panic!("{name} is required under CI=true and is not installed: {how}");
    }
    eprintln!("SKIPPED: {name} is not installed ({how})");
    None
}

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
