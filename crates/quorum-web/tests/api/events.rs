//! `GET /api/events`: a council's stream, and resuming it with Last-Event-ID.

use std::time::Duration;

use serde_json::{Value, json};

use quorum_domain::WorkflowStatus;
use quorum_store::EventFilter;

use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    a_council_stream_carries_its_workflows_events_and_resumes_after_an_id,
    a_change_made_by_another_process_reaches_the_stream,
    the_sweep_prunes_old_events_of_finished_workflows_only,
);

/// Reads SSE events from `response` until `count` have arrived (or five seconds pass).
async fn read_events(
    response: &mut reqwest::Response,
    count: usize,
) -> Vec<(String, String, Value)> {
    let mut text = String::new();
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while events.len() < count {
        let chunk = tokio::time::timeout_at(deadline, response.chunk())
            .await
            .expect("events arrive in time")
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_owned()))
            };
            if let (Some(id), Some(kind), Some(data)) =
                (field("id:"), field("event:"), field("data:"))
            {
                events.push((id, kind, serde_json::from_str(&data).unwrap()));
            }
        }
    }
    events
}

async fn a_council_stream_carries_its_workflows_events_and_resumes_after_an_id(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let members = app.council("council_live", "live", 1, json!({})).await;
    let subscribe = |last: Option<String>| {
        let mut request = app
            .client
            .get(format!("{}/api/events?council_id=council_live", app.url))
            .bearer_auth(&app.tokens["admin"]);
        if let Some(last) = last {
            request = request.header("Last-Event-ID", last);
        }
        request.send()
    };
    let mut stream = subscribe(None).await.unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    app.create_for("commerce_agent", "council_commerce", json!({}))
        .await;
    let w = app
        .create_for("agent_jermaine_super_action", "council_live", json!({}))
        .await;
    let id = w["id"].as_str().unwrap();
    app.vote(&members[0], id, "approve", "ship it").await;
    let events = read_events(&mut stream, 3).await;
    let kinds: Vec<&str> = events.iter().map(|e| e.1.as_str()).collect();
    // Created for the type's council, the workflow joins this stream when it is sent here.
    assert_eq!(kinds, ["reassigned", "voted", "decided"]);
    assert!(
        events
            .iter()
            .all(|e| e.2["workflow_id"] == id && e.2["council_id"] == "council_live"),
        "nothing of another council"
    );
    assert_eq!(events[2].2["data"]["decision"], "approved");
    drop(stream);

    let mut resumed = subscribe(Some(events[0].0.clone())).await.unwrap();
    let replay = read_events(&mut resumed, 2).await;
    assert_eq!(
        replay.iter().map(|e| e.0.clone()).collect::<Vec<_>>(),
        [events[1].0.clone(), events[2].0.clone()]
    );
    let (status, _) = app
        .send(
            reqwest::Method::GET,
            "/api/events?last_event_id=abc",
            "admin",
            None,
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST);
}

async fn a_change_made_by_another_process_reaches_the_stream(backend: Backend) {
    let app = TestApp::start(backend).await;
    let mut stream = app
        .client
        .get(format!("{}/api/events?agent_id=commerce_agent", app.url))
        .bearer_auth(&app.tokens["admin"])
        .send()
        .await
        .unwrap();
    // A second core over the same database stands for another server process: its changes
    // reach this server's stream through the event log, not through this process's memory.
    let other = quorum_service::Quorum::new(app.store.clone(), None, false);
    let agent = app.store.get_principal("commerce_agent").await.unwrap();
    let request: quorum_service::CreateWorkflow = serde_json::from_value(json!({
        "workflow_type_id": "website.create_basic_site",
        "inputs": {"site_name": "Elsewhere", "site_description": "Made by another process", "contact_email": "a@example.com"}
    }))
    .unwrap();
    let created = other.create_workflow(&agent, request).await.unwrap();
    let events = read_events(&mut stream, 1).await;
    assert_eq!(
        (events[0].1.as_str(), events[0].2["workflow_id"].as_str()),
        ("created", Some(created.id.as_str()))
    );
}

async fn the_sweep_prunes_old_events_of_finished_workflows_only(backend: Backend) {
    let app = TestApp::start(backend).await;
    let agent = "agent_jermaine_super_action";
    let finished = app.create_website(agent, "Finished Cafe").await;
    let finished = finished["id"].as_str().unwrap();
    let pending = app.create_website(agent, "Pending Cafe").await;
    let pending = pending["id"].as_str().unwrap();
    app.force_status(finished, WorkflowStatus::Pending, WorkflowStatus::Cancelled)
        .await;
    let events_of = |id: &str| {
        let (store, id) = (app.store.clone(), id.to_owned());
        async move {
            store
                .events_after(0, &EventFilter::default(), 1_000)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.workflow_id == id)
                .count()
        }
    };
    let retention = chrono::Duration::days(30);
    let now = quorum_domain::time::now();
    assert_eq!(app.quorum.prune_events(now, retention).await.unwrap(), 0);
    let had = (events_of(finished).await, events_of(pending).await);
    assert!(had.0 >= 2 && had.1 >= 1, "{had:?}");

    let later = now + retention + chrono::Duration::days(1);
    assert_eq!(
        app.quorum.prune_events(later, retention).await.unwrap(),
        had.0 as u64
    );
    assert_eq!(events_of(finished).await, 0);
    assert_eq!(
        events_of(pending).await,
        had.1,
        "a pending workflow keeps its events"
    );
}
