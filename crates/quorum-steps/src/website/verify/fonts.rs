//! Verify's font check: every font file the live stylesheet names answers 200 as
//! `font/woff2`, and they are exactly the files the site's typography ships.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{client, fetch, unreachable};
use crate::StepError;
use crate::site::CSS_FILE;
use crate::website::Plan;

/// The `url(…)` values of a stylesheet, unquoted.
pub(super) fn urls(css: &str) -> Vec<&str> {
    css.split("url(")
        .skip(1)
        .filter_map(|rest| rest.split_once(')'))
        .map(|(url, _)| url.trim().trim_matches(|c| c == '"' || c == '\''))
        .collect()
}

/// What was checked, every problem found, and the URLs fetched (the stylesheet and every
/// font it names, whatever they answered).
pub(super) async fn check(
    plan: &Plan,
) -> Result<(Value, Vec<String>, BTreeSet<String>), StepError> {
    let css_url = plan.url(CSS_FILE);
    let (status, kind, css) = fetch(&css_url).await?;
    if status != 200 || !kind.starts_with("text/css") {
        return Ok((
            Value::Null,
            vec![format!("{css_url} answered {status} {kind}")],
            BTreeSet::from([css_url]),
        ));
    }
    let mut problems = Vec::new();
    let folder = &css_url[..=css_url.rfind('/').unwrap_or(0)];
    let mut named = BTreeSet::new();
    for url in urls(&css) {
        // A stylesheet that fetched from elsewhere would send visitors' addresses there.
        if url.contains(':') || url.starts_with('/') || url.contains("..") {
            problems.push(format!("the stylesheet names {url}, outside the site"));
            continue;
        }
        named.insert(format!("{folder}{url}"));
    }
    let shipped: BTreeSet<String> = plan
        .site
        .fonts
        .heading
        .files
        .iter()
        .chain(&plan.site.fonts.body.files)
        .map(|path| plan.url(path))
        .collect();
    if named != shipped {
        problems.push(format!(
            "the stylesheet names the fonts {named:?}, the typography ships {shipped:?}"
        ));
    }
    // Status and type are what is checked: HEAD, without the fonts' bytes.
    let answers =
        futures::future::join_all(named.iter().map(|url| client().head(url.as_str()).send())).await;
    let mut checked = Vec::new();
    for (url, answer) in named.iter().zip(answers) {
        let answer = answer.map_err(|e| unreachable(url, e))?;
        let status = answer.status().as_u16();
        let kind = super::content_type(&answer);
        if status != 200 || kind != "font/woff2" {
            problems.push(format!("the font {url} answers {status} {kind}"));
        }
        checked.push(json!({"url": url, "status": status, "content_type": kind}));
    }
    named.insert(css_url);
    Ok((
        json!({"files": checked, "heading": plan.site.fonts.heading, "body": plan.site.fonts.body}),
        problems,
        named,
    ))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use crate::site::{self, Media, SiteInputs, SiteSpec};

    #[test]
    fn urls_are_read_quoted_or_not() {
        let css = "@font-face { src: url(\"fonts/a.woff2\") format(\"woff2\"); }\n\
                   .x { background: url( 'b.png' ) } .y { background: url(c.svg) }";
        assert_eq!(urls(css), ["fonts/a.woff2", "b.png", "c.svg"]);
        assert!(urls("body { color: red }").is_empty());
    }

    /// Serves `files` (path → content type and bytes) over HTTP/1.1 on a loopback port, one
    /// request per connection; anything else is a 404.
    async fn serve(files: BTreeMap<String, (&'static str, Vec<u8>)>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let files = Arc::new(files);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let files = files.clone();
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0; 1024];
                    while !request.ends_with(b"\r\n\r\n") {
                        let Ok(n @ 1..) = socket.read(&mut buf).await else {
                            return;
                        };
                        request.extend_from_slice(&buf[..n]);
                    }
                    let request = String::from_utf8_lossy(&request);
                    let path = request.split(' ').nth(1).unwrap_or_default();
                    let (status, kind, body) = match files.get(path) {
                        Some((kind, body)) => ("200 OK", *kind, body.clone()),
                        None => ("404 Not Found", "text/plain", Vec::new()),
                    };
                    let head = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n\
                         Content-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(&body).await;
                });
            }
        });
        origin
    }

    /// The seed's site as if deployed at `origin`, and the files a server would answer with,
    /// each font as `font_type`.
    fn deployed(
        origin: &str,
        font_type: &'static str,
    ) -> (Plan, BTreeMap<String, (&'static str, Vec<u8>)>) {
        let inputs: SiteInputs = serde_json::from_value(serde_json::json!({
            "site_name": "Acme",
            "site_description": "Anvils",
            "contact_email": "hello@acme.example"
        }))
        .unwrap();
        let spec = SiteSpec {
            slug: "acme".into(),
            base_url: format!("{origin}/sites/acme"),
            contact_action: format!("{origin}/sites/acme/contact"),
            deployment_id: "deploy_1".into(),
            date: "2026-11-02".into(),
        };
        let site = site::generate(&inputs, &spec, &Media::default());
        let files = site
            .files
            .iter()
            .map(|(path, file)| {
                let kind = if path.ends_with(".woff2") {
                    font_type
                } else if path.ends_with(".css") {
                    "text/css; charset=utf-8"
                } else {
                    "application/octet-stream"
                };
                (format!("/sites/acme/{path}"), (kind, file.bytes.to_vec()))
            })
            .collect();
        let plan = Plan {
            inputs,
            spec,
            site: site.into(),
            workflow_id: "wf_1".into(),
        };
        (plan, files)
    }

    // The stylesheet and fonts do not name the origin, so files made for any origin serve.
    const ANY: &str = "http://127.0.0.1:9";

    #[tokio::test]
    async fn fonts_served_as_woff2_pass_and_every_one_is_fetched() {
        let origin = serve(deployed(ANY, "font/woff2").1).await;
        let (plan, _) = deployed(&origin, "font/woff2");
        let (report, problems, fetched) = check(&plan).await.unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(report["files"].as_array().unwrap().len(), 4);
        assert_eq!(
            fetched.len(),
            5,
            "the stylesheet and four fonts: {fetched:?}"
        );
        assert!(fetched.contains(&plan.url(CSS_FILE)));
    }

    #[tokio::test]
    async fn a_font_with_the_wrong_type_or_missing_is_a_problem() {
        let (_, mut files) = deployed(ANY, "application/octet-stream");
        files.remove("/sites/acme/assets/fonts/inter-latin-700-normal.woff2");
        let origin = serve(files).await;
        let (plan, _) = deployed(&origin, "font/woff2");
        let (_, problems, _) = check(&plan).await.unwrap();
        assert_eq!(problems.len(), 4, "{problems:?}");
        let missing = problems
            .iter()
            .filter(|p| p.ends_with("inter-latin-700-normal.woff2 answers 404 text/plain"));
        assert_eq!(missing.count(), 1, "{problems:?}");
        let mistyped = problems
            .iter()
            .filter(|p| p.ends_with("answers 200 application/octet-stream"));
        assert_eq!(mistyped.count(), 3, "{problems:?}");
    }

    #[tokio::test]
    async fn a_stylesheet_naming_other_fonts_is_a_problem() {
        let (_, mut files) = deployed(ANY, "font/woff2");
        let css = &mut files.get_mut("/sites/acme/assets/main.css").unwrap().1;
        *css = String::from_utf8(css.clone())
            .unwrap()
            .replacen(
                "fonts/inter-latin-700",
                "//fonts.example/inter-latin-700",
                1,
            )
            .into_bytes();
        let origin = serve(files).await;
        let (plan, _) = deployed(&origin, "font/woff2");
        let (_, problems, _) = check(&plan).await.unwrap();
        assert!(
            problems[0].contains("names //fonts.example/inter-latin-700-normal.woff2, outside"),
            "{problems:?}"
        );
        assert!(problems[1].contains("the typography ships"), "{problems:?}");
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
