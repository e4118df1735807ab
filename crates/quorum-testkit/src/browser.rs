//! A real headless Chromium for tests: load pages at chosen viewport sizes, read console
//! errors, run axe-core accessibility checks and take screenshots.
//!
//! ```no_run
//! # async fn example(base_url: &str) {
//! use quorum_testkit::browser::Browser;
//!
//! let Some(browser) = Browser::start().await else { return }; // SKIPPED outside CI
//! browser.set_viewport(375, 800).await;
//! browser.goto(&format!("{base_url}/")).await;
//! assert_eq!(browser.console_errors().await, Vec::<String>::new());
//! let axe = browser.axe().await.serious_or_critical();
//! assert!(axe.is_empty(), "{axe}");
//! browser.screenshot(quorum_testkit::artifact_path("web/home-375.png")).await;
//! # }
//! ```
//!
//! Methods panic with a message instead of returning errors: a harness failure fails the
//! test either way, and tests read better without a `?` on every line. For anything not
//! covered here (clicks, forms, waiting for elements) use [`Browser::client`].

mod axe;
mod driver;

use std::path::Path;

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

pub use axe::{AxeNode, AxeReport, AxeViolation, Impact};
use driver::{Driver, Programs};

/// The viewport every browser starts with: a common laptop size.
pub const DEFAULT_VIEWPORT: (u32, u32) = (1280, 800);

/// `--no-sandbox` because CI runs as root, where Chromium's sandbox refuses to start;
/// `--disable-dev-shm-usage` because containers often have a tiny `/dev/shm`; and no
/// background networking, so a test reaches nothing but the server it started.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-dev-shm-usage",
];

const INSTALL_HINT: &str = "run crates/quorum-testkit/install-browser-deps.sh, or \
    apt-get install -y --no-install-recommends chromium chromium-driver";

/// One headless Chromium, driven through its own chromedriver.
///
/// Meant to live for one test and visit as many pages at as many viewport sizes as the
/// test needs. Dropping it closes Chromium and stops chromedriver.
pub struct Browser {
    client: Client,
    driver: Driver,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium at [`DEFAULT_VIEWPORT`].
    ///
    /// Returns `None` after printing `SKIPPED: …` when Chromium or chromedriver is not
    /// installed, so `cargo test` passes on a machine without them; under `CI=true` it
    /// panics instead, because there a browser test that did not run must not pass.
    pub async fn start() -> Option<Browser> {
        let programs = match Programs::locate() {
            Ok(programs) => programs,
            Err(missing) => {
                crate::skip("chromium/chromedriver", &missing, INSTALL_HINT);
                return None;
            }
        };
        let mut driver = Driver::start(&programs.chromedriver).await;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(&programs.chromium))
            .connect(&driver.url())
            .await
            .unwrap_or_else(|e| panic!("chromedriver could not start Chromium: {e}"));
        let session_id = client
            .session_id()
            .await
            .ok()
            .flatten()
            .expect("a new WebDriver session has an id");
        driver.set_session_id(session_id);

        let browser = Browser { client, driver };
        browser
            .set_viewport(DEFAULT_VIEWPORT.0, DEFAULT_VIEWPORT.1)
            .await;
        Some(browser)
    }

    /// The fantoccini client, for clicks, forms, waits and anything else WebDriver does.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Makes the page's CSS viewport exactly `width` × `height` pixels, at a device pixel
    /// ratio of 1, for this and later pages.
    ///
    /// Resizing the window is not enough: even headless, Chromium takes room for browser UI
    /// from the window's height (an 800 px window gave a 657 px viewport) and keeps windows
    /// at least 500 px wide. So the viewport is set through DevTools' device-metrics
    /// override, which also survives navigation, and then checked from the page.
    pub async fn set_viewport(&self, width: u32, height: u32) {
        self.driver
            .cdp(
                "Emulation.setDeviceMetricsOverride",
                json!({
                    "width": width,
                    "height": height,
                    "deviceScaleFactor": 1,
                    "mobile": false,
                }),
            )
            .await;
        let actual = self
            .execute("return [window.innerWidth, window.innerHeight];")
            .await;
        assert_eq!(
            actual,
            json!([width, height]),
            "the viewport did not become {width}x{height}"
        );
    }

    /// Loads `url` and waits for its `load` event.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("could not load {url}: {e}"));
    }

    /// Console messages at error level (`console.error`, uncaught exceptions, failed
    /// resource loads such as a missing favicon) logged since the last call.
    ///
    /// chromedriver hands each message out once, so every call starts afresh; messages of
    /// lower levels are read and dropped. Messages a page logs after an asynchronous delay
    /// appear only once they have happened: wait for them with [`Browser::client`] first.
    pub async fn console_errors(&self) -> Vec<String> {
        let entries = self
            .driver
            .session_command("se/log", json!({ "type": "browser" }))
            .await;
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Runs axe-core on the current page against WCAG 2.0/2.1 A and AA and axe's best
    /// practices, and returns what it found.
    ///
    /// When axe-core is not installed it panics under `CI=true`, and otherwise prints
    /// `SKIPPED: …` and returns an empty report marked [`AxeReport::skipped`].
    pub async fn axe(&self) -> AxeReport {
        let Some(source) = axe::source() else {
            let path = axe::script_path();
            crate::skip(
                "axe-core",
                &format!("no {}", path.display()),
                "run crates/quorum-testkit/install-browser-deps.sh, or \
                 npm ci --prefix crates/quorum-testkit/js",
            );
            return AxeReport::skipped();
        };
        // Each page load starts without axe; injecting it as the script body, rather than
        // through eval, keeps it working on pages whose Content-Security-Policy forbids eval.
        if self.execute("return typeof window.axe;").await != "object" {
            self.execute(&format!("{source}\n;return true;")).await;
        }
        let result = self
            .client
            .execute_async(axe::RUN_SCRIPT, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("axe.run could not be started: {e}"));
        if let Some(error) = result.get("error") {
            panic!("axe.run failed: {error}");
        }
        let violations = serde_json::from_value(result["violations"].clone())
            .unwrap_or_else(|e| panic!("axe returned violations in an unexpected shape: {e}"));
        AxeReport {
            violations,
            skipped: false,
        }
    }

    /// Saves a PNG of the viewport at `path`, creating its directories.
    pub async fn screenshot(&self, path: impl AsRef<Path>) {
        let path = path.as_ref();
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|e| panic!("could not take a screenshot: {e}"));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .unwrap_or_else(|e| panic!("could not create {}: {e}", dir.display()));
        }
        std::fs::write(path, png)
            .unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
    }

    /// Runs `script` in the page and returns its result.
    pub async fn execute(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script failed in the page: {e}"))
    }
}

fn capabilities(chromium: &Path) -> fantoccini::wd::Capabilities {
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": CHROMIUM_ARGS,
        },
        // Without this chromedriver keeps no console messages for `console_errors`.
        "goog:loggingPrefs": { "browser": "ALL" },
    });
    match capabilities {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object literal"),
    }
}
