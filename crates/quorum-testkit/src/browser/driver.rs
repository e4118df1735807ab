//! The chromedriver child process: finding the programs, starting chromedriver on a free
//! port, the chromedriver-only endpoints fantoccini has no method for, and ending the
//! browser session when the harness is dropped.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long chromedriver may take to answer `/status` with `ready: true`.
const READY_TIMEOUT: Duration = Duration::from_secs(15);

/// The two programs a browser test needs.
pub(crate) struct Programs {
    pub(crate) chromedriver: PathBuf,
    pub(crate) chromium: PathBuf,
}

impl Programs {
    /// Finds chromedriver and Chromium on `PATH` or where Debian's packages put them, or
    /// chromedriver at `QUORUM_TEST_CHROMEDRIVER` when that is set (pointing it at a path
    /// that does not exist is how to check what a machine without a browser gets); the
    /// error names what is missing.
    pub(crate) fn locate() -> Result<Self, String> {
        let (chromedriver, looked_for_chromedriver) =
            match std::env::var_os("QUORUM_TEST_CHROMEDRIVER").map(PathBuf::from) {
                Some(path) => (
                    Some(path.clone()).filter(|path| path.is_file()),
                    format!(
                        "no chromedriver at {} (QUORUM_TEST_CHROMEDRIVER)",
                        path.display()
                    ),
                ),
                None => (
                    find_program(&["chromedriver"], &["/usr/bin/chromedriver"]),
                    "no chromedriver on PATH or at /usr/bin/chromedriver".to_owned(),
                ),
            };
        let chromium = find_program(&["chromium", "chromium-browser"], &["/usr/bin/chromium"]);
        match (chromedriver, chromium) {
            (Some(chromedriver), Some(chromium)) => Ok(Self {
                chromedriver,
                chromium,
            }),
            (chromedriver, chromium) => {
                let mut missing = Vec::new();
                if chromedriver.is_none() {
                    missing.push(looked_for_chromedriver);
                }
                if chromium.is_none() {
                    missing.push("no chromium on PATH or at /usr/bin/chromium".to_owned());
                }
                Err(missing.join(", "))
            }
        }
    }
}

fn find_program(names: &[&str], fallbacks: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .chain(fallbacks.iter().map(PathBuf::from))
        .find(|candidate| candidate.is_file())
}

/// A running chromedriver; dropping it ends its browser session and the process.
pub(crate) struct Driver {
    child: Child,
    port: u16,
    http: reqwest::Client,
    /// Set once a session is open, so `Drop` can end it and Chromium with it.
    session_id: Option<String>,
}

impl Driver {
    /// Starts chromedriver on a free local port and waits until it accepts sessions.
    pub(crate) async fn start(chromedriver: &Path) -> Self {
        // The port is free when asked for but could be taken before chromedriver binds it,
        // so a start that exits early is tried again on another port.
        let mut last_failure = String::new();
        for _ in 0..3 {
            let port = free_port();
            let child = Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("could not start {}: {e}", chromedriver.display()));
            let mut driver = Self {
                child,
                port,
                http: reqwest::Client::new(),
                session_id: None,
            };
            match driver.wait_until_ready().await {
                Ok(()) => return driver,
                Err(failure) => last_failure = failure,
            }
        }
        panic!("chromedriver did not start: {last_failure}");
    }

    /// The WebDriver endpoint, for fantoccini to connect to.
    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub(crate) fn set_session_id(&mut self, id: String) {
        self.session_id = Some(id);
    }

    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let status_url = format!("{}/status", self.url());
        loop {
            if let Ok(Some(exit)) = self.child.try_wait() {
                return Err(format!("chromedriver exited early ({exit})"));
            }
            if let Ok(response) = self.http.get(&status_url).send().await
                && let Ok(status) = response.json::<Value>().await
                && status["value"]["ready"] == true
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("not ready after {READY_TIMEOUT:?} on {status_url}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends a chromedriver-specific command for the open session, such as `se/log` or
    /// `goog/cdp/execute`, and returns its `value`.
    pub(crate) async fn session_command(&self, command: &str, body: Value) -> Value {
        let id = self
            .session_id
            .as_deref()
            .expect("a browser session is open before session commands are sent");
        let url = format!("{}/session/{id}/{command}", self.url());
        let response: Value = self
            .http
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("chromedriver did not answer {url}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("chromedriver's answer to {url} was not JSON: {e}"));
        if response["value"]["error"].is_string() {
            panic!(
                "chromedriver refused {command} {body}: {}",
                response["value"]
            );
        }
        response["value"].clone()
    }

    /// Runs a Chrome DevTools Protocol command in the current tab.
    pub(crate) async fn cdp(&self, method: &str, params: Value) -> Value {
        self.session_command(
            "goog/cdp/execute",
            json!({ "cmd": method, "params": params }),
        )
        .await
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Killing chromedriver alone would leave Chromium running, so the session is ended
        // first; that is what makes chromedriver close the browser. Drop cannot await, and
        // fantoccini's own shutdown runs later on the runtime, too late for this.
        if let Some(id) = &self.session_id {
            delete_session_blocking(self.port, id);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("the OS hands out a free local port")
}

/// `DELETE /session/{id}` over a plain socket, best effort: the browser is going away
/// either way, and a failure here must not turn a passing test into a panic in `Drop`.
fn delete_session_blocking(port: u16, session_id: &str) {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        // The answer comes once chromedriver has closed Chromium, which is what we wait for.
        read_response(&mut stream);
    }
}

/// Reads one HTTP response to the end of its body. chromedriver keeps the connection open
/// despite `Connection: close`, so reading to end of stream would wait for the timeout.
fn read_response(stream: &mut TcpStream) {
    let mut received = Vec::new();
    let mut chunk = [0; 4096];
    loop {
        if let Some(header_end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            let headers = String::from_utf8_lossy(&received[..header_end]).to_ascii_lowercase();
            let body_length = headers
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|value| value.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if received.len() >= header_end + 4 + body_length {
                return;
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
        }
    }
}
