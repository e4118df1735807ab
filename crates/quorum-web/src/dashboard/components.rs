//! Pieces several pages draw the same way: status badges, times, money, JSON values, the
//! workflow table, votes and the vote form.

use chrono::{DateTime, Utc};
use maud::{Markup, html};
use quorum_domain::{Vote, VoteChoice, Workflow, WorkflowStatus};
use serde_json::Value;

/// Longer texts are cut here and the rest left to the detail page or the API, so that no page
/// grows without bound whatever an agent sends.
pub fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

pub fn status_badge(status: WorkflowStatus) -> Markup {
    html! { span class={ "badge badge-" (status.as_str().to_lowercase()) } { (status.as_str()) } }
}

pub fn decision(decision: Option<&str>) -> Markup {
    html! {
        @match decision {
            Some(d) => span class={ "decision decision-" (d) } { (d) },
            None => span class="muted" { "undecided" },
        }
    }
}

pub fn time(at: &DateTime<Utc>) -> Markup {
    html! {
        time datetime=(quorum_domain::time::format(at)) { (at.format("%Y-%m-%d %H:%M UTC")) }
    }
}

/// `$1,234.56`: savings are counted in US dollars.
pub fn money(amount: f64) -> String {
    let cents = (amount * 100.0).round() as i64;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.abs();
    format!("{sign}${}.{:02}", thousands(cents / 100), cents % 100)
}

pub fn count(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", thousands(n.abs()))
}

/// `1234567` as `1,234,567`.
fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

pub fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(rate) => format!("{:.1}%", rate * 100.0),
        None => "—".to_owned(),
    }
}

/// Weekly and annual savings a workflow was credited with.
pub fn savings_of(workflow: &Workflow) -> (f64, f64) {
    let value = workflow.calculated_savings.to_value();
    let get = |key: &str| value.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    (get("weekly_savings"), get("annual_savings"))
}

/// A JSON value as people read it: an object as a definition list of its fields, anything
/// else (and nested values) as indented JSON; every text cut at `max_chars`.
pub fn json_view(value: &Value, max_chars: usize) -> Markup {
    let text = |v: &Value| match v {
        Value::String(s) => truncate(s, max_chars),
        other => truncate(
            &serde_json::to_string_pretty(other).unwrap_or_default(),
            max_chars,
        ),
    };
    html! {
        @match value {
            Value::Object(map) if map.is_empty() => p class="muted" { "None." },
            Value::Object(map) => dl class="fields" {
                @for (key, v) in map.iter().take(40) {
                    dt { (key) }
                    dd {
                        @match v {
                            Value::Object(_) | Value::Array(_) => pre { (text(v)) },
                            _ => (text(v)),
                        }
                    }
                }
                @if map.len() > 40 { dt { "…" } dd { (map.len() - 40) " more fields; see the API" } }
            },
            Value::Null => p class="muted" { "None." },
            other => pre { (text(other)) },
        }
    }
}

/// A table that scrolls sideways on a narrow screen, inside a labelled, focusable region so
/// that keyboard users can scroll it too.
pub fn scroll_table(label: &str, table: Markup) -> Markup {
    // Named apart from the section around it, so that each landmark has a name of its own.
    let name = format!("{label} (table)");
    html! { div class="table-wrap" role="region" aria-label=(name) tabindex="0" { (table) } }
}

pub fn workflow_table(label: &str, workflows: &[Workflow]) -> Markup {
    if workflows.is_empty() {
        return html! { p class="empty" { "No workflows to show." } };
    }
    scroll_table(
        label,
        html! {
            table {
                caption class="visually-hidden" { (label) }
                thead { tr {
                    th scope="col" { "Workflow" } th scope="col" { "Type" } th scope="col" { "Agent" }
                    th scope="col" { "Council" } th scope="col" { "Status" } th scope="col" { "Decision" }
                    th scope="col" { "Created" } th scope="col" class="num" { "Weekly savings" }
                } }
                tbody {
                    @for w in workflows {
                        tr {
                            td { a href={ "/dashboard/workflows/" (w.id) } { (w.id) } }
                            td { (w.workflow_type_id) }
                            td { a href={ "/dashboard/agents/" (w.created_by_agent) } { (w.created_by_agent) } }
                            td { (w.assigned_council_id) }
                            td { (status_badge(w.status)) }
                            td { (decision(w.decision.map(|d| d.as_str()))) }
                            td { (time(&w.created_at)) }
                            td class="num" { (money(savings_of(w).0)) }
                        }
                    }
                }
            }
        },
    )
}

pub fn choice(vote: VoteChoice) -> Markup {
    html! { span class={ "vote vote-" (vote.as_str()) } { (vote.as_str()) } }
}

/// Votes cast so far, the first `limit` of them, reasons cut to `reason_chars`.
pub fn votes_list(votes: &[Vote], limit: usize, reason_chars: usize) -> Markup {
    html! {
        @if votes.is_empty() {
            p class="muted" { "No votes yet." }
        } @else {
            ul class="votes" {
                @for v in votes.iter().take(limit) {
                    li {
                        strong { (v.user_id) } " " (choice(v.vote))
                        @if !v.reason.is_empty() { " — " q { (truncate(&v.reason, reason_chars)) } }
                        " " span class="muted" { (time(&v.voted_at)) }
                    }
                }
            }
            @if votes.len() > limit { p class="muted" { (votes.len() - limit) " more on the detail page." } }
        }
    }
}

/// Approve or reject, with a reason (required to reject). Posts back to `return_to`.
pub fn vote_form(
    workflow_id: &str,
    csrf: &str,
    return_to: &str,
    on_behalf_of: Option<&str>,
) -> Markup {
    let field = format!("reason-{workflow_id}");
    let hint = format!("hint-{workflow_id}");
    html! {
        form class="vote-form" method="post" action={ "/dashboard/workflows/" (workflow_id) "/vote" } {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="return_to" value=(return_to);
            @if let Some(member) = on_behalf_of { input type="hidden" name="on_behalf_of" value=(member); }
            label for=(field) { "Reason" }
            p class="hint" id=(hint) { "Required to reject; the agent reads it." }
            textarea id=(field) name="reason" rows="3" maxlength="2000" aria-describedby=(hint) {}
            div class="actions" {
                button type="submit" name="vote" value="approve" class="approve" {
                    "Approve" span class="visually-hidden" { " " (workflow_id) }
                }
                button type="submit" name="vote" value="reject" class="reject" {
                    "Reject" span class="visually-hidden" { " " (workflow_id) }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_counts_are_grouped_by_thousands() {
        assert_eq!(money(11700.0), "$11,700.00");
        assert_eq!(money(225.0), "$225.00");
        assert_eq!(money(0.005), "$0.01");
        assert_eq!(money(1234567.891), "$1,234,567.89");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(count(999), "999");
    }

    #[test]
    fn long_texts_are_cut_on_a_character_boundary() {
        assert_eq!(truncate("héllo", 2), "hé…");
        assert_eq!(truncate("hi", 2), "hi");
    }

    #[test]
    fn markup_in_values_is_escaped() {
        let html =
            json_view(&serde_json::json!({"x": "<script>alert(1)</script>"}), 100).into_string();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
