//! The dashboard pages over HTTP: the council queue and voting from it, the analytics
//! agreeing with the metrics endpoint, history filters and pages, page sizes, the assets and
//! unknown pages.

use reqwest::header;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::dashboard::{Dash, Page, cookie_value};
use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    a_vote_with_the_csrf_token_is_recorded_and_a_second_one_is_a_message,
    the_queue_shows_the_pending_workflows_of_my_councils_only,
    the_analytics_numbers_are_the_metrics_endpoints,
    history_filters_and_pages_through_workflows_fifty_at_a_time,
    every_page_stays_under_100_kb,
);

async fn a_vote_with_the_csrf_token_is_recorded_and_a_second_one_is_a_message(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = app
        .create_website("agent_jermaine_super_action", "Acme")
        .await;
    let id = w["id"].as_str().unwrap();
    let dash = Dash::signed_in(&app, "user_council_lead").await;
    let queue = dash.page("/dashboard/queue").await;
    let actions = queue.attrs("form.vote-form", "action");
    assert_eq!(actions, [format!("/dashboard/workflows/{id}/vote")]);
    let csrf = queue
        .attrs("form.vote-form input[name=csrf]", "value")
        .remove(0);

    // A rejection needs a reason: a message, nothing written.
    let path = format!("/dashboard/workflows/{id}/vote");
    let page = dash
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("vote", "reject"),
                ("return_to", "/dashboard/queue"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let flash = cookie_value(&page.set_cookie("quorum_flash").unwrap());
    let shown = dash
        .request(
            Method::GET,
            "/dashboard/queue",
            None,
            &[("quorum_flash", &flash)],
        )
        .await;
    let alert = shown.texts("[role=alert]").join(" ");
    assert!(
        alert.contains("Your vote was not recorded") && alert.contains("reason"),
        "{alert}"
    );
    assert!(
        shown
            .set_cookie("quorum_flash")
            .unwrap()
            .contains("Max-Age=0"),
        "shown once"
    );
    assert_eq!(
        app.get(&format!("/api/workflows/{id}")).await["votes"],
        json!([])
    );

    let page = dash
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("vote", "approve"),
                ("reason", "on brand"),
                ("return_to", &format!("/dashboard/workflows/{id}")),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), format!("/dashboard/workflows/{id}"));
    let detail = app.get(&format!("/api/workflows/{id}")).await;
    let votes = detail["votes"].as_array().unwrap();
    assert_eq!(votes.len(), 1);
    assert_eq!(
        (&votes[0]["user_id"], &votes[0]["vote"], &votes[0]["reason"]),
        (
            &json!("user_council_lead"),
            &json!("approve"),
            &json!("on brand")
        )
    );
    let page = dash.page(&format!("/dashboard/workflows/{id}")).await;
    assert!(
        page.texts(".my-vote")
            .join("")
            .starts_with("You voted approve")
    );
    assert!(
        page.attrs("form.vote-form", "action").is_empty(),
        "no second form"
    );

    // Voting again is the API's 409, shown as a message: never a 500.
    let again = dash
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("vote", "reject"),
                ("reason", "changed my mind"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.location(), "/dashboard/queue");
    assert!(again.set_cookie("quorum_flash").is_some());
    assert_eq!(
        app.get(&format!("/api/workflows/{id}")).await["votes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn the_queue_shows_the_pending_workflows_of_my_councils_only(backend: Backend) {
    let mut app = TestApp::start(backend).await;
    let outsiders = app.council("council_ops", "ops", 1, json!({})).await;
    let mine = app
        .create_for("agent_jermaine_super_action", "council_media", json!({}))
        .await;
    let theirs = app
        .create_for("agent_jermaine_super_action", "council_ops", json!({}))
        .await;
    let decided = app
        .create_for("commerce_agent", "council_commerce", json!({}))
        .await;
    for member in ["user_council_lead", "user_b"] {
        app.vote(member, decided["id"].as_str().unwrap(), "approve", "ok")
            .await;
    }
    let dash = Dash::signed_in(&app, "user_b").await;
    let queue = dash.page("/dashboard/queue").await;
    let listed = queue.attrs("article.card h3 a", "href");
    assert_eq!(
        listed,
        [format!(
            "/dashboard/workflows/{}",
            mine["id"].as_str().unwrap()
        )]
    );
    assert_eq!(
        queue.texts("article.card h3"),
        ["Codex"],
        "titled by what it makes"
    );
    assert_eq!(queue.texts("#needs-vote"), ["Needs your vote (1)"]);
    assert_eq!(
        queue.attrs("#queue-list", "data-live-councils"),
        ["council_commerce council_media"]
    );
    let fragment = dash.page("/dashboard/queue?fragment=1").await;
    assert!(
        !fragment.body.contains("<html"),
        "the fragment is the list alone"
    );
    assert!(fragment.body.contains(mine["id"].as_str().unwrap()));
    assert!(!fragment.body.contains(theirs["id"].as_str().unwrap()));

    let outsider = Dash::signed_in(&app, &outsiders[0]).await;
    let queue = outsider.page("/dashboard/queue").await;
    assert!(queue.body.contains(theirs["id"].as_str().unwrap()));
    assert!(!queue.body.contains(mine["id"].as_str().unwrap()));

    let admin = Dash::signed_in(&app, "admin").await;
    let queue = admin.page("/dashboard/queue").await;
    assert_eq!(queue.attrs("article.card", "aria-labelledby").len(), 2);
    assert!(
        queue.attrs("form.vote-form", "action").is_empty(),
        "admins are not voters"
    );
    let overview = admin.page("/dashboard").await;
    assert_eq!(
        overview.attrs("[data-metric=pending_mine]", "data-value"),
        ["3"],
        "approved but not yet started counts as PENDING"
    );
}

/// The `data-value` of `[data-metric=name]`.
fn metric(page: &Page, name: &str) -> f64 {
    let values = page.attrs(&format!("[data-metric={name}]"), "data-value");
    assert_eq!(values.len(), 1, "{name}: {values:?}");
    values[0]
        .parse()
        .unwrap_or_else(|_| panic!("{name}: {values:?}"))
}

async fn the_analytics_numbers_are_the_metrics_endpoints(backend: Backend) {
    let app = TestApp::start(backend).await;
    use quorum_domain::WorkflowStatus::*;
    for (i, status) in [Pending, InProgress, Completed, Completed, Failed, Cancelled]
        .into_iter()
        .enumerate()
    {
        let agent = if i % 2 == 0 {
            "agent_jermaine_super_action"
        } else {
            "commerce_agent"
        };
        let council = if i % 3 == 0 {
            "council_media"
        } else {
            "council_commerce"
        };
        let w = app.create_for(agent, council, json!({})).await;
        let id = w["id"].as_str().unwrap();
        match status {
            Pending => {}
            InProgress => app.force_status(id, Pending, InProgress).await,
            other => {
                app.force_status(id, Pending, InProgress).await;
                app.force_status(id, InProgress, other).await;
            }
        }
    }
    let metrics = app.get("/api/workflows/metrics").await;
    let dash = Dash::signed_in(&app, "user_viewer").await;
    let page = dash.page("/dashboard/analytics").await;
    for name in [
        "total_workflows",
        "total_weekly_savings",
        "total_annual_savings",
        "average_duration_seconds",
        "success_rate",
        "total_attempts",
        "total_errors",
    ] {
        assert_eq!(
            metric(&page, name),
            metrics[name].as_f64().unwrap(),
            "{name}"
        );
    }
    assert_eq!(
        metrics["total_weekly_savings"], 450.0,
        "two completed website workflows"
    );
    assert!(page.texts("[data-metric=total_annual_savings]")[0] == "$23,400.00");
    for key in [
        "status_distribution",
        "workflows_by_agent",
        "workflows_by_council",
        "workflows_by_type",
    ] {
        let selector = format!("td[data-key={key}]");
        let labels = page.attrs(&selector, "data-label");
        let values = page.attrs(&selector, "data-value");
        let expected = metrics[key].as_object().unwrap();
        assert_eq!(labels.len(), expected.len(), "{key}");
        for (label, value) in labels.iter().zip(&values) {
            assert_eq!(
                Some(value.parse::<f64>().unwrap()),
                expected[label].as_f64(),
                "{key}.{label}"
            );
        }
    }
    let charts = page.attrs("svg[role=img]", "aria-label");
    assert_eq!(charts.len(), 5);
    assert!(charts[0].contains("COMPLETED: 2"), "{}", charts[0]);
    // The overview agrees too.
    let overview = dash.page("/dashboard").await;
    assert_eq!(metric(&overview, "total_workflows"), 6.0);
    assert_eq!(metric(&overview, "total_weekly_savings"), 450.0);
}

async fn create_many(app: &TestApp, n: usize, agent: &str, council: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..n {
        let w = app.create_for(agent, council, json!({})).await;
        ids.push(w["id"].as_str().unwrap().to_owned());
    }
    ids
}

fn row_ids(page: &Page) -> Vec<String> {
    page.texts("table tbody tr td:first-child a")
}

async fn history_filters_and_pages_through_workflows_fifty_at_a_time(backend: Backend) {
    let app = TestApp::start(backend).await;
    let media = create_many(&app, 53, "agent_jermaine_super_action", "council_media").await;
    let commerce = create_many(&app, 3, "commerce_agent", "council_commerce").await;
    let dash = Dash::signed_in(&app, "user_viewer").await;

    let first = dash.page("/dashboard/history").await;
    assert_eq!(first.attrs("[data-total]", "data-total"), ["56"]);
    let rows = row_ids(&first);
    assert_eq!(rows.len(), 50);
    assert!(first.attrs("a[rel=prev]", "href").is_empty());
    let next = first.attrs("a[rel=next]", "href").remove(0);
    let second = dash.page(&next).await;
    let rest = row_ids(&second);
    assert_eq!(rest.len(), 6);
    let mut seen: Vec<String> = rows.iter().chain(&rest).cloned().collect();
    let mut all: Vec<String> = media.iter().chain(&commerce).cloned().collect();
    seen.sort();
    all.sort();
    assert_eq!(seen, all, "every workflow once, across the two pages");
    assert!(
        second.attrs("a[rel=next]", "href").is_empty(),
        "the last page"
    );
    let back = second.attrs("a[rel=prev]", "href").remove(0);
    assert_eq!(row_ids(&dash.page(&back).await), rows);

    let by_agent = dash
        .page("/dashboard/history?agent_id=commerce_agent")
        .await;
    let mut ids = row_ids(&by_agent);
    ids.sort();
    let mut expected = commerce.clone();
    expected.sort();
    assert_eq!(ids, expected);
    assert_eq!(by_agent.attrs("#agent_id", "value"), ["commerce_agent"]);
    let by_council = dash
        .page("/dashboard/history?council_id=council_commerce&status=pending")
        .await;
    assert_eq!(row_ids(&by_council).len(), 3);
    assert_eq!(
        by_council.attrs("#council_id option[selected]", "value"),
        ["council_commerce"]
    );
    assert_eq!(
        by_council.attrs("#status option[selected]", "value"),
        ["PENDING"]
    );
    let none = dash.page("/dashboard/history?status=COMPLETED").await;
    assert!(row_ids(&none).is_empty());
    let typed = dash.page("/dashboard/history?workflow_type_id=website.create_basic_site&council_id=council_media").await;
    assert_eq!(typed.attrs("[data-total]", "data-total"), ["53"]);

    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let future = dash
        .page(&format!("/dashboard/history?created_after={tomorrow}"))
        .await;
    assert_eq!(future.attrs("[data-total]", "data-total"), ["0"]);
    let past = dash
        .page(&format!(
            "/dashboard/history?created_before={tomorrow}&agent_id=commerce_agent"
        ))
        .await;
    assert_eq!(past.attrs("[data-total]", "data-total"), ["3"]);
    // Filters survive paging.
    let paged = dash
        .page(&format!("/dashboard/history?created_before={tomorrow}"))
        .await;
    let next = paged.attrs("a[rel=next]", "href").remove(0);
    assert!(
        next.contains(&format!("created_before={tomorrow}")),
        "{next}"
    );

    let bad = dash
        .get("/dashboard/history?created_after=yesterday&status=DONE")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let problems = bad.texts("[role=alert] li");
    assert_eq!(problems.len(), 2, "{problems:?}");
}

async fn every_page_stays_under_100_kb(backend: Backend) {
    let app = TestApp::start(backend).await;
    let long = "A long description with <markup> & quotes \" repeated. ".repeat(5);
    let long: String = long.chars().take(300).collect();
    let inputs = json!({"site_name": "Acme", "site_description": long, "contact_email": "a@b.co"});
    let mut ids = Vec::new();
    for _ in 0..60 {
        let w = app
            .create_for(
                "agent_jermaine_super_action",
                "council_media",
                json!({"inputs": inputs}),
            )
            .await;
        let id = w["id"].as_str().unwrap().to_owned();
        app.vote("user_b", &id, "abstain", &"Thinking it over. ".repeat(100))
            .await;
        ids.push(id);
    }
    let dash = Dash::signed_in(&app, "user_council_lead").await;
    let history = dash.page("/dashboard/history").await;
    let next = history.attrs("a[rel=next]", "href").remove(0);
    for path in [
        "/dashboard".to_owned(),
        "/dashboard/queue".to_owned(),
        "/dashboard/queue?fragment=1".to_owned(),
        "/dashboard/history".to_owned(),
        next,
        format!("/dashboard/workflows/{}", ids[0]),
        "/dashboard/agents".to_owned(),
        "/dashboard/agents/agent_jermaine_super_action".to_owned(),
        "/dashboard/analytics".to_owned(),
    ] {
        let page = dash.page(&path).await;
        assert!(
            page.body.len() < 100 * 1024,
            "{path}: {} bytes",
            page.body.len()
        );
        assert!(page.body.len() > 500, "{path}: {}", page.body);
    }
    let sign_in = Dash::new(&app).page("/dashboard/sign-in").await;
    assert!(sign_in.body.len() < 100 * 1024);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stylesheet_and_script_are_served_for_a_year_and_unknown_pages_are_404() {
    let app = TestApp::start(Backend::Sqlite).await;
    let dash = Dash::signed_in(&app, "user_b").await;
    let page = dash.page("/dashboard").await;
    let css = page.attrs("link[rel=stylesheet]", "href").remove(0);
    let js = page.attrs("script[src]", "src").remove(0);
    for (path, kind) in [(css, "text/css"), (js, "text/javascript")] {
        let asset = Dash::new(&app).page(&path).await;
        assert!(
            asset.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with(kind)
        );
        assert!(
            asset.headers[header::CACHE_CONTROL]
                .to_str()
                .unwrap()
                .contains("max-age=31536000")
        );
    }
    let missing = dash.get("/dashboard/nothing/here").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let unknown = dash.get("/dashboard/workflows/wf_missing").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let nobody = dash.get("/dashboard/agents/nobody").await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    let stream = app
        .client
        .get(format!("{}/dashboard/events", app.url))
        .header(
            header::COOKIE,
            format!("quorum_session={}", dash.session.as_ref().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(stream.headers()[header::CONTENT_TYPE], "text/event-stream");
}
