//! Every design in headless Chromium, as a visitor meets it: the seed's inputs and a full
//! content set deployed through the API in each theme, every page opened on a phone and a
//! desktop. With `QUORUM_SCREENSHOTS=1` it also refreshes the README's pictures of each
//! theme (docs/screenshots/theme-<name>-<width>.png).

use std::time::Duration;

use fantoccini::Locator;
use quorum_testkit::{artifact_path, browser::Browser};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

const THEMES: [&str; 3] = ["studio", "warm", "bold"];
const WIDTHS: [u32; 2] = [375, 1280];
/// The issue's limit for the phone's header: one row.
const HEADER_MAX_PX: f64 = 72.0;
/// Six sites build on two workers; each verifies itself over HTTP.
const WITHIN: Duration = Duration::from_secs(120);

/// Every field of the content model but the images.
fn full_inputs() -> Value {
    serde_json::from_str(include_str!(
        "../../../quorum-steps/fixtures/themes-full.json"
    ))
    .unwrap()
}

fn seed_inputs() -> Value {
    json!({
        "site_name": "Codex Digital Studios",
        "site_description": "AI-powered web development",
        "brand_colors": {"primary": "#1a1a1a"},
        "contact_email": "hello@codexdigital.app"
    })
}

/// What the page shows of the layout, measured in the browser.
const PROBE: &str = r#"
const box = (selector) => {
  const element = document.querySelector(selector);
  if (!element) return null;
  const r = element.getBoundingClientRect();
  // checkVisibility, not display: a closed <details> hides its content another way.
  const shown = element.checkVisibility({ visibilityProperty: true }) && r.height > 0;
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height, shown };
};
return {
  theme: document.body.className,
  scrollWidth: document.documentElement.scrollWidth,
  scrollHeight: document.documentElement.scrollHeight,
  innerWidth: window.innerWidth,
  innerHeight: window.innerHeight,
  header: box(".site-header"),
  brand: box(".brand"),
  menu: box(".menu summary"),
  wide: box(".nav-wide"),
  footer: box(".site-footer"),
  menuLink: box(".menu li a"),
};
"#;

async fn probe(browser: &Browser) -> Value {
    browser.execute(PROBE).await
}

/// A number the probe measured; a missing one fails the test rather than comparing as None.
fn px(value: &Value, path: &[&str]) -> f64 {
    let found = path.iter().fold(value, |v, key| &v[*key]);
    found
        .as_f64()
        .unwrap_or_else(|| panic!("no {} in {value}", path.join(".")))
}

/// The checks every page passes at every width.
async fn check_page(browser: &Browser, url: &str, theme: &str, width: u32) -> Value {
    let at = format!("{url} ({theme}, {width}px)");
    browser.goto(url).await;
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "{at}: {errors:?}");
    let axe = browser.axe().await;
    assert!(axe.is_empty(), "{at}:\n{axe}");
    let page = probe(browser).await;
    assert_eq!(page["theme"], format!("theme-{theme}"), "{at}");
    assert!(
        px(&page, &["scrollWidth"]) <= px(&page, &["innerWidth"]),
        "{at} scrolls sideways: {page}"
    );
    if width < 960 {
        let header = px(&page, &["header", "height"]);
        assert!(
            header <= HEADER_MAX_PX,
            "{at}: the header is {header} px tall"
        );
        // One row: the brand and the menu control side by side, overlapping vertically.
        assert_eq!(page["menu"]["shown"], true, "{at}: no menu control");
        assert_eq!(page["wide"]["shown"], false, "{at}: the wide list shows");
        let one_line = px(&page, &["menu", "top"]) < px(&page, &["brand", "bottom"])
            && px(&page, &["brand", "top"]) < px(&page, &["menu", "bottom"])
            && px(&page, &["menu", "left"]) >= px(&page, &["brand", "right"]);
        assert!(
            one_line,
            "{at}: the brand and the menu are not on one line: {page}"
        );
        assert_eq!(
            page["menuLink"]["shown"], false,
            "{at}: the menu starts open"
        );
    } else {
        assert_eq!(page["menu"]["shown"], false, "{at}: the phone's menu shows");
        assert_eq!(page["wide"]["shown"], true, "{at}: no navigation list");
    }
    page
}

/// On a page shorter than the screen, the footer's bottom is the screen's bottom.
async fn check_footer_at_bottom(browser: &Browser, url: &str, theme: &str, width: u32) {
    // Tall enough that the seed's contact page is shorter than the screen at both widths.
    browser.set_viewport(width, 1600).await;
    browser.goto(url).await;
    let page = probe(browser).await;
    let at = format!("{url} ({theme}, {width}x1600)");
    assert!(
        px(&page, &["scrollHeight"]) <= px(&page, &["innerHeight"]),
        "{at} is not a short page: {page}"
    );
    let bottom = px(&page, &["footer", "bottom"]);
    assert!(
        (bottom - 1600.0).abs() < 1.0,
        "{at}: the footer ends at {bottom}px, not at the bottom"
    );
}

/// The phone's menu opens with a tap and no script, over the page, and stays accessible.
async fn check_menu_opens(browser: &Browser, url: &str, theme: &str) {
    browser.set_viewport(375, 800).await;
    browser.goto(url).await;
    let client = browser.client();
    client
        .find(Locator::Css(".menu summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let page = probe(browser).await;
    let at = format!("{url} ({theme}, menu open)");
    assert_eq!(page["menuLink"]["shown"], true, "{at}: {page}");
    assert!(
        px(&page, &["header", "height"]) <= HEADER_MAX_PX,
        "{at}: opening the menu made the header taller: {page}"
    );
    assert!(
        px(&page, &["scrollWidth"]) <= px(&page, &["innerWidth"]),
        "{at} scrolls sideways"
    );
    let axe = browser.axe().await;
    assert!(axe.is_empty(), "{at}:\n{axe}");
    client
        .find(Locator::Css(".menu li:nth-child(2) a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while client.current_url().await.unwrap().as_str() == url {
        assert!(
            std::time::Instant::now() < deadline,
            "{at}: the link did not navigate"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_theme_fits_a_phone_and_a_desktop_with_the_seed_and_full_content() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::start(Backend::Sqlite).await;
    let workers = app.workers(2);
    let mut proposed = Vec::new();
    for theme in THEMES {
        for (set, mut inputs) in [("seed", seed_inputs()), ("full", full_inputs())] {
            inputs["theme"] = json!(theme);
            inputs["site_slug"] = json!(format!("{set}-{theme}"));
            // A domain belongs to one site.
            if inputs.get("domain").is_some() {
                inputs["domain"] = json!(format!("{theme}.harbourstreetbakery.example.com"));
            }
            let id = app.approved("website.create_basic_site", inputs).await;
            proposed.push((theme, set, id));
        }
    }
    let mut sites = Vec::new();
    for (theme, set, id) in proposed {
        let detail = app.wait_for(&id, "COMPLETED", WITHIN).await;
        let outputs = &detail["outputs"];
        assert_eq!(outputs["theme"]["name"], theme, "{outputs:#}");
        assert_eq!(outputs["theme"]["chosen_by"], "the inputs name it");
        let pages: Vec<String> = outputs["pages_created"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        let site = outputs["site_url"].as_str().unwrap().to_owned();
        sites.push((theme, set, site, pages));
    }
    workers.shutdown().await;

    let readme = std::env::var_os("QUORUM_SCREENSHOTS").is_some_and(|v| v == "1");
    for (theme, set, site, pages) in &sites {
        for width in WIDTHS {
            browser.set_viewport(width, 900).await;
            for page in pages {
                check_page(&browser, page, theme, width).await;
            }
            if *set == "full" {
                browser.goto(site).await;
                let file = format!("theme-{theme}-{width}.png");
                browser
                    .screenshot(artifact_path(format!("themes/{file}")))
                    .await;
                if readme {
                    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("../../docs/screenshots")
                        .join(&file);
                    browser.screenshot(docs).await;
                }
            }
        }
        if *set == "seed" {
            for width in WIDTHS {
                check_footer_at_bottom(&browser, &format!("{site}contact/"), theme, width).await;
            }
            check_menu_opens(&browser, site, theme).await;
        }
    }
}
