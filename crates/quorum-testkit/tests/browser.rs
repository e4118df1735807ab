//! The browser harness checked against pages whose answers are known: a clean page must
//! pass at phone and desktop widths, and a page broken on purpose must fail, so a green
//! browser test elsewhere means something.

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use fantoccini::Locator;
use quorum_testkit::artifact_path;
use quorum_testkit::browser::Browser;

/// Serves the pages in `tests/pages/` on a free local port and returns its base URL.
async fn serve_pages() -> String {
    let app = Router::new()
        .route("/", get(Html(include_str!("pages/accessible.html"))))
        .route("/about", get(Html(include_str!("pages/about.html"))))
        .route("/broken", get(Html(include_str!("pages/broken.html"))));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local port");
    let addr = listener.local_addr().expect("a bound address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Width and height of a PNG, read from its IHDR chunk.
fn png_size(path: &std::path::Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("the screenshot was written");
    assert_eq!(&bytes[1..4], b"PNG", "{} is a PNG", path.display());
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

#[tokio::test]
async fn an_accessible_page_passes_at_phone_and_desktop_widths() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let base = serve_pages().await;

    for width in [375, 1280] {
        browser.set_viewport(width, 800).await;
        browser.goto(&format!("{base}/")).await;

        assert_eq!(browser.execute("return window.innerWidth;").await, width);
        assert_eq!(browser.console_errors().await, Vec::<String>::new());
        let axe = browser.axe().await.serious_or_critical();
        assert!(axe.is_empty(), "at {width}px: {axe}");

        let shot = artifact_path(format!("testkit/accessible-{width}.png"));
        browser.screenshot(&shot).await;
        assert_eq!(png_size(&shot), (width, 800));
    }

    // A second page in the same browser, reached by a click at phone width.
    browser.set_viewport(375, 800).await;
    browser.goto(&format!("{base}/")).await;
    browser
        .client()
        .find(Locator::Css("#about-link"))
        .await
        .expect("the page links to /about")
        .click()
        .await
        .expect("the link can be clicked");
    browser
        .client()
        .wait()
        .for_url(&format!("{base}/about").parse().unwrap())
        .await
        .expect("the click leads to /about");
    assert_eq!(browser.console_errors().await, Vec::<String>::new());
    let axe = browser.axe().await.serious_or_critical();
    assert!(axe.is_empty(), "on /about: {axe}");
}

#[tokio::test]
async fn a_broken_page_reports_its_console_error_missing_alt_text_and_unlabelled_input() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let base = serve_pages().await;
    browser.goto(&format!("{base}/broken")).await;

    let errors = browser.console_errors().await;
    eprintln!("console errors on /broken: {errors:#?}");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("deliberate failure for the harness self-test"),
        "{errors:#?}"
    );
    assert_eq!(
        browser.console_errors().await,
        Vec::<String>::new(),
        "each console message is reported once"
    );

    let axe = browser.axe().await;
    if axe.skipped {
        return;
    }
    eprintln!("axe on /broken: {axe}");
    let serious = axe.serious_or_critical();
    for rule in ["image-alt", "label"] {
        assert!(serious.ids().contains(&rule), "{rule} not reported: {axe}");
    }
    let image_alt = serious.violation("image-alt").unwrap();
    assert!(image_alt.nodes[0].html.starts_with("<img"), "{axe}");
    let label = serious.violation("label").unwrap();
    assert_eq!(label.nodes[0].target, ["#search"], "{axe}");

    browser
        .screenshot(artifact_path("testkit/broken.png"))
        .await;
}
