//! A valid request for each operation, so that the one hostile value in it gets past every
//! other check and reaches the code behind: a vote on a real pending workflow, a council that
//! could be created, the seed's chat request. An operation not listed here gets its path
//! parameters as plain words and a body made from its schema.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::document::{Operation, minimal};
use crate::helpers::TestApp;

pub const AGENT: &str = "agent_jermaine_super_action";
pub const MEMBER: &str = "user_council_lead";

/// A valid request, before one of its values is made hostile.
pub struct Valid {
    /// The principal whose request it naturally is.
    pub who: &'static str,
    pub path: BTreeMap<String, String>,
    /// Valid values for the query parameters; none is sent unless it is the one made hostile.
    pub query: BTreeMap<String, String>,
    pub body: Option<Value>,
}

/// Workflows made once: one pending, one approved and waiting to be enqueued.
pub struct Fixtures {
    pub pending: String,
    pub approved: String,
}

impl Fixtures {
    pub async fn make(app: &TestApp) -> Self {
        let pending = create(app, "Codex Digital Studios", json!({}))
            .await
            .expect("a pending workflow");
        let approved = create(app, "Approved Studio", json!({"enqueue": false}))
            .await
            .expect("a workflow to approve");
        for member in [MEMBER, "user_b"] {
            let (status, body) = app.vote(member, &approved, "approve", "fine").await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        Self { pending, approved }
    }
}

pub fn site_inputs(name: &str) -> Value {
    json!({
        "site_name": name,
        "site_description": "AI-powered web development",
        "contact_email": "hello@codexdigital.app",
        "brand_colors": {"primary": "#1a1a1a", "secondary": "#f7f1e3", "accent": "#d4af37"},
        "typography": {"heading": "Inter", "body": "Open Sans"},
        "pages": ["home", "about", "contact"],
        "include_blog": true
    })
}

/// A website workflow proposed by the agent; its id.
async fn create(app: &TestApp, site_name: &str, extra: Value) -> Result<String, String> {
    let mut body =
        json!({"workflow_type_id": "website.create_basic_site", "inputs": site_inputs(site_name)});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = v;
    }
    let (status, created) = app
        .send(Method::POST, "/api/workflows", AGENT, Some(body))
        .await;
    match created["id"].as_str() {
        Some(id) if status == StatusCode::CREATED => Ok(id.to_owned()),
        _ => Err(format!("creating a workflow to drive: {status} {created}")),
    }
}

fn workflow_type(n: usize) -> Value {
    json!({
        "id": format!("hostile.type_{n}"),
        "name": format!("Hostile type {n}"),
        "description": "A type registered with one hostile value.",
        "domain": "media",
        "category": "Testing",
        "estimated_duration_seconds": 1,
        "input_schema": {"type": "object", "properties": {"note": {"type": "string", "maxLength": 100}}},
        "outputs": {},
        "steps": [{"name": "only", "title": "Only", "estimated_seconds": 1, "handler": "core.noop"}],
        "success_criteria": [],
        "oversight": {"required": true, "council": "council_media", "threshold": "simple_majority"},
        "review_criteria": [],
        "savings_model": {"tasks_automated": "Testing", "minutes_saved_per_week": 60, "hourly_rate": 50},
        "max_attempts": 3
    })
}

/// The `n`th valid request of `op` (`n` keeps the ids it creates unique).
pub async fn request(
    app: &TestApp,
    doc: &Value,
    fixtures: &Fixtures,
    op: &Operation,
    n: usize,
) -> Result<Valid, String> {
    let mut valid = Valid {
        who: "admin",
        path: op
            .path_params
            .iter()
            .map(|p| (p.clone(), "hostile".into()))
            .collect(),
        query: BTreeMap::new(),
        body: op.body_schema.as_ref().map(|s| minimal(doc, s, 0)),
    };
    let mut path = |name: &str, value: String| {
        valid.path.insert(name.into(), value);
    };
    let (who, body) = match (op.method.as_str(), op.path.as_str()) {
        ("POST", "/api/workflows") => (
            AGENT,
            json!({
                "workflow_type_id": "website.create_basic_site",
                "inputs": site_inputs(&format!("Hostile {n}")),
                "calculated_savings": {"weekly_savings": 225.0, "annual_savings": 11700.0},
                "enqueue": true
            }),
        ),
        ("GET", "/api/workflows/{id}") => {
            path("id", fixtures.pending.clone());
            ("admin", Value::Null)
        }
        ("POST", "/api/workflows/{id}/votes") => {
            path("id", create(app, &format!("Vote {n}"), json!({})).await?);
            (
                MEMBER,
                json!({"vote": "reject", "reason": "the copy needs work"}),
            )
        }
        ("POST", "/api/workflows/{id}/cancel") => {
            path("id", create(app, &format!("Cancel {n}"), json!({})).await?);
            (AGENT, json!({"reason": "no longer needed"}))
        }
        ("POST", "/api/workflows/{id}/enqueue") => {
            path("id", fixtures.approved.clone());
            (AGENT, Value::Null)
        }
        ("POST", "/api/chat") => (
            AGENT,
            json!({
                "agent_id": AGENT,
                "message": "Create a website for Codex Digital Studios",
                "mode": "execute",
                "context": {
                    "workflow_type": "website.create_basic_site",
                    "workflow_inputs": site_inputs("Codex Digital Studios")
                }
            }),
        ),
        ("POST", "/api/workflow-types") => ("admin", workflow_type(n)),
        ("GET", "/api/workflow-types/{id}") => {
            path("id", "website.create_basic_site".into());
            ("admin", Value::Null)
        }
        ("POST", "/api/councils") => (
            "admin",
            json!({
                "id": format!("council_hostile_{n}"),
                "name": format!("Hostile Council {n}"),
                "domains": [format!("hostile_{n}")],
                "members": ["user_b", "user_c"],
                "threshold": "simple_majority",
                "voting_window_hours": 24
            }),
        ),
        ("GET", "/api/councils/{id}") => {
            path("id", "council_media".into());
            ("admin", Value::Null)
        }
        // The commerce council, so that the media council the votes need keeps its members.
        ("PUT", "/api/councils/{id}/members") => {
            path("id", "council_commerce".into());
            ("admin", json!({"members": [MEMBER, "user_b", "user_c"]}))
        }
        ("POST", "/api/principals") => (
            "admin",
            json!({"id": format!("hostile_principal_{n}"), "kind": "user", "roles": ["member"], "name": "Hostile"}),
        ),
        ("GET", "/api/sites/{slug}/messages") => {
            path("slug", "codex-digital-studios".into());
            ("admin", Value::Null)
        }
        _ => ("admin", Value::Null),
    };
    valid.who = who;
    if !body.is_null() {
        valid.body = Some(body);
    }
    for (name, value) in [
        ("status", "PENDING"),
        ("council_id", "council_media"),
        ("agent_id", AGENT),
        ("workflow_type_id", "website.create_basic_site"),
        ("created_after", "2020-01-01T00:00:00Z"),
        ("created_before", "2100-01-01T00:00:00Z"),
        ("limit", "10"),
        ("offset", "0"),
        ("last_event_id", "0"),
    ] {
        if op.query_params.iter().any(|p| p == name) {
            valid.query.insert(name.into(), value.into());
        }
    }
    Ok(valid)
}
