//! One made-up workflow's history, as the seed's figures have it: who proposes what, how
//! its council votes, whether and how long it ran, and what it saved.

use chrono::{DateTime, Duration, Utc};
use quorum_domain::ids::new_id_at;
use quorum_domain::{Decision, EventKind, Threshold, WorkflowStatus};
use quorum_store::{BulkBatch, BulkVote, BulkWorkflow, NewAudit, NewMetric, NewWorkflow};
use rand::{Rng, RngExt};
use serde_json::{Value, json};

use super::COUNCILS;

/// Who proposes what, weighted as the seed's figures (150 workflows).
const MIX: [(&str, &str, u32); 9] = [
    (
        "agent_jermaine_super_action",
        "website.create_basic_site",
        40,
    ),
    ("agent_jermaine_super_action", "content_scheduler", 10),
    ("content_creator_agent", "content_scheduler", 25),
    ("content_creator_agent", "website.create_basic_site", 5),
    ("social_media_agent", "content_scheduler", 10),
    ("social_media_agent", "customer_followup", 15),
    ("commerce_agent", "customer_followup", 15),
    ("commerce_agent", "invoice_reminders", 10),
    ("data_entry_agent", "data_entry_automation", 20),
];

/// The seed's status distribution of 150: 20 pending, 125 completed, 5 failed. The seed's
/// 5 running are counted as completed: no worker runs imported history, and nothing sits
/// IN_PROGRESS unless one is running it.
const STATUS_MIX: [(WorkflowStatus, u32); 3] = [
    (WorkflowStatus::Pending, 20),
    (WorkflowStatus::Completed, 125),
    (WorkflowStatus::Failed, 5),
];

const COMPANIES: [&str; 8] = [
    "Codex Digital Studios",
    "Harbor & Pine Bakery",
    "Northwind Cycles",
    "Lumen Dental Care",
    "Atlas Legal Partners",
    "Greenleaf Landscaping",
    "Blue Fern Yoga",
    "Copperline Coffee",
];

const REASONS: [&str; 5] = [
    "Excellent brand consistency and SEO implementation",
    "Scope is clear and the inputs match the brief",
    "Meets the review criteria",
    "Low risk, routine request",
    "Approved: accessibility and navigation look right",
];

/// What the history of a type's workflows needs from its definition.
pub(super) struct TypeInfo {
    pub(super) id: &'static str,
    pub(super) version: i64,
    pub(super) council: &'static str,
    pub(super) steps: i64,
    pub(super) savings: Value,
    pub(super) weekly_cents: i64,
    pub(super) annual_cents: i64,
}

fn pick<'a, T>(rng: &mut impl Rng, weighted: &'a [(T, u32)]) -> &'a T {
    let total: u32 = weighted.iter().map(|w| w.1).sum();
    let mut roll = rng.random_range(0..total);
    for (item, weight) in weighted {
        if roll < *weight {
            return item;
        }
        roll -= weight;
    }
    &weighted[weighted.len() - 1].0
}

fn inputs(rng: &mut impl Rng, type_id: &str) -> Value {
    let company = COMPANIES[rng.random_range(0..COMPANIES.len())];
    let domain: String = company
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    match type_id {
        "website.create_basic_site" => json!({
            "site_name": company,
            "site_description": format!("{company}: quality work, close to home"),
            "brand_colors": {"primary": "#1a1a1a", "secondary": "#f7f1e3", "accent": "#d4af37"},
            "typography": {"heading": "Inter", "body": "Open Sans"},
            "pages": ["home", "about", "services", "contact", "blog"],
            "include_blog": true,
            "contact_email": format!("hello@{domain}.example"),
        }),
        "content_scheduler" => {
            json!({"channels": ["linkedin", "instagram"], "posts": [format!("News from {company}")], "timezone": "UTC"})
        }
        "customer_followup" => {
            json!({"segment": format!("{company} recent buyers"), "days_after_purchase": 7})
        }
        "invoice_reminders" => json!({"overdue_days": rng.random_range(7..60), "tone": "gentle"}),
        _ => json!({"source": format!("{domain}-inbox"), "dry_run": false}),
    }
}

/// One workflow's whole history: row, votes, audit and (when it ran) its metric.
pub(super) fn history(
    batch: &mut BulkBatch,
    rng: &mut impl Rng,
    types: &[TypeInfo],
    created_at: DateTime<Utc>,
) {
    let mix: Vec<((&str, &str), u32)> = MIX.iter().map(|(a, t, w)| ((*a, *t), *w)).collect();
    let (agent, type_id) = *pick(rng, &mix);
    let info = types
        .iter()
        .find(|t| t.id == type_id)
        .expect("demo types are registered");
    let status = *pick(rng, &STATUS_MIX);
    let id = new_id_at("wf", created_at);
    let members = COUNCILS
        .iter()
        .find(|c| c.0 == info.council)
        .expect("demo councils")
        .3;
    let audit = |event: EventKind, actor: &str, from, to, reason: Option<String>, at| NewAudit {
        workflow_id: id.clone(),
        event,
        actor: actor.into(),
        from_status: from,
        to_status: to,
        reason,
        at,
    };
    batch.audit.push(audit(
        EventKind::Created,
        agent,
        None,
        Some(WorkflowStatus::Pending),
        Some(super::IMPORTED.into()),
        created_at,
    ));
    let (mut started_at, mut completed_at, mut error) = (None, None, None);
    let decided = status != WorkflowStatus::Pending;
    if decided {
        let mut at = created_at;
        for member in &members[..2] {
            at += Duration::seconds(rng.random_range(30..3_600));
            batch.votes.push(BulkVote {
                id: new_id_at("vote", at),
                workflow_id: id.clone(),
                user_id: member.to_string(),
                vote: "approve".into(),
                reason: REASONS[rng.random_range(0..REASONS.len())].into(),
                voted_at: at,
            });
            batch.audit.push(audit(
                EventKind::Voted,
                member,
                Some(WorkflowStatus::Pending),
                Some(WorkflowStatus::Pending),
                Some("approve".into()),
                at,
            ));
        }
        let reason = Some(format!("approved by {} (2 of 3)", info.council));
        batch.audit.push(audit(
            EventKind::Decided,
            "system",
            Some(WorkflowStatus::Pending),
            Some(WorkflowStatus::Pending),
            reason,
            at,
        ));
        let start = at + Duration::seconds(rng.random_range(1..60));
        started_at = Some(start);
        batch.audit.push(audit(
            EventKind::Started,
            "worker",
            Some(WorkflowStatus::Pending),
            Some(WorkflowStatus::InProgress),
            None,
            start,
        ));
        if status.is_terminal() {
            let duration_ms = rng.random_range(2_000..120_000);
            let end = start + Duration::milliseconds(duration_ms);
            completed_at = Some(end);
            let failed = status == WorkflowStatus::Failed;
            let steps_ok = if failed {
                rng.random_range(0..info.steps)
            } else {
                info.steps
            };
            if failed {
                error = Some("step failed: the target service answered 503 three times".to_owned());
            }
            batch.audit.push(audit(
                EventKind::entering(status),
                "worker",
                Some(WorkflowStatus::InProgress),
                Some(status),
                error.clone(),
                end,
            ));
            batch.metrics.push(NewMetric {
                id: new_id_at("metric", end),
                workflow_id: id.clone(),
                attempt: 1,
                duration_ms,
                weekly_cents: info.weekly_cents,
                success_ppm: steps_ok * 1_000_000 / info.steps,
                error_count: i64::from(failed),
                recorded_at: end,
            });
        }
    }
    let inputs = inputs(rng, info.id);
    batch.workflows.push(BulkWorkflow {
        workflow: NewWorkflow {
            digest: quorum_domain::governance::digest(info.id, info.version, &inputs, None),
            preview: None,
            electorate: members.iter().map(|m| m.to_string()).collect(),
            rule: Threshold::SimpleMajority.into(),
            voting_deadline: None,
            enqueue: true,
            note: None,
            id,
            workflow_type_id: info.id.into(),
            workflow_type_version: info.version,
            created_by_agent: agent.into(),
            assigned_council_id: info.council.into(),
            status,
            decision: decided.then_some(Decision::Approved),
            inputs,
            calculated_savings: info.savings.clone(),
            weekly_cents: info.weekly_cents,
            annual_cents: info.annual_cents,
            created_at,
            actor: agent.into(),
        },
        started_at,
        completed_at,
        // Demo history did not run here: it claims no deployed URLs.
        outputs: if status == WorkflowStatus::Completed {
            json!({"demo_history": true})
        } else {
            json!({})
        },
        error,
    });
}
