//! The real `quorum` binary: `serve --demo` answers the seed's curl examples, and the
//! administrative subcommands do what their help says.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod support;
use support::{Process, free_port};

fn quorum(data_dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quorum"));
    command
        .env("QUORUM_DATA_DIR", data_dir)
        .env_remove("QUORUM_DATABASE_URL")
        .env_remove("QUORUM_ADMIN_TOKEN");
    command
}

async fn wait_until_ready(base: &str) {
    for _ in 0..200 {
        if reqwest::get(format!("{base}/readyz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("quorum serve did not become ready at {base}");
}

async fn get(url: String) -> (u16, Value) {
    let response = reqwest::get(&url).await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn serve_demo_answers_every_get_example_of_the_seed() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // QUORUM_BIND from the environment is overridden by the flag.
    let child = quorum(dir.path())
        .env("QUORUM_BIND", "127.0.0.1:1")
        .args(["--bind", &format!("127.0.0.1:{port}"), "serve", "--demo"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Process(child);
    let base = format!("http://127.0.0.1:{port}");
    wait_until_ready(&base).await;

    let (status, all) = get(format!("{base}/api/workflows")).await;
    assert_eq!(status, 200);
    // The imported year, and the three real website workflows proposed beside it.
    assert_eq!(all["total"], 303);
    assert_eq!(all["workflows"].as_array().unwrap().len(), 100);
    let (_, pending) = get(format!("{base}/api/workflows?status=pending")).await;
    assert!(
        pending["workflows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["status"] == "PENDING")
    );
    assert!(pending["total"].as_i64().unwrap() > 0);
    let (_, media) = get(format!("{base}/api/workflows?council_id=council_media")).await;
    assert!(
        media["workflows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["assigned_council_id"] == "council_media")
    );
    let (_, agent) = get(format!(
        "{base}/api/workflows?agent_id=agent_jermaine_super_action"
    ))
    .await;
    assert!(
        agent["workflows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["created_by_agent"] == "agent_jermaine_super_action")
    );
    let (_, page) = get(format!("{base}/api/workflows?limit=100&offset=100")).await;
    assert_eq!(
        (page["limit"].as_i64(), page["offset"].as_i64()),
        (Some(100), Some(100))
    );
    assert_eq!(
        page["workflows"][0]["id"],
        all["workflows"]
            .as_array()
            .unwrap()
            .iter()
            .chain(page["workflows"].as_array().unwrap())
            .nth(100)
            .unwrap()["id"]
    );
    let id = all["workflows"][0]["id"].as_str().unwrap();
    let (status, detail) = get(format!("{base}/api/workflows/{id}")).await;
    assert_eq!(status, 200);
    assert!(detail["metrics"].is_array() && detail["votes"].is_array());
    let (status, missing) = get(format!("{base}/api/workflows/wf_abc123")).await;
    assert_eq!(
        (status, missing["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, metrics) = get(format!("{base}/api/workflows/metrics")).await;
    assert_eq!(status, 200);
    assert_eq!(metrics["total_workflows"], 303);
    assert_eq!(metrics["status_distribution"].as_object().unwrap().len(), 5);
    assert_eq!(metrics["workflows_by_agent"].as_object().unwrap().len(), 5);
    assert_eq!(
        metrics["workflows_by_council"].as_object().unwrap().len(),
        2
    );
    assert_eq!(metrics["workflows_by_type"].as_object().unwrap().len(), 5);

    // The demo contradicts nothing: the approved real sites are built and live, the third
    // waits with its preview, imported history says so, and nothing is left running.
    let deadline = Instant::now() + Duration::from_secs(90);
    let websites = loop {
        let (_, real) = get(format!(
            "{base}/api/workflows?workflow_type_id=website.create_basic_site&limit=3"
        ))
        .await;
        let real: Vec<Value> = real["workflows"].as_array().unwrap().clone();
        let done = real.iter().filter(|w| w["status"] == "COMPLETED").count();
        if done == 2 {
            break real;
        }
        assert!(
            Instant::now() < deadline,
            "the demo's sites were not built: {real:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    for w in websites.iter().filter(|w| w["status"] == "COMPLETED") {
        let url = w["outputs"]["site_url"].as_str().unwrap();
        let site = reqwest::get(url).await.unwrap();
        assert_eq!(site.status().as_u16(), 200, "{url}");
    }
    let waiting = websites.iter().find(|w| w["status"] == "PENDING").unwrap();
    let (_, waiting) = get(format!(
        "{base}/api/workflows/{}",
        waiting["id"].as_str().unwrap()
    ))
    .await;
    assert!(
        waiting["preview"]["url"]
            .as_str()
            .unwrap()
            .contains("/previews/")
    );
    assert_eq!(waiting["imported"], false);
    let (_, running) = get(format!("{base}/api/workflows?status=in_progress")).await;
    assert_eq!(running["total"], 0, "nothing sits IN_PROGRESS");
    let oldest = all["workflows"].as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap();
    let (_, imported) = get(format!("{base}/api/workflows/{oldest}")).await;
    assert_eq!(imported["imported"], true);
}

/// How long after `opened` the server closed `stream`, or None if still open after `within`.
fn closed_after(stream: &mut TcpStream, opened: Instant, within: Duration) -> Option<Duration> {
    stream.set_read_timeout(Some(within)).unwrap();
    match stream.read(&mut [0; 64]) {
        Ok(0) => Some(opened.elapsed()),
        Err(e) if e.kind() == ErrorKind::ConnectionReset => Some(opened.elapsed()),
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => None,
        read => panic!("expected the connection closed, read {read:?}"),
    }
}

#[tokio::test]
async fn serve_closes_half_sent_requests_and_connections_over_the_cap_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // The timeout from the environment; the cap from its flag, over its variable.
    let child = quorum(dir.path())
        .env("QUORUM_HEADER_READ_TIMEOUT_SECONDS", "1")
        .env("QUORUM_MAX_CONNECTIONS_PER_ADDRESS", "1")
        .args(["--bind", &format!("127.0.0.1:{port}")])
        .args(["--max-connections-per-address", "3", "serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _server = Process(child);
    wait_until_ready(&format!("http://127.0.0.1:{port}")).await;
    // By then the readiness probes' connections are closed, by their clients or the timeout.
    tokio::time::sleep(Duration::from_millis(1_500)).await;

    let connect = || {
        (
            TcpStream::connect(("127.0.0.1", port)).unwrap(),
            Instant::now(),
        )
    };
    let mut held = vec![connect(), connect(), connect()];
    held[0].0.write_all(b"GET /api/workflows HT").unwrap();
    let (mut extra, opened) = connect();
    let refused = closed_after(&mut extra, opened, Duration::from_secs(5));
    assert!(
        refused.is_some_and(|after| after < Duration::from_millis(500)),
        "{refused:?}"
    );
    for (stream, opened) in &mut held {
        let closed = closed_after(stream, *opened, Duration::from_secs(5));
        assert!(
            closed.is_some_and(
                |after| after >= Duration::from_millis(950) && after < Duration::from_secs(2)
            ),
            "{closed:?}"
        );
    }
    // Their places are free again.
    let (mut stream, _) = connect();
    stream
        .write_all(b"GET /readyz HTTP/1.1\r\nHost: quorum.test\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

fn run(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn migrate_demo_data_check_types_and_tokens_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(quorum(dir.path()).arg("migrate")).contains("migrated the sqlite database"));
    assert!(
        run(quorum(dir.path()).args(["demo-data", "--workflows", "2500", "--batch-size", "1000"]))
            .contains("wrote 2500 workflows")
    );
    assert!(run(quorum(dir.path()).arg("check-aggregates")).contains("aggregates match"));
    let types = run(quorum(dir.path()).args(["types", "list"]));
    assert!(
        types.contains("website.create_basic_site") && types.contains("not yet"),
        "{types}"
    );
    let shown: Value = serde_json::from_str(&run(quorum(dir.path()).args([
        "types",
        "show",
        "website.create_basic_site",
    ])))
    .unwrap();
    assert_eq!(shown["savings_model"]["hourly_rate"], 75);
    let token = run(quorum(dir.path()).args([
        "token",
        "create",
        "agent_cli",
        "--kind",
        "agent",
        "--roles",
        "agent",
    ]));
    assert!(token.trim().starts_with("qrm_"));
    let again = run(quorum(dir.path()).args(["token", "create", "agent_cli"]));
    assert_ne!(token, again, "a second token for the same principal");
    let unknown = quorum(dir.path())
        .args(["token", "create", "nobody"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("--kind"));
    assert!(
        run(quorum(dir.path()).args(["token", "revoke", "agent_cli"]))
            .contains("revoked 2 token(s) of agent_cli")
    );
    let unknown = quorum(dir.path())
        .args(["token", "revoke", "nobody"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no principal"));

    let file = dir.path().join("echo.toml");
    std::fs::write(&file, "id = \"x\"\nname = \"X\"\n").unwrap();
    let refused = quorum(dir.path())
        .args(["types", "register"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        !refused.status.success(),
        "an incomplete definition is refused"
    );
}

/// A dashboard browser of one `quorum serve`: no redirects followed, cookies kept by hand.
struct Browser {
    base: String,
    client: reqwest::Client,
}

/// The value of the cookie `name` a response sets.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.split(';').next()?.strip_prefix(&format!("{name}=")))
        .map(str::to_owned)
}

fn csrf_of(html: &str) -> String {
    let start = html
        .find(r#"name="csrf" value=""#)
        .expect("a form with a CSRF token")
        + 19;
    html[start..].split('"').next().unwrap().to_owned()
}

impl Browser {
    fn at(port: u16) -> Self {
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    async fn get(&self, path: &str, cookies: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, cookies)
            .send()
            .await
            .unwrap()
    }

    async fn post(&self, path: &str, cookies: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        self.client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, cookies)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Signs in with `token` and out again; returns the flash cookie sign-out left.
    async fn sign_out_flash(&self, token: &str) -> String {
        let form = self.get("/dashboard/sign-in", "").await;
        let double_submit = set_cookie(&form, "quorum_sign_in").unwrap();
        let csrf = csrf_of(&form.text().await.unwrap());
        let signed_in = self
            .post(
                "/dashboard/sign-in",
                &format!("quorum_sign_in={double_submit}"),
                &[("token", token), ("csrf", &csrf)],
            )
            .await;
        let session = format!(
            "quorum_session={}",
            set_cookie(&signed_in, "quorum_session").expect("signed in")
        );
        let page = self.get("/dashboard", &session).await;
        let csrf = csrf_of(&page.text().await.unwrap());
        let out = self
            .post("/dashboard/sign-out", &session, &[("csrf", &csrf)])
            .await;
        set_cookie(&out, "quorum_flash").expect("a flash cookie")
    }

    /// Whether the sign-in page shows the message `flash` carries.
    async fn shows_signed_out(&self, flash: &str) -> bool {
        let page = self
            .get("/dashboard/sign-in", &format!("quorum_flash={flash}"))
            .await;
        page.text().await.unwrap().contains("You are signed out.")
    }
}

fn serve(dir: &std::path::Path, port: u16) -> Process {
    let child = quorum(dir)
        .env("QUORUM_ADMIN_TOKEN", ADMIN)
        .env("QUORUM_WORKERS", "0")
        .args(["--bind", &format!("127.0.0.1:{port}"), "serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Process(child)
}

const ADMIN: &str = "cli-test-admin-token-0123456789";

#[tokio::test]
async fn a_dashboard_message_outlives_a_restart_and_keys_rotate_keeps_it_opening() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = serve(dir.path(), port);
    let browser = Browser::at(port);
    wait_until_ready(&browser.base).await;
    let before = browser.sign_out_flash(ADMIN).await;
    assert!(browser.shows_signed_out(&before).await);
    drop(server);

    let help = run(quorum(dir.path()).args(["keys", "rotate", "--help"]));
    assert!(help.contains("previous one keeps opening"), "{help}");
    let rotated = run(quorum(dir.path()).args(["keys", "rotate"]));
    let old_key = before.split('.').next().unwrap();
    assert!(
        rotated.contains(&format!(
            "{old_key} is retired and opens what it sealed until"
        )),
        "{rotated}"
    );
    let new_key = rotated
        .split_once(" is the current signing key")
        .expect("the new key's id")
        .0
        .trim();
    assert_ne!(new_key, old_key);

    // The restarted server opens what its previous run sealed, and seals with the new key.
    let _server = serve(dir.path(), port);
    wait_until_ready(&browser.base).await;
    assert!(
        browser.shows_signed_out(&before).await,
        "a restart and a rotation drop no message"
    );
    let after = browser.sign_out_flash(ADMIN).await;
    assert_eq!(after.split('.').next(), Some(new_key));
    assert!(browser.shows_signed_out(&after).await);
    assert!(
        !browser
            .shows_signed_out(&after.replacen('.', "x.", 1))
            .await
    );
}

/// The ids of `GET /api/workflows?limit=50&offset={offset}` as the admin sees them.
async fn offset_page(base: &str, offset: i64) -> Vec<String> {
    let page: Value = reqwest::Client::new()
        .get(format!("{base}/api/workflows?limit=50&offset={offset}"))
        .bearer_auth(ADMIN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids = page["workflows"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"));
    ids.iter()
        .map(|w| w["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_server_takes_the_lists_marks_when_a_deep_page_needs_them_and_serves_the_same_pages() {
    use quorum_store::Store;
    let dir = tempfile::tempdir().unwrap();
    run(quorum(dir.path()).args(["demo-data", "--workflows", "24000", "--batch-size", "6000"]));
    let port = free_port();
    let _server = serve(dir.path(), port);
    let base = format!("http://127.0.0.1:{port}");
    wait_until_ready(&base).await;
    let offsets = [20_000, 21_337, 23_950, 23_999];
    let mut walked = Vec::new();
    for offset in offsets {
        walked.push(offset_page(&base, offset).await);
    }
    assert_eq!(walked[0].len(), 50);
    assert_eq!(walked[3].len(), 1, "the oldest workflow alone");

    // The walks woke the server's keeper; the marks are in the database for every server.
    let url = format!("sqlite://{}", dir.path().join("quorum.db").display());
    let store = quorum_store_sqlite::SqliteStore::connect(&url, 1)
        .await
        .unwrap();
    let mut marks = store.workflow_marks().await.unwrap();
    for _ in 0..300 {
        if marks.taken.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        marks = store.workflow_marks().await.unwrap();
    }
    let (seen, covered, _) = marks.taken.expect("the server took the marks");
    assert_eq!((seen, covered), (marks.late, 24_000), "{marks:?}");
    for (offset, walked) in offsets.into_iter().zip(&walked) {
        assert_eq!(&offset_page(&base, offset).await, walked, "offset {offset}");
    }
}
