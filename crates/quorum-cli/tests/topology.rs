//! Several machines, on the real binary: two `quorum serve` without workers and one
//! `quorum worker`, each with a data directory of its own, over one PostgreSQL (with the
//! database queue, and again with Redis). Nothing is shared but the database (and Redis): a
//! site proposed on one server and voted on both runs on the worker and answers from both;
//! contact messages, their rate limit, dashboard sessions and events cross servers.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod support;
use quorum_testkit::PgSchema;
use support::{Process, RedisQueue, free_port};

const ADMIN: &str = "topology-test-admin-token-0123456789";

/// What every process of the deployment is told, and nothing else: the database, the queue,
/// the admin token and where the public reaches the sites.
struct Shared {
    database_url: String,
    queue: String,
    public_url: String,
}

/// One process: its own port and data directory.
struct Node {
    port: u16,
    data_dir: tempfile::TempDir,
    process: Option<Process>,
}

impl Node {
    fn new() -> Self {
        Node {
            port: free_port(),
            data_dir: tempfile::tempdir().unwrap(),
            process: None,
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn command(&self, shared: &Shared, role: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_quorum"));
        command
            .arg(role)
            .env("QUORUM_DATA_DIR", self.data_dir.path())
            .env("QUORUM_DATABASE_URL", &shared.database_url)
            .env("QUORUM_QUEUE", &shared.queue)
            .env("QUORUM_ADMIN_TOKEN", ADMIN)
            .env("QUORUM_PUBLIC_URL", &shared.public_url)
            .env("QUORUM_BIND", format!("127.0.0.1:{}", self.port))
            .env("QUORUM_DB_CONNECTIONS", "4")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        command
    }

    /// `quorum serve` with no workers of its own; returns once it is ready.
    async fn serve(&mut self, shared: &Shared) {
        let mut command = self.command(shared, "serve");
        command.env("QUORUM_WORKERS", "0");
        self.process = Some(Process(command.spawn().unwrap()));
        let client = reqwest::Client::new();
        for _ in 0..300 {
            let ready = client.get(format!("{}/readyz", self.base())).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("quorum serve did not become ready");
    }

    fn work(&mut self, shared: &Shared) {
        let mut command = self.command(shared, "worker");
        command.env("QUORUM_WORKERS", "4");
        self.process = Some(Process(command.spawn().unwrap()));
    }

    fn stop(&mut self) {
        self.process = None;
    }
}

struct Client {
    http: reqwest::Client,
}

impl Client {
    async fn call(
        &self,
        method: reqwest::Method,
        url: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, url);
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, url: &str, token: &str, body: Value) -> Value {
        let (status, body) = self
            .call(reqwest::Method::POST, url, token, Some(body))
            .await;
        assert!((200..300).contains(&status), "POST {url}: {status} {body}");
        body
    }

    async fn get(&self, url: &str, token: &str) -> Value {
        let (status, body) = self.call(reqwest::Method::GET, url, token, None).await;
        assert_eq!(status, 200, "GET {url}: {body}");
        body
    }

    async fn status(&self, url: &str) -> u16 {
        self.http.get(url).send().await.unwrap().status().as_u16()
    }

    /// Posts the contact form of `slug` on `base`; returns the status.
    async fn contact(&self, base: &str, slug: &str, n: usize) -> u16 {
        self.http
            .post(format!("{base}/sites/{slug}/contact"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "name=Visitor+{n}&email=visitor{n}%40example.com&message=Hello+number+{n}"
            ))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// Signs in to the dashboard of `base` with `token`; returns the session cookie's value.
    async fn sign_in(&self, base: &str, token: &str) -> String {
        let form = self
            .http
            .get(format!("{base}/dashboard/sign-in"))
            .send()
            .await
            .unwrap();
        let double_submit = cookie(&form, "quorum_sign_in").expect("the sign-in cookie");
        let page = form.text().await.unwrap();
        let csrf = attribute_after(&page, "name=\"csrf\"", "value").expect("the form's token");
        let signed_in = self
            .http
            .post(format!("{base}/dashboard/sign-in"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("quorum_sign_in={double_submit}"))
            .body(format!("token={token}&csrf={csrf}"))
            .send()
            .await
            .unwrap();
        cookie(&signed_in, "quorum_session").expect("a session cookie")
    }

    /// The status of a dashboard page fetched with a session cookie (no redirects followed).
    async fn page(&self, url: &str, session: &str) -> u16 {
        self.http
            .get(url)
            .header("cookie", format!("quorum_session={session}"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

fn cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

/// The value of `attribute` in the first tag of `html` that contains `marker`.
fn attribute_after(html: &str, marker: &str, attribute: &str) -> Option<String> {
    let at = html.find(marker)?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let key = format!("{attribute}=\"");
    let value = &tag[tag.find(&key)? + key.len()..];
    Some(value[..value.find('"')?].to_owned())
}

/// Every output URL of a completed website workflow, for the server at `base`.
fn output_urls(outputs: &Value, public: &str, base: &str) -> Vec<String> {
    let mut urls = vec![outputs["site_url"].as_str().unwrap().to_owned()];
    for kind in ["css", "js", "logo"] {
        urls.push(outputs["asset_urls"][kind].as_str().unwrap().to_owned());
    }
    for page in outputs["pages_created"].as_array().unwrap() {
        let page = page.as_str().unwrap();
        if page.starts_with("http") {
            urls.push(page.to_owned());
        }
    }
    urls.into_iter().map(|u| u.replace(public, base)).collect()
}

/// Reads the event stream at `url` until an event of `kind` about `workflow` arrives.
async fn event_arrives(http: &reqwest::Client, url: &str, kind: &str, workflow: &str) -> bool {
    let mut stream = http.get(url).bearer_auth(ADMIN).send().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut text = String::new();
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(500), stream.chunk()).await {
            Ok(Ok(Some(chunk))) => {
                text.push_str(&String::from_utf8_lossy(&chunk));
                if text.split("\n\n").any(|event| {
                    event.contains(&format!("event: {kind}")) && event.contains(workflow)
                }) {
                    return true;
                }
            }
            Ok(_) => return false,
            Err(_) => {}
        }
    }
    false
}

async fn two_servers_and_a_worker(queue: &str, database_url: String) {
    let (mut a, mut b, mut worker) = (Node::new(), Node::new(), Node::new());
    let shared = Shared {
        database_url,
        queue: queue.to_owned(),
        public_url: a.base(),
    };
    a.serve(&shared).await;
    b.serve(&shared).await;
    worker.work(&shared);
    let client = Client {
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    };
    let (base_a, base_b) = (a.base(), b.base());

    let mut tokens = std::collections::BTreeMap::new();
    for (id, kind, role) in [
        ("agent_site", "agent", "agent"),
        ("user_m1", "user", "member"),
        ("user_m2", "user", "member"),
        ("user_m3", "user", "member"),
    ] {
        let body = json!({"id": id, "kind": kind, "roles": [role]});
        let created = client
            .post(&format!("{base_a}/api/principals"), ADMIN, body)
            .await;
        tokens.insert(id, created["token"].as_str().unwrap().to_owned());
    }
    let council = json!({"id": "council_media", "name": "Media", "domains": ["media"],
        "members": ["user_m1", "user_m2", "user_m3"]});
    client
        .post(&format!("{base_b}/api/councils"), ADMIN, council)
        .await;

    // An event made on one server streams from the other.
    let stream_b = format!("{base_b}/api/events?council_id=council_media");
    let stream = event_arrives(&client.http, &stream_b, "created", "wf_");

    let proposal = json!({"workflow_type_id": "website.create_basic_site", "inputs": {
        "site_name": "Topology Bakery", "site_description": "Bread baked on several machines",
        "contact_email": "owner@topology-bakery.example"}});
    let (created, streamed) = tokio::join!(
        async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            client
                .post(
                    &format!("{base_a}/api/workflows"),
                    &tokens["agent_site"],
                    proposal,
                )
                .await
        },
        stream
    );
    assert!(
        streamed,
        "the created event reached the other server's stream"
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let vote = json!({"vote": "approve", "reason": "ready to publish"});
    client
        .post(
            &format!("{base_a}/api/workflows/{id}/votes"),
            &tokens["user_m1"],
            vote.clone(),
        )
        .await;
    client
        .post(
            &format!("{base_b}/api/workflows/{id}/votes"),
            &tokens["user_m2"],
            vote,
        )
        .await;

    let deadline = Instant::now() + Duration::from_secs(60);
    let detail = loop {
        let detail = client
            .get(&format!("{base_b}/api/workflows/{id}"), ADMIN)
            .await;
        match detail["status"].as_str().unwrap() {
            "COMPLETED" => break detail,
            "FAILED" | "CANCELLED" => panic!("the workflow did not complete: {detail}"),
            _ if Instant::now() > deadline => panic!("the workflow did not finish: {detail}"),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    };
    let outputs = &detail["outputs"];
    for base in [&base_a, &base_b] {
        for url in output_urls(outputs, &shared.public_url, base) {
            assert_eq!(client.status(&url).await, 200, "{url}");
        }
    }
    for node in [&a, &b, &worker] {
        assert!(
            !node.data_dir.path().join("sites").exists(),
            "no process keeps a site on its own disk"
        );
    }

    // A message sent to one server is listed by the other; the limit counts on both.
    let slug = outputs["site_url"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let mut answers = Vec::new();
    for n in 0..8 {
        let base = if n % 2 == 0 { &base_a } else { &base_b };
        answers.push(client.contact(base, &slug, n).await);
    }
    let listed = client
        .get(&format!("{base_b}/api/sites/{slug}/messages"), ADMIN)
        .await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "Visitor 0"),
        "the message sent to A is listed by B: {listed}"
    );
    let accepted = answers.iter().filter(|s| **s == 201).count();
    // verify sent one message from the same address; five a minute in all.
    assert!(
        accepted <= 4 && answers.contains(&429),
        "one limit across servers: {answers:?}"
    );
    assert!(
        answers.iter().all(|s| *s == 201 || *s == 429),
        "{answers:?}"
    );

    // A dashboard session from one server is accepted by the other, and survives a restart.
    let session = client.sign_in(&base_a, &tokens["user_m3"]).await;
    assert_eq!(
        client
            .page(&format!("{base_b}/dashboard/queue"), &session)
            .await,
        200
    );
    b.stop();
    b.serve(&shared).await;
    assert_eq!(
        client
            .page(&format!("{base_b}/dashboard/queue"), &session)
            .await,
        200
    );
    assert_eq!(
        client
            .page(&format!("{base_a}/dashboard/queue"), &session)
            .await,
        200
    );
    worker.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_and_a_worker_share_only_postgresql() {
    let Some(schema) = PgSchema::fresh().await else {
        return;
    };
    two_servers_and_a_worker("db", schema.url().to_owned()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_and_a_worker_share_only_postgresql_and_redis() {
    let Some(redis) = RedisQueue::fresh("quorum_topology").await else {
        return;
    };
    let Some(schema) = PgSchema::fresh().await else {
        return;
    };
    two_servers_and_a_worker(&redis.spec(), schema.url().to_owned()).await;
    redis.clean().await;
}

#[test]
fn attributes_are_read_from_the_tag_that_holds_the_marker() {
    let html =
        r#"<form><input type="hidden" name="csrf" value="abc"><input name="x" value="y"></form>"#;
    assert_eq!(
        attribute_after(html, "name=\"csrf\"", "value").as_deref(),
        Some("abc")
    );
    assert_eq!(attribute_after(html, "name=\"none\"", "value"), None);
}
