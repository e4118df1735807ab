//! Faults, on the real binary: worker processes killed with SIGKILL while they run
//! workflows, and a server killed with SIGKILL while clients create workflows. Nothing
//! acknowledged is lost, every workflow finishes once, and every step's effect happens once.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures::StreamExt;
use quorum_testkit::PgSchema;
use serde_json::{Value, json};

mod support;
use support::{Process, RedisQueue, free_port};

const ADMIN: &str = "fault-test-admin-token-0123456789";
const EFFECT_STEPS: usize = 3;

/// Where the cluster keeps its data: a SQLite file, or a fresh PostgreSQL schema.
enum Database {
    Sqlite,
    Postgres(
        #[expect(dead_code, reason = "held for its Drop")] PgSchema,
        String,
    ),
}

async fn postgres() -> Option<Database> {
    let schema = PgSchema::fresh().await?;
    let url = schema.url().to_owned();
    Some(Database::Postgres(schema, url))
}

/// The processes of one deployment and what they share.
struct Cluster {
    data_dir: PathBuf,
    database_url: Option<String>,
    queue: String,
    port: u16,
    client: reqwest::Client,
}

impl Cluster {
    fn new(data_dir: &Path, database: &Database, queue: String) -> Self {
        Cluster {
            data_dir: data_dir.to_owned(),
            database_url: match database {
                Database::Sqlite => None,
                Database::Postgres(_, url) => Some(url.clone()),
            },
            queue,
            port: free_port(),
            client: reqwest::Client::new(),
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn command(&self, workers: usize) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_quorum"));
        command
            .env("QUORUM_DATA_DIR", &self.data_dir)
            .env("QUORUM_ADMIN_TOKEN", ADMIN)
            .env("QUORUM_QUEUE", &self.queue)
            .env("QUORUM_WORKERS", workers.to_string())
            .env("QUORUM_LEASE_SECONDS", "1")
            .env("QUORUM_RETRY_BASE_MS", "50")
            .env("QUORUM_DB_CONNECTIONS", "4")
            .env("QUORUM_BIND", format!("127.0.0.1:{}", self.port))
            // The tests cast hundreds of votes at once from one address, as a proxy would.
            .env("QUORUM_MAX_CONNECTIONS_PER_ADDRESS", "1024")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match &self.database_url {
            Some(url) => command.env("QUORUM_DATABASE_URL", url),
            None => command.env_remove("QUORUM_DATABASE_URL"),
        };
        command
    }

    async fn serve(&self, workers: usize) -> Process {
        let process = Process(self.command(workers).arg("serve").spawn().unwrap());
        for _ in 0..300 {
            let ready = self
                .client
                .get(format!("{}/readyz", self.base()))
                .send()
                .await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return process;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("quorum serve did not become ready");
    }

    fn worker(&self, concurrency: usize) -> Process {
        Process(self.command(concurrency).arg("worker").spawn().unwrap())
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> reqwest::Result<(u16, Value)> {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base()))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.timeout(Duration::from_secs(10)).send().await?;
        let status = response.status().as_u16();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> Value {
        let (status, body) = self
            .call(reqwest::Method::POST, path, token, Some(body))
            .await
            .unwrap();
        assert!((200..300).contains(&status), "POST {path}: {status} {body}");
        body
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self
            .call(reqwest::Method::GET, path, ADMIN, None)
            .await
            .unwrap();
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// An agent, a council of three and the fault-test type; returns tokens by principal.
    async fn set_up(&self, oversight: bool) -> BTreeMap<String, String> {
        let mut tokens = BTreeMap::new();
        for (id, kind, role) in [
            ("agent_fault", "agent", "agent"),
            ("m1", "user", "member"),
            ("m2", "user", "member"),
            ("m3", "user", "member"),
        ] {
            let created = self
                .post(
                    "/api/principals",
                    ADMIN,
                    json!({"id": id, "kind": kind, "roles": [role]}),
                )
                .await;
            tokens.insert(id.to_owned(), created["token"].as_str().unwrap().to_owned());
        }
        self.post("/api/councils", ADMIN, json!({"id": "council_media", "name": "Media", "domains": ["media"], "members": ["m1", "m2", "m3"]})).await;
        let step = |name: &str, handler: &str| json!({"name": name, "title": name, "estimated_seconds": 1, "handler": handler});
        let definition = json!({
            "id": "test.fault",
            "name": "Fault test",
            "description": "Effects between pauses, so that workers die mid-workflow.",
            "domain": "media",
            "category": "Testing",
            "estimated_duration_seconds": 1,
            "input_schema": {"type": "object", "properties": {"sleep_ms": {"type": "integer", "default": 120}}},
            "outputs": {},
            "steps": [step("a", "core.effect"), step("pause_1", "core.sleep"), step("b", "core.effect"), step("pause_2", "core.sleep"), step("c", "core.effect")],
            "success_criteria": [],
            "oversight": {"required": oversight, "council": "council_media"},
            "review_criteria": [],
            "savings_model": {"tasks_automated": "Testing", "minutes_saved_per_week": 30, "hourly_rate": 60},
            "max_attempts": 3
        });
        self.post("/api/workflow-types", ADMIN, definition).await;
        tokens
    }

    async fn count(&self, status: &str) -> i64 {
        self.get(&format!(
            "/api/workflows?workflow_type_id=test.fault&status={status}&limit=1"
        ))
        .await["total"]
            .as_i64()
            .unwrap()
    }

    /// Every workflow of a type, page by page along the list's cursor.
    async fn all_ids(&self, type_id: &str) -> Vec<String> {
        let mut ids = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = self
                .get(&format!(
                    "/api/workflows?workflow_type_id={type_id}&limit=1000{cursor}"
                ))
                .await;
            ids.extend(
                page["workflows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| w["id"].as_str().unwrap().to_owned()),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = format!("&cursor={next}"),
                None => return ids,
            }
        }
    }

    async fn wait_until_all_complete(&self, expected: i64, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let completed = self.count("COMPLETED").await;
            if completed == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{completed} of {expected} completed in {within:?}; failed: {}",
                self.count("FAILED").await
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Every workflow of the fault type: completed once, started once, one metric, every step
    /// succeeded; every effect once. Returns how many effect steps ran more than once, and how
    /// many steps were started again after their worker died in them.
    async fn check_exactly_once(&self, ids: &[String]) -> (usize, usize) {
        let mut restarted = 0;
        for id in ids {
            let detail = self.get(&format!("/api/workflows/{id}")).await;
            assert_eq!(detail["status"], "COMPLETED", "{detail:#}");
            let events: Vec<&str> = detail["audit"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["event"].as_str().unwrap())
                .collect();
            assert_eq!(
                events.iter().filter(|e| **e == "completed").count(),
                1,
                "{id}: {events:?}"
            );
            assert_eq!(
                events.iter().filter(|e| **e == "started").count(),
                1,
                "{id}: {events:?}"
            );
            assert_eq!(
                detail["metrics"].as_array().unwrap().len(),
                1,
                "{id}: one metric for the one attempt that ended"
            );
            let steps = detail["steps"].as_array().unwrap();
            assert!(
                steps.iter().all(|s| s["status"] == "succeeded"),
                "{detail:#}"
            );
            restarted += steps
                .iter()
                .filter(|s| s["attempts"].as_i64() > Some(1))
                .count();
        }
        let effects = self.data_dir.join("effects");
        let mut files = HashSet::new();
        for entry in std::fs::read_dir(&effects).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.starts_with('.') || name == "runs.log" {
                continue;
            }
            let content = std::fs::read_to_string(effects.join(&name)).unwrap();
            assert_eq!(content, format!("{name}\n"), "an effect is whole");
            files.insert(name);
        }
        let expected: HashSet<String> = ids
            .iter()
            .flat_map(|id| {
                [
                    format!("{id}.0.a"),
                    format!("{id}.2.b"),
                    format!("{id}.4.c"),
                ]
            })
            .collect();
        assert_eq!(
            files, expected,
            "one effect per effect step of every workflow, none else"
        );
        let runs = std::fs::read_to_string(effects.join("runs.log"))
            .unwrap()
            .lines()
            .count();
        assert!(runs >= ids.len() * EFFECT_STEPS);
        (runs - ids.len() * EFFECT_STEPS, restarted)
    }

    async fn queue_depth(&self) -> f64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.base()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find(|l| l.starts_with("quorum_queue_depth"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no queue depth in /metrics:\n{text}"))
    }
}

/// 200 workflows approved by their council, run by three `quorum worker` processes of which
/// one is killed with SIGKILL every second and started again.
async fn workers_killed_every_second_lose_nothing(database: Database, queue: String) {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::new(dir.path(), &database, queue);
    let _server = cluster.serve(0).await;
    let tokens = cluster.set_up(true).await;
    let mut workers: Vec<Process> = (0..3).map(|_| cluster.worker(4)).collect();

    let mut ids = Vec::new();
    for _ in 0..200 {
        // Pauses of 250 ms: at least 8 s of steps for the twelve slots of the three workers,
        // however fast they run, so that kills land mid-workflow (at the default 120 ms the
        // workers once finished all 200 after two kills, none of them mid-step).
        let created = cluster
            .post(
                "/api/workflows",
                &tokens["agent_fault"],
                json!({"workflow_type_id": "test.fault", "inputs": {"sleep_ms": 250}}),
            )
            .await;
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let votes = ids
        .iter()
        .flat_map(|id| ["m1", "m2"].map(|m| (id.clone(), m)));
    // Sixteen votes in flight at a time: all 400 at once only measured how long a busy host's
    // debug server takes to queue them (the client gives each 10 s), not what this test is for.
    let voting = votes.map(|(id, member)| {
        let token = tokens[member].clone();
        let cluster = &cluster;
        async move {
            cluster
                .post(
                    &format!("/api/workflows/{id}/votes"),
                    &token,
                    json!({"vote": "approve", "reason": "fine"}),
                )
                .await
        }
    });
    futures::stream::iter(voting)
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;

    let started = Instant::now();
    let mut kills = 0;
    while cluster.count("COMPLETED").await < 200 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not done after two minutes; {} completed",
            cluster.count("COMPLETED").await
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        let victim = kills % workers.len();
        workers[victim] = cluster.worker(4); // dropping the old one kills it with SIGKILL
        kills += 1;
    }
    let (reruns, restarted) = cluster.check_exactly_once(&ids).await;
    eprintln!(
        "200 workflows completed in {:.1?} with {kills} workers killed; {reruns} effect steps ran more than once and changed nothing",
        started.elapsed()
    );
    eprintln!("{restarted} steps were started again after their worker died in them");
    assert!(kills >= 3, "the run was too short to kill anything much");
    assert!(
        restarted > 0,
        "no kill landed mid-workflow; the test proved nothing"
    );
    assert_eq!(cluster.queue_depth().await, 0.0, "no job left behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_killed_every_second_on_postgres_lose_nothing() {
    let Some(database) = postgres().await else {
        return;
    };
    workers_killed_every_second_lose_nothing(database, "db".into()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_killed_every_second_on_redis_lose_nothing() {
    let Some(database) = postgres().await else {
        return;
    };
    let Some(redis) = RedisQueue::fresh("quorum_fault").await else {
        return;
    };
    workers_killed_every_second_lose_nothing(database, redis.spec()).await;
    redis.clean().await;
}

/// Clients create workflows (run without a vote) while the server, with its in-process
/// workers, is killed with SIGKILL; after a restart every acknowledged workflow is there and
/// finishes, the aggregates match a full scan, and every effect happened once.
async fn a_server_killed_mid_load_loses_nothing_acknowledged(database: Database) {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Arc::new(Cluster::new(dir.path(), &database, "db".into()));
    let server = cluster.serve(2).await;
    let tokens = cluster.set_up(false).await;
    let agent = tokens["agent_fault"].clone();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (cluster, agent, stop) = (cluster.clone(), agent.clone(), stop.clone());
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let body =
                        json!({"workflow_type_id": "test.fault", "inputs": {"sleep_ms": 20}});
                    match cluster
                        .call(reqwest::Method::POST, "/api/workflows", &agent, Some(body))
                        .await
                    {
                        Ok((201, created)) => {
                            acknowledged.push(created["id"].as_str().unwrap().to_owned())
                        }
                        Ok((status, body)) => panic!("create answered {status}: {body}"),
                        Err(_) => break, // the server is gone
                    }
                }
                acknowledged
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(server); // SIGKILL, mid-request and mid-step
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for client in clients {
        acknowledged.extend(client.await.unwrap());
    }
    assert!(
        acknowledged.len() > 20,
        "only {} creates before the kill",
        acknowledged.len()
    );

    let _restarted = cluster.serve(2).await;
    let listed = cluster
        .get("/api/workflows?workflow_type_id=test.fault&limit=1")
        .await["total"]
        .as_i64()
        .unwrap();
    assert!(
        listed >= acknowledged.len() as i64,
        "{listed} listed, {} acknowledged",
        acknowledged.len()
    );
    cluster
        .wait_until_all_complete(listed, Duration::from_secs(120))
        .await;
    let all = cluster.all_ids("test.fault").await;
    assert_eq!(all.len() as i64, listed);
    let known: HashSet<&String> = all.iter().collect();
    assert!(
        acknowledged.iter().all(|id| known.contains(id)),
        "an acknowledged workflow is missing"
    );
    let (reruns, _) = cluster.check_exactly_once(&all).await;
    eprintln!(
        "{} acknowledged, {listed} created before the kill; all completed after the restart; {reruns} effect steps re-ran",
        acknowledged.len()
    );
    let check = cluster.command(0).arg("check-aggregates").output().unwrap();
    assert!(
        check.status.success(),
        "aggregates: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert_eq!(cluster.queue_depth().await, 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_load_on_sqlite_loses_nothing_acknowledged() {
    a_server_killed_mid_load_loses_nothing_acknowledged(Database::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_load_on_postgres_loses_nothing_acknowledged() {
    let Some(database) = postgres().await else {
        return;
    };
    a_server_killed_mid_load_loses_nothing_acknowledged(database).await;
}

/// SIGTERM drains a `quorum worker`: it stops claiming, lets the running step finish, hands
/// the workflow back between steps and exits; another worker finishes the workflow with
/// every step run once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_sent_sigterm_finishes_its_step_and_hands_the_workflow_back() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::new(dir.path(), &Database::Sqlite, "db".into());
    let _server = cluster.serve(0).await;
    let tokens = cluster.set_up(false).await;
    let mut worker = cluster.worker(1);
    let body = json!({"workflow_type_id": "test.fault", "inputs": {"sleep_ms": 1500}});
    let created = cluster
        .post("/api/workflows", &tokens["agent_fault"], body)
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/workflows/{id}");
    let deadline = Instant::now() + Duration::from_secs(20);
    // Wait until the worker is inside the first pause.
    while cluster.get(&path).await["steps"][1]["status"] != "running" {
        assert!(
            Instant::now() < deadline,
            "the worker never reached the pause"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let term = Command::new("kill")
        .args(["-TERM", &worker.0.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = worker.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the worker did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        status.success(),
        "a drained worker exits cleanly: {status:?}"
    );
    let between = cluster.get(&path).await;
    assert_eq!(between["status"], "IN_PROGRESS");
    assert_eq!(
        between["steps"][1]["status"], "succeeded",
        "the running step was let finish"
    );
    assert_eq!(
        between["steps"][2]["status"], "pending",
        "and the next one never began"
    );
    assert_eq!(cluster.queue_depth().await, 1.0, "handed back, not dropped");

    let _next = cluster.worker(1);
    cluster
        .wait_until_all_complete(1, Duration::from_secs(30))
        .await;
    let done = cluster.get(&path).await;
    let attempts: Vec<i64> = done["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["attempts"].as_i64().unwrap())
        .collect();
    assert_eq!(attempts, [1, 1, 1, 1, 1], "every step ran once");
}

/// A server killed with SIGKILL while its workflows wait, with no worker or lease held by
/// them: after a restart each resumes no earlier than its time (some came due while the server
/// was down, the others after it is back) and completes once, every effect once.
async fn a_server_killed_during_waits_resumes_them_after_restart(
    database: Database,
    queue: String,
) {
    let dir = tempfile::tempdir().unwrap();
    let cluster = Cluster::new(dir.path(), &database, queue);
    let server = cluster.serve(2).await;
    let tokens = cluster.set_up(false).await;
    let step = |name: &str, handler: &str| json!({"name": name, "title": name, "estimated_seconds": 1, "handler": handler});
    let definition = json!({
        "id": "test.waiting",
        "name": "Waiting test",
        "description": "An effect, a wait without a worker, another effect.",
        "domain": "media",
        "category": "Testing",
        "estimated_duration_seconds": 1,
        "input_schema": {"type": "object", "properties": {"wait_seconds": {"type": "number", "minimum": 0}}},
        "outputs": {},
        "steps": [step("a", "core.effect"), step("wait", "core.wait"), step("c", "core.effect")],
        "success_criteria": [],
        "oversight": {"required": false, "council": "council_media"},
        "review_criteria": [],
        "savings_model": {"tasks_automated": "Testing", "minutes_saved_per_week": 30, "hourly_rate": 60},
        "max_attempts": 3
    });
    cluster.post("/api/workflow-types", ADMIN, definition).await;
    let agent = &tokens["agent_fault"];
    let mut ids = Vec::new();
    for n in 0..10 {
        // Half come due while the server is down, half after it is back.
        let wait_seconds = if n % 2 == 0 { 1.5 } else { 6.0 };
        let body =
            json!({"workflow_type_id": "test.waiting", "inputs": {"wait_seconds": wait_seconds}});
        let created = cluster.post("/api/workflows", agent, body).await;
        ids.push(created["id"].as_str().unwrap().to_owned());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    for id in &ids {
        while cluster.get(&format!("/api/workflows/{id}")).await["steps"][1]["status"] != "waiting"
        {
            assert!(Instant::now() < deadline, "{id} never waited");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    drop(server); // SIGKILL, every workflow waiting
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let _restarted = cluster.serve(2).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    for id in &ids {
        let detail = loop {
            let detail = cluster.get(&format!("/api/workflows/{id}")).await;
            if detail["status"] == "COMPLETED" {
                break detail;
            }
            assert!(
                Instant::now() < deadline,
                "{id} did not complete after the restart: {detail:#}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let wait = &detail["steps"][1];
        let at = |field: &str| {
            chrono::DateTime::parse_from_rfc3339(wait[field].as_str().unwrap()).unwrap()
        };
        // To the second, as the API gives times: resumed no earlier than its time.
        assert!(
            at("started_at") >= at("wake_at"),
            "{id} resumed early: {wait:#}"
        );
        assert_eq!(
            wait["attempts"], 1,
            "{id}: a wait is not an attempt: {wait:#}"
        );
        let events: Vec<&str> = detail["audit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["event"].as_str().unwrap())
            .collect();
        assert_eq!(
            (
                events.iter().filter(|e| **e == "started").count(),
                events.iter().filter(|e| **e == "completed").count()
            ),
            (1, 1),
            "{id}: {events:?}"
        );
    }
    let effects = dir.path().join("effects");
    let files: HashSet<String> = std::fs::read_dir(&effects)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| !name.starts_with('.') && name != "runs.log")
        .collect();
    let expected: HashSet<String> = ids
        .iter()
        .flat_map(|id| [format!("{id}.0.a"), format!("{id}.2.c")])
        .collect();
    assert_eq!(files, expected, "every effect once, none else");
    assert_eq!(cluster.queue_depth().await, 0.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_waits_on_sqlite_resumes_them_after_restart() {
    a_server_killed_during_waits_resumes_them_after_restart(Database::Sqlite, "db".into()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_waits_on_postgres_resumes_them_after_restart() {
    let Some(database) = postgres().await else {
        return;
    };
    a_server_killed_during_waits_resumes_them_after_restart(database, "db".into()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_waits_on_redis_resumes_them_after_restart() {
    let Some(database) = postgres().await else {
        return;
    };
    let Some(redis) = RedisQueue::fresh("quorum_fault_waits").await else {
        return;
    };
    a_server_killed_during_waits_resumes_them_after_restart(database, redis.spec()).await;
    redis.clean().await;
}
