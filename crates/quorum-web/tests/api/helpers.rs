//! `TestApp`: a server on a random port over a fresh SQLite file or PostgreSQL schema, with an
//! admin, two agents, three council members and two councils, and typed request helpers.

use std::sync::Arc;

use quorum_domain::WorkflowStatus;
use std::time::Duration;

use quorum_service::{Quorum, RetryPolicy, WorkerConfig, WorkerPool};
use quorum_steps::StepEnv;
use quorum_store::{Store, Transition};
use quorum_testkit::postgres_url;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

enum Guard {
    Dir(#[expect(dead_code, reason = "held for its Drop")] tempfile::TempDir),
    Schema(#[expect(dead_code, reason = "held for its Drop")] quorum_testkit::PgSchema),
}

pub struct TestApp {
    pub url: String,
    pub quorum: Quorum,
    pub store: Arc<dyn Store>,
    pub client: reqwest::Client,
    /// Tokens by principal id.
    pub tokens: std::collections::HashMap<String, String>,
    /// Where step handlers leave their effects.
    pub data_dir: tempfile::TempDir,
    _guard: Guard,
}

/// Declares one test per backend from an async fn taking `Backend`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::helpers::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if $crate::helpers::postgres_available().await {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            })*
        }
    };
}

/// PostgreSQL tests skip, loudly, when no server runs, except under `CI=true`, where they fail.
pub async fn postgres_available() -> bool {
    match quorum_store_postgres::PgStore::connect(&postgres_url(), 1).await {
        Ok(store) => {
            store.close().await;
            true
        }
        Err(e) => {
            quorum_testkit::skip(
                "PostgreSQL",
                &format!("not reachable at {}: {e}", postgres_url()),
                quorum_testkit::POSTGRES_HOW,
            );
            false
        }
    }
}

impl TestApp {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, false).await
    }

    pub async fn start_with(backend: Backend, public_reads: bool) -> Self {
        Self::start_configured(backend, public_reads, |quorum| quorum).await
    }

    /// Starts with `configure` applied to the core before it serves (a mailer, a queue …).
    pub async fn start_configured(
        backend: Backend,
        public_reads: bool,
        configure: impl FnOnce(Quorum) -> Quorum,
    ) -> Self {
        let (store, guard): (Arc<dyn Store>, Guard) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("quorum.db").display());
                let store = quorum_store_sqlite::SqliteStore::connect(&url, 4)
                    .await
                    .unwrap();
                (Arc::new(store), Guard::Dir(dir))
            }
            Backend::Postgres => {
                let schema = quorum_testkit::PgSchema::create(&postgres_url())
                    .await
                    .unwrap();
                let store = quorum_store_postgres::PgStore::connect(schema.url(), 8)
                    .await
                    .unwrap();
                (Arc::new(store), Guard::Schema(schema))
            }
        };
        let data_dir = tempfile::tempdir().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let quorum = Quorum::new(store.clone(), Some(ADMIN_TOKEN), public_reads)
            .with_step_env(StepEnv {
                data_dir: data_dir.path().to_owned(),
                public_url: url.clone(),
            })
            .with_retry_policy(RetryPolicy {
                base: Duration::from_millis(20),
                cap: Duration::from_millis(200),
                ..RetryPolicy::default()
            });
        let quorum = configure(quorum);
        quorum.prepare().await.unwrap();
        tokio::spawn(quorum_web::serve(
            listener,
            quorum_web::router(quorum.clone()),
            quorum_web::ServerLimits::default(),
            std::future::pending(),
        ));
        let mut app = Self {
            url,
            quorum,
            store,
            client: reqwest::Client::new(),
            tokens: Default::default(),
            data_dir,
            _guard: guard,
        };
        app.tokens.insert("admin".into(), ADMIN_TOKEN.into());
        app.seed().await;
        app
    }

    /// Another server over the same database, as a second process behind the same address
    /// would be, configured with `admin_token`; returns its URL.
    pub async fn second_server(&self, admin_token: &str) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let quorum =
            Quorum::new(self.store.clone(), Some(admin_token), false).with_step_env(StepEnv {
                data_dir: self.data_dir.path().to_owned(),
                public_url: url.clone(),
            });
        quorum.prepare().await.unwrap();
        tokio::spawn(quorum_web::serve(
            listener,
            quorum_web::router(quorum),
            quorum_web::ServerLimits::default(),
            std::future::pending(),
        ));
        url
    }

    async fn seed(&mut self) {
        for (id, kind, roles) in [
            ("agent_jermaine_super_action", "agent", json!(["agent"])),
            ("commerce_agent", "agent", json!(["agent"])),
            ("user_council_lead", "user", json!(["member"])),
            ("user_b", "user", json!(["member"])),
            ("user_c", "user", json!(["member"])),
            ("user_viewer", "user", json!(["viewer"])),
        ] {
            let body = json!({"id": id, "kind": kind, "roles": roles, "name": id});
            let (status, created) = self
                .send(Method::POST, "/api/principals", "admin", Some(body))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            self.tokens
                .insert(id.into(), created["token"].as_str().unwrap().into());
        }
        for (id, name, domain) in [
            ("council_media", "Media Council", "media"),
            ("council_commerce", "Commerce Council", "commerce"),
        ] {
            let body = json!({"id": id, "name": name, "domains": [domain], "members": ["user_council_lead", "user_b", "user_c"], "threshold": "simple_majority"});
            let (status, created) = self
                .send(Method::POST, "/api/councils", "admin", Some(body))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
        }
    }

    /// Sends a request as `who` (a principal id, or "" for no token) and returns the status and
    /// the JSON body (Null when the body is not JSON).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        who: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.client.request(method, format!("{}{path}", self.url));
        if !who.is_empty() {
            let token = self.tokens.get(who).map(String::as_str).unwrap_or(who);
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// GET as the admin; asserts 200.
    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.send(Method::GET, path, "admin", None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// Creates a council of `members` (new users, created here) owning `domain`.
    pub async fn council(
        &mut self,
        id: &str,
        domain: &str,
        members: usize,
        extra: Value,
    ) -> Vec<String> {
        let mut names = Vec::new();
        for i in 0..members {
            let name = format!("{id}_member_{i}");
            let (status, created) = self
                .send(
                    Method::POST,
                    "/api/principals",
                    "admin",
                    Some(json!({"id": name, "kind": "user", "roles": ["member"]})),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            self.tokens
                .insert(name.clone(), created["token"].as_str().unwrap().into());
            names.push(name);
        }
        let mut body = json!({"id": id, "name": id, "domains": [domain], "members": names});
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        let (status, created) = self
            .send(Method::POST, "/api/councils", "admin", Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        names
    }

    /// Creates a website workflow as `agent` and, when `council` is not the type's own, has
    /// the admin send it there (agents cannot choose); asserts 201 and 200.
    pub async fn create_for(&self, agent: &str, council: &str, extra: Value) -> Value {
        let mut body = json!({
            "workflow_type_id": "website.create_basic_site",
            "inputs": {"site_name": "Codex", "site_description": "AI-powered web development", "contact_email": "hello@codexdigital.app"}
        });
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        let (status, created) = self
            .send(Method::POST, "/api/workflows", agent, Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        if created["assigned_council_id"] == council {
            return created;
        }
        let id = created["id"].as_str().unwrap();
        let (status, moved) = self
            .send(
                Method::POST,
                &format!("/api/workflows/{id}/reassign"),
                "admin",
                Some(json!({"council_id": council, "reason": "this council reviews it in this test"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        moved
    }

    pub async fn vote(&self, who: &str, id: &str, vote: &str, reason: &str) -> (StatusCode, Value) {
        self.send(
            Method::POST,
            &format!("/api/workflows/{id}/votes"),
            who,
            Some(json!({"vote": vote, "reason": reason})),
        )
        .await
    }

    /// Creates a website workflow as `agent`; asserts 201.
    pub async fn create_website(&self, agent: &str, site_name: &str) -> Value {
        let body = json!({
            "workflow_type_id": "website.create_basic_site",
            "inputs": {"site_name": site_name, "site_description": "AI-powered web development", "contact_email": "hello@codexdigital.app"}
        });
        let (status, created) = self
            .send(Method::POST, "/api/workflows", agent, Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created
    }

    /// Publishes an Acme deployment of `files` at `slug`, as the deploy step does: the blobs
    /// first, then the deployment that names them, made live.
    pub async fn publish_site(
        &self,
        id: &str,
        slug: &str,
        workflow_id: &str,
        files: std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        let sites = self.quorum.site_store();
        sites
            .keep_files(files.values().cloned().collect())
            .await
            .unwrap();
        sites
            .publish(quorum_steps::SiteDeployment {
                id: id.into(),
                slug: slug.into(),
                workflow_id: workflow_id.into(),
                site_name: "Acme".into(),
                contact_email: "owner@example.com".into(),
                domain: None,
                files,
            })
            .await
            .unwrap();
    }

    /// Moves a workflow straight through the store, for tests that need other statuses before
    /// the API can make them. A move the lifecycle does not allow in one step (PENDING to
    /// COMPLETED) goes through IN_PROGRESS, as a run would.
    pub async fn force_status(&self, id: &str, from: WorkflowStatus, to: WorkflowStatus) {
        let mut from = from;
        if !from.can_become(to) && from.can_become(WorkflowStatus::InProgress) {
            self.move_status(id, from, WorkflowStatus::InProgress).await;
            from = WorkflowStatus::InProgress;
        }
        self.move_status(id, from, to).await;
    }

    async fn move_status(&self, id: &str, from: WorkflowStatus, to: WorkflowStatus) {
        let change = Transition {
            workflow_id: id.into(),
            from,
            to,
            decision: Some(quorum_domain::Decision::Approved),
            outputs: None,
            error: None,
            actor: "test".into(),
            event: quorum_domain::EventKind::entering(to),
            reason: None,
            at: quorum_domain::time::now(),
            require_undecided: false,
            metric: None,
        };
        self.store.transition(&change).await.unwrap();
    }
}

impl TestApp {
    /// Starts `concurrency` in-process workers with a short lease.
    pub fn workers(&self, concurrency: usize) -> WorkerPool {
        self.quorum.spawn_workers(WorkerConfig {
            concurrency,
            lease: Duration::from_secs(2),
            poll: Duration::from_millis(50),
            grace: Duration::from_secs(10),
            name: "test-worker".into(),
        })
    }

    /// Registers a workflow type of the given steps (`[name, handler]`), owned by the media
    /// council; asserts 201.
    pub async fn register_steps(&self, id: &str, steps: &[(&str, &str)], extra: Value) -> Value {
        let steps: Vec<Value> = steps
            .iter()
            .map(|(name, handler)| json!({"name": name, "title": name, "estimated_seconds": 1, "handler": handler}))
            .collect();
        let mut definition = json!({
            "id": id,
            "name": format!("Test type {id}"),
            "description": "Steps for execution tests.",
            "domain": "media",
            "category": "Testing",
            "estimated_duration_seconds": 1,
            "input_schema": {"type": "object", "properties": {
                "sleep_ms": {"type": "integer", "minimum": 0},
                "fail_times": {"type": "integer", "minimum": 0},
                "permanent": {"type": "boolean"}
            }},
            "outputs": {},
            "steps": steps,
            "success_criteria": [],
            "oversight": {"required": true, "council": "council_media", "threshold": "simple_majority"},
            "review_criteria": [],
            "savings_model": {"tasks_automated": "Testing", "minutes_saved_per_week": 60, "hourly_rate": 50},
            "max_attempts": 3
        });
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            definition[k] = v;
        }
        let (status, body) = self
            .send(
                Method::POST,
                "/api/workflow-types",
                "admin",
                Some(definition),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// The demo agent proposes a workflow of `type_id` with `inputs`; returns it as created.
    pub async fn propose(&self, type_id: &str, inputs: Value) -> Value {
        let body = json!({"workflow_type_id": type_id, "inputs": inputs});
        let (status, created) = self
            .send(
                Method::POST,
                "/api/workflows",
                "agent_jermaine_super_action",
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        created
    }

    /// Creates a workflow of `type_id` with `inputs` and has the media council approve it.
    pub async fn approved(&self, type_id: &str, inputs: Value) -> String {
        let created = self.propose(type_id, inputs).await;
        let id = created["id"].as_str().unwrap().to_owned();
        for member in ["user_council_lead", "user_b"] {
            let (status, body) = self.vote(member, &id, "approve", "looks right").await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        id
    }

    /// Polls the workflow until its status is `status`; panics after `within`.
    pub async fn wait_for(&self, id: &str, status: &str, within: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let detail = self.get(&format!("/api/workflows/{id}")).await;
            if detail["status"] == status {
                return detail;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{id} did not become {status} within {within:?}: {detail:#}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// An RFC 3339 UTC timestamp with a `Z`, as the seed writes them.
pub fn assert_z_timestamp(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is not a string"));
    assert!(text.ends_with('Z'), "{text} does not end in Z");
    chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}"));
}
