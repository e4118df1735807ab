//! Skipping a test whose service or tool is missing, in one place: a visible `SKIPPED` line,
//! a record for `scripts/test` to list at the end of the run, and a panic under `CI=true`.
//!
//! cargo shows a passing test's stderr only when it fails, so a `SKIPPED` line alone never
//! reaches a person running the whole suite; the records are what `scripts/test` reads.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The variable `scripts/test` sets to the directory it reads the records from.
pub const SKIPS_DIR_VAR: &str = "QUORUM_TEST_SKIPS_DIR";

/// Gives up on the current test because `what` (a service or tool: "PostgreSQL",
/// "chromium/chromedriver", "aiosmtpd") is missing for `reason`; `how` says how to get it.
///
/// Under `CI=true` this panics, so a test that did not run cannot pass there. Elsewhere it
/// prints `SKIPPED: …` and records the skip under the target directory; the caller then
/// returns without testing anything.
pub fn skip(what: &str, reason: &str, how: &str) {
    if crate::on_ci() {
        panic!("{what} is required under CI=true and is not available ({reason}): {how}");
    }
    eprintln!("SKIPPED: {what} is not available ({reason}); {how}");
    let record = Record::of_this_test(what, reason, how);
    // A record that cannot be written must not fail a test that only lacked a tool: the
    // SKIPPED line above still says it.
    if let Err(e) = record.append_to(&skips_dir()) {
        eprintln!(
            "could not record the skip in {}: {e}",
            skips_dir().display()
        );
    }
}

/// One skipped test, written as one tab-separated line:
/// `what, how, package, test binary, test name, reason`.
#[derive(Debug, PartialEq)]
struct Record {
    what: String,
    how: String,
    package: String,
    binary: String,
    test: String,
    reason: String,
}

impl Record {
    fn of_this_test(what: &str, reason: &str, how: &str) -> Self {
        // libtest runs each test on a thread named after it; helpers called from the test's
        // body (including a `#[tokio::test]`'s, which runs on that thread) see that name.
        let thread = std::thread::current();
        let test = match thread.name() {
            Some(name) if name != "main" => name.to_owned(),
            _ => "(a test outside libtest's threads)".to_owned(),
        };
        Record {
            what: what.to_owned(),
            how: how.to_owned(),
            // cargo sets the package's variables when it runs a test binary, too.
            package: std::env::var("CARGO_PKG_NAME").unwrap_or_else(|_| "?".to_owned()),
            binary: test_binary_name(),
            test,
            reason: reason.to_owned(),
        }
    }

    fn line(&self) -> String {
        let fields = [
            &self.what,
            &self.how,
            &self.package,
            &self.binary,
            &self.test,
            &self.reason,
        ];
        let mut line = fields
            .iter()
            .map(|field| field.replace(['\t', '\n', '\r'], " "))
            .collect::<Vec<_>>()
            .join("\t");
        line.push('\n');
        line
    }

    /// Appends to `<dir>/<pid>.tsv`: one file per test process, each line one `write`, so
    /// the test threads of a process and the processes of a run never interleave.
    fn append_to(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{}.tsv", std::process::id()));
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?
            .write_all(self.line().as_bytes())
    }
}

/// `api` for `target/debug/deps/api-0123456789abcdef`.
fn test_binary_name() -> String {
    let exe = std::env::current_exe().unwrap_or_default();
    let stem = exe
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match stem.rsplit_once('-') {
        Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name.to_owned(),
        _ => stem,
    }
}

/// Where the records go: what `scripts/test` says, else `<target>/test-skips` for the
/// target directory this test binary was built in.
fn skips_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(SKIPS_DIR_VAR) {
        return PathBuf::from(dir);
    }
    target_dir().join("test-skips")
}

/// `CARGO_TARGET_DIR` when absolute; else the nearest ancestor of the test binary named
/// `target` (it lives in `<target>/<profile>/deps/`, or one level deeper with `--target`);
/// else the workspace's `target/`.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from)
        && dir.is_absolute()
    {
        return dir;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|dir| dir.file_name().is_some_and(|name| name == "target"))
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| crate::workspace_root().join("target"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_is_recorded_with_the_name_of_the_test_that_skipped() {
        let dir = std::env::temp_dir().join(format!(
            "quorum-skips-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        Record::of_this_test(
            "Redis",
            "refused\tat 127.0.0.1:6379\n",
            "start redis-server",
        )
        .append_to(&dir)
        .unwrap();
        Record::of_this_test("PostgreSQL", "refused", "start PostgreSQL")
            .append_to(&dir)
            .unwrap();

        let text =
            std::fs::read_to_string(dir.join(format!("{}.tsv", std::process::id()))).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
        assert_eq!(
            lines,
            [
                [
                    "Redis",
                    "start redis-server",
                    "quorum-testkit",
                    "quorum_testkit",
                    "skip::tests::a_skip_is_recorded_with_the_name_of_the_test_that_skipped",
                    "refused at 127.0.0.1:6379 ",
                ],
                [
                    "PostgreSQL",
                    "start PostgreSQL",
                    "quorum-testkit",
                    "quorum_testkit",
                    "skip::tests::a_skip_is_recorded_with_the_name_of_the_test_that_skipped",
                    "refused",
                ],
            ]
        );
    }

    #[test]
    fn the_records_go_under_the_target_directory_the_test_was_built_in() {
        let dir = target_dir();
        assert!(
            std::env::current_exe().unwrap().starts_with(&dir),
            "{} holds the test binary",
            dir.display()
        );
    }
}
