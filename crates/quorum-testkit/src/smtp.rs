//! A real SMTP server for tests: Python's aiosmtpd, started as a child process, printing every
//! message it receives, which the test reads back.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::workspace_root;

/// A running aiosmtpd; killed when dropped.
pub struct SmtpServer {
    child: Child,
    port: u16,
    received: Arc<Mutex<String>>,
}

impl SmtpServer {
    /// Starts aiosmtpd from `target/test-venv` (made by `install-python-deps.sh`). Without it:
    /// under `CI=true` a panic saying how to install it; elsewhere a SKIPPED line and None.
    pub fn start() -> Option<SmtpServer> {
        let python = workspace_root().join("target/test-venv/bin/python");
        let installed = Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        if !installed {
            crate::skip(
                "aiosmtpd",
                &format!("{} cannot import it", python.display()),
                crate::PYTHON_INSTALL_HINT,
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let mut child = Command::new(&python)
            .args([
                "-u",
                "-m",
                "aiosmtpd",
                "-n",
                "-c",
                "aiosmtpd.handlers.Debugging",
                "-l",
            ])
            .arg(format!("127.0.0.1:{port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let received = Arc::new(Mutex::new(String::new()));
        let stdout = child.stdout.take().expect("piped");
        let sink = received.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut text = sink.lock().expect("not poisoned");
                text.push_str(&line);
                text.push('\n');
            }
        });
        let server = SmtpServer {
            child,
            port,
            received,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(server)
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Everything the server printed so far: headers and bodies of the messages received.
    pub fn received(&self) -> String {
        self.received.lock().expect("not poisoned").clone()
    }

    /// Waits until what was received contains `needle`; panics after `within`.
    pub async fn wait_for(&self, needle: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let text = self.received();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "no message with {needle:?} arrived; received:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
