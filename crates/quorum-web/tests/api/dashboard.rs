//! The dashboards over HTTP: sign-in and its cookie, sessions, CSRF on every form, escaping;
//! and `Dash`, the browser-like client these tests and `dashboard_pages` share.

use reqwest::header::{self, HeaderMap};
use reqwest::{Method, StatusCode};
use scraper::{Html, Selector};
use serde_json::json;

use crate::helpers::{Backend, TestApp};

crate::on_both_backends!(
    signing_in_with_a_good_token_sets_a_strict_http_only_session_cookie,
    a_bad_token_is_refused_with_a_message_and_no_session,
    signed_out_requests_are_sent_to_sign_in_and_signing_out_ends_the_session,
    a_vote_without_the_csrf_token_is_refused_and_writes_nothing,
    markup_in_inputs_is_escaped_on_the_queue_history_and_detail_pages,
);

const SCRIPT: &str = "<script>alert(1)</script>";

/// A browser-like client of the dashboards: no redirects followed, cookies kept by hand.
pub struct Dash {
    base: String,
    client: reqwest::Client,
    pub session: Option<String>,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn location(&self) -> &str {
        self.headers[header::LOCATION].to_str().unwrap()
    }

    /// Every `Set-Cookie` naming `name`, whole.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The texts of the elements `css` selects.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let selector = Selector::parse(css).unwrap();
        self.html()
            .select(&selector)
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .collect()
    }

    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        let selector = Selector::parse(css).unwrap();
        self.html()
            .select(&selector)
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    }
}

pub fn cookie_value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap();
    pair.split_once('=').unwrap().1.to_owned()
}

fn form_body(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Dash {
    pub fn new(app: &TestApp) -> Self {
        Self::at(&app.url)
    }

    /// A client of the server at `base`, e.g. a second server over the same database.
    pub fn at(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            session: None,
        }
    }

    /// Signs in as `who` through the form; asserts it worked.
    pub async fn signed_in(app: &TestApp, who: &str) -> Self {
        let mut dash = Self::new(app);
        let page = dash.sign_in(&app.tokens[who]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        let cookie = page.set_cookie("quorum_session").expect("a session cookie");
        dash.session = Some(cookie_value(&cookie));
        dash
    }

    /// Loads the sign-in form and posts `token` with the form's CSRF token.
    pub async fn sign_in(&self, token: &str) -> Page {
        let form = self.get("/dashboard/sign-in").await;
        assert_eq!(form.status, StatusCode::OK);
        let cookie = cookie_value(&form.set_cookie("quorum_sign_in").unwrap());
        let csrf = form.attrs("input[name=csrf]", "value").remove(0);
        assert_eq!(cookie, csrf, "the double-submit token is the cookie's");
        self.request(
            Method::POST,
            "/dashboard/sign-in",
            Some(form_body(&[("token", token), ("csrf", &csrf)])),
            &[("quorum_sign_in", &cookie)],
        )
        .await
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        form: Option<String>,
        extra: &[(&str, &str)],
    ) -> Page {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        let mut cookies: Vec<String> = extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Some(session) = &self.session {
            cookies.push(format!("quorum_session={session}"));
        }
        if !cookies.is_empty() {
            request = request.header(header::COOKIE, cookies.join("; "));
        }
        if let Some(form) = form {
            request = request
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form);
        }
        let response = request.send().await.unwrap();
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.request(Method::GET, path, None, &[]).await
    }

    /// GET that must answer 200.
    pub async fn page(&self, path: &str) -> Page {
        let page = self.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "GET {path}: {}", page.body);
        page
    }

    pub async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Page {
        self.request(Method::POST, path, Some(form_body(pairs)), &[])
            .await
    }

    /// The CSRF token the forms of `path` carry.
    pub async fn csrf(&self, path: &str) -> String {
        self.page(path)
            .await
            .attrs("input[name=csrf]", "value")
            .remove(0)
    }
}

async fn signing_in_with_a_good_token_sets_a_strict_http_only_session_cookie(backend: Backend) {
    let app = TestApp::start(backend).await;
    let dash = Dash::new(&app);
    let page = dash.sign_in(&app.tokens["user_council_lead"]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location(), "/dashboard");
    let cookie = page.set_cookie("quorum_session").unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: {cookie}");
    assert!(
        !cookie.contains(&app.tokens["user_council_lead"]),
        "the token never reaches the browser: {cookie}"
    );

    let mut dash = dash;
    dash.session = Some(cookie_value(&cookie));
    let overview = dash.page("/dashboard").await;
    assert!(overview.body.contains("user_council_lead"));
    assert_eq!(overview.texts("h1"), ["Overview"]);
    let headers = &overview.headers;
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert!(
        headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );

    // The cookie is a random 256-bit id and nothing else; an altered or made-up one is no
    // session.
    let id = dash.session.clone().unwrap();
    assert_eq!(id.len(), 43, "32 bytes in base64url: {id}");
    assert!(!id.contains(['.', '|']), "no payload to read: {id}");
    let flipped = if id.starts_with('A') { "B" } else { "A" };
    for forged in [
        format!("{flipped}{}", &id[1..]),
        "admin".into(),
        String::new(),
    ] {
        dash.session = Some(forged.clone());
        assert_eq!(
            dash.get("/dashboard").await.status,
            StatusCode::SEE_OTHER,
            "{forged:?}"
        );
    }
}

async fn a_bad_token_is_refused_with_a_message_and_no_session(backend: Backend) {
    let app = TestApp::start(backend).await;
    let dash = Dash::new(&app);
    let page = dash.sign_in("qrm_not_a_real_token").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.set_cookie("quorum_session").is_none());
    assert_eq!(
        page.texts("[role=alert]"),
        ["That token is not valid. Check it, or ask an admin for a new one."]
    );

    // Without the form's token, even a good token does not sign in.
    let bare = dash
        .post(
            "/dashboard/sign-in",
            &[("token", &app.tokens["user_council_lead"])],
        )
        .await;
    assert_eq!(bare.status, StatusCode::FORBIDDEN);
    assert!(bare.set_cookie("quorum_session").is_none());
}

async fn signed_out_requests_are_sent_to_sign_in_and_signing_out_ends_the_session(
    backend: Backend,
) {
    let app = TestApp::start(backend).await;
    let anonymous = Dash::new(&app);
    for path in [
        "/dashboard",
        "/dashboard/queue",
        "/dashboard/history?status=PENDING",
        "/dashboard/workflows/wf_abc",
        "/dashboard/agents",
        "/dashboard/agents/commerce_agent",
        "/dashboard/analytics",
        "/dashboard/events",
    ] {
        let page = anonymous.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert!(
            page.location()
                .starts_with("/dashboard/sign-in?next=%2Fdashboard"),
            "{path}: {}",
            page.location()
        );
    }
    let vote = anonymous
        .post("/dashboard/workflows/wf_abc/vote", &[("vote", "approve")])
        .await;
    assert_eq!(vote.status, StatusCode::SEE_OTHER);

    // After signing in the member lands where they were going.
    let page = anonymous.get("/dashboard/history?status=PENDING").await;
    let next = page.location().to_owned();
    let form = anonymous.page(&next).await;
    assert_eq!(
        form.attrs("input[name=next]", "value"),
        ["/dashboard/history?status=PENDING"]
    );

    let dash = Dash::signed_in(&app, "user_b").await;
    let refused = dash.post("/dashboard/sign-out", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let csrf = dash.csrf("/dashboard").await;
    let out = dash.post("/dashboard/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.location(), "/dashboard/sign-in");
    let cleared = out.set_cookie("quorum_session").unwrap();
    assert!(cleared.starts_with("quorum_session=;") && cleared.contains("Max-Age=0"));
}

async fn a_vote_without_the_csrf_token_is_refused_and_writes_nothing(backend: Backend) {
    let app = TestApp::start(backend).await;
    let w = app
        .create_website("agent_jermaine_super_action", "Acme")
        .await;
    let id = w["id"].as_str().unwrap();
    let dash = Dash::signed_in(&app, "user_council_lead").await;
    let path = format!("/dashboard/workflows/{id}/vote");
    for csrf in [None, Some("forged"), Some("")] {
        let mut form = vec![("vote", "approve"), ("reason", "fine")];
        if let Some(csrf) = csrf {
            form.push(("csrf", csrf));
        }
        let page = dash.post(&path, &form).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{csrf:?}");
        assert!(page.body.contains("nothing was changed"), "{}", page.body);
    }
    // Another session's token is no good here either.
    let other = Dash::signed_in(&app, "user_b").await;
    let theirs = other.csrf("/dashboard/queue").await;
    let page = dash
        .post(&path, &[("vote", "approve"), ("csrf", &theirs)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let detail = app.get(&format!("/api/workflows/{id}")).await;
    assert_eq!(detail["votes"], json!([]));
    let page = dash.page(&format!("/dashboard/workflows/{id}")).await;
    assert!(page.body.contains("No votes yet."));
}

async fn markup_in_inputs_is_escaped_on_the_queue_history_and_detail_pages(backend: Backend) {
    let app = TestApp::start(backend).await;
    let inputs =
        json!({"site_name": "Acme", "site_description": SCRIPT, "contact_email": "a@b.co"});
    let w = app
        .create_for(
            "agent_jermaine_super_action",
            "council_media",
            json!({"inputs": inputs}),
        )
        .await;
    let id = w["id"].as_str().unwrap();
    app.vote("user_b", id, "approve", SCRIPT).await;
    let dash = Dash::signed_in(&app, "user_council_lead").await;
    for path in [
        "/dashboard/queue".to_owned(),
        "/dashboard/history".to_owned(),
        format!("/dashboard/workflows/{id}"),
        "/dashboard/queue?fragment=1".to_owned(),
        format!("/dashboard/workflows/{id}?fragment=1"),
    ] {
        let page = dash.page(&path).await;
        assert!(!page.body.contains(SCRIPT), "{path} shows it unescaped");
        assert!(!page.body.contains("<script>"), "{path}");
    }
    let detail = dash.page(&format!("/dashboard/workflows/{id}")).await;
    assert!(
        detail
            .body
            .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(
        detail.texts("dd").iter().any(|t| t == SCRIPT),
        "shown as text"
    );
    let queue = dash.page("/dashboard/queue").await;
    assert!(
        queue.texts("q").iter().any(|t| t == SCRIPT),
        "the reason, as text"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_https_the_cookies_are_secure() {
    let app = TestApp::start_configured(Backend::Sqlite, false, |quorum| {
        quorum.with_step_env(quorum_steps::StepEnv {
            data_dir: std::env::temp_dir().join("quorum-dashboard-https"),
            public_url: "https://quorum.example".into(),
        })
    })
    .await;
    let form = Dash::new(&app).page("/dashboard/sign-in").await;
    assert!(
        form.set_cookie("quorum_sign_in")
            .unwrap()
            .ends_with("; Secure")
    );
    let page = Dash::new(&app).sign_in(&app.tokens["user_b"]).await;
    let cookie = page.set_cookie("quorum_session").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.ends_with("; Secure"),
        "{cookie}"
    );
}
