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

/// What was checked, and every problem found.
pub(super) async fn check(plan: &Plan) -> Result<(Value, Vec<String>), StepError> {
    let css_url = plan.url(CSS_FILE);
    let (status, kind, css) = fetch(&css_url).await?;
    if status != 200 || !kind.starts_with("text/css") {
        return Ok((
            Value::Null,
            vec![format!("{css_url} answered {status} {kind}")],
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
    let answers =
        futures::future::join_all(named.iter().map(|url| client().get(url.as_str()).send())).await;
    let mut checked = Vec::new();
    for (url, answer) in named.iter().zip(answers) {
        let answer = answer.map_err(|e| unreachable(url, e))?;
        let status = answer.status().as_u16();
        let kind = answer
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        if status != 200 || kind != "font/woff2" {
            problems.push(format!("the font {url} answers {status} {kind}"));
        }
        checked.push(json!({"url": url, "status": status, "content_type": kind}));
    }
    Ok((
        json!({"files": checked, "heading": plan.site.fonts.heading, "body": plan.site.fonts.body}),
        problems,
    ))
}

#[cfg(test)]
mod tests {
    use super::urls;

    #[test]
    fn urls_are_read_quoted_or_not() {
        let css = "@font-face { src: url(\"fonts/a.woff2\") format(\"woff2\"); }\n\
                   .x { background: url( 'b.png' ) } .y { background: url(c.svg) }";
        assert_eq!(urls(css), ["fonts/a.woff2", "b.png", "c.svg"]);
        assert!(urls("body { color: red }").is_empty());
    }
}
