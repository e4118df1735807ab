//! Demo data: the seed's agents, councils and workflow types with a year of realistic history,
//! written in bulk. What one workflow's history looks like is made up in `history`.

mod history;

use chrono::Duration;
use quorum_domain::{PrincipalKind, Role, Threshold};
use quorum_store::{BulkBatch, StoreError};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::{NewCouncil, NewPrincipal, Quorum, ServiceError, ServiceResult, auth};
use history::{TypeInfo, history};

pub const AGENTS: [&str; 5] = [
    "agent_jermaine_super_action",
    "content_creator_agent",
    "commerce_agent",
    "data_entry_agent",
    "social_media_agent",
];

/// (council, domain, members); each council's first member leads it.
pub const COUNCILS: [(&str, &str, &str, [&str; 3]); 2] = [
    (
        "council_media",
        "Media Council",
        "media",
        [
            "user_council_lead",
            "user_media_editor",
            "user_media_designer",
        ],
    ),
    (
        "council_commerce",
        "Commerce Council",
        "commerce",
        [
            "user_commerce_lead",
            "user_commerce_finance",
            "user_commerce_ops",
        ],
    ),
];

/// Creates the demo agents, members and councils that do not exist yet, returning a token for
/// each principal it created.
pub async fn ensure_directory(quorum: &Quorum) -> ServiceResult<Vec<(String, String)>> {
    let admin = auth::admin_principal();
    let mut tokens = Vec::new();
    let users = COUNCILS.iter().flat_map(|c| c.3);
    let principals = AGENTS
        .iter()
        .map(|a| (*a, PrincipalKind::Agent, Role::Agent))
        .chain(users.map(|u| (u, PrincipalKind::User, Role::Member)));
    for (id, kind, role) in principals {
        if quorum.store.get_principal(id).await.is_ok() {
            continue;
        }
        let name = id.trim_start_matches("user_").replace('_', " ");
        let new = NewPrincipal {
            id: id.into(),
            kind,
            roles: Some(vec![role]),
            name: Some(name),
        };
        let created = quorum.create_principal(&admin, new).await?;
        tokens.push((created.id, created.token));
    }
    for (id, name, domain, members) in COUNCILS {
        if matches!(
            quorum.store.get_council(id).await,
            Err(StoreError::NotFound(_))
        ) {
            let new = NewCouncil {
                id: id.into(),
                name: name.into(),
                domains: vec![domain.into()],
                members: members.iter().map(|m| m.to_string()).collect(),
                threshold: Threshold::SimpleMajority,
                required: Vec::new(),
                veto: Vec::new(),
                voting_window_hours: None,
                remind_hours_before: None,
                on_expiry: Default::default(),
            };
            quorum.create_council(&admin, new).await?;
        }
    }
    Ok(tokens)
}

/// Writes `count` workflows spread over the year before `now`, oldest first, in batches of
/// `batch_size`; `progress` hears how many are written after each batch.
pub async fn load(
    quorum: &Quorum,
    count: u64,
    batch_size: usize,
    seed: u64,
    mut progress: impl FnMut(u64),
) -> ServiceResult<()> {
    let mut types = Vec::new();
    for id in [
        "website.create_basic_site",
        "content_scheduler",
        "customer_followup",
        "invoice_reminders",
        "data_entry_automation",
    ] {
        let compiled = quorum.registry.get(id, None).await?;
        let d = &compiled.definition;
        let council = if d.domain == "media" {
            "council_media"
        } else {
            "council_commerce"
        };
        let savings = d.savings_model.savings();
        types.push(TypeInfo {
            id,
            version: compiled.record.version,
            council,
            steps: d.steps.len() as i64,
            savings: d.savings_model.to_json(),
            weekly_cents: savings.weekly_cents,
            annual_cents: savings.annual_cents,
        });
    }
    // Generating history costs about as much CPU as writing it: one thread generates the next
    // batch while the store writes the current one.
    let (sender, mut batches) = tokio::sync::mpsc::channel::<BulkBatch>(2);
    let generator = tokio::task::spawn_blocking(move || {
        let mut rng = StdRng::seed_from_u64(seed);
        let end = quorum_domain::time::now();
        let span_micros = Duration::days(365).num_microseconds().unwrap_or(i64::MAX);
        let step = span_micros / count.max(1) as i64;
        let mut next = 0u64;
        while next < count {
            let n = (count - next).min(batch_size as u64);
            let mut batch = BulkBatch::default();
            for i in next..next + n {
                let jitter = rng.random_range(0..step.max(1));
                let created_at = end - Duration::microseconds(span_micros)
                    + Duration::microseconds(i as i64 * step + jitter);
                history(&mut batch, &mut rng, &types, created_at);
            }
            next += n;
            if sender.blocking_send(batch).is_err() {
                break;
            }
        }
    });
    // Batches in flight: PostgreSQL then keeps both cores busy while one batch waits on I/O;
    // SQLite's single writer queues them.
    let mut in_flight = tokio::task::JoinSet::new();
    let mut written = 0u64;
    while let Some(batch) = batches.recv().await {
        if in_flight.len() >= 3
            && let Some(done) = in_flight.join_next().await
        {
            written += finished(done)?;
            progress(written);
        }
        let store = quorum.store.clone();
        in_flight.spawn(async move {
            store
                .bulk_insert(&batch)
                .await
                .map(|()| batch.workflows.len() as u64)
        });
    }
    while let Some(done) = in_flight.join_next().await {
        written += finished(done)?;
        progress(written);
    }
    generator.await.map_err(|e| {
        ServiceError::Store(StoreError::Other(format!("demo generator failed: {e}")))
    })?;
    Ok(())
}

fn finished(done: Result<Result<u64, StoreError>, tokio::task::JoinError>) -> ServiceResult<u64> {
    done.map_err(|e| {
        ServiceError::Store(StoreError::Other(format!("a bulk insert task failed: {e}")))
    })?
    .map_err(Into::into)
}

/// How an imported workflow's `created` audit entry says it was imported: its record was
/// written without running anything, so it has no steps, preview or site.
pub const IMPORTED: &str = "imported demo history";

/// Real website workflows beside the imported history, so that what the demo shows holds
/// together: the bakery of the generator's fixture and a dental practice, approved by two
/// members of the media council (the workers build and deploy them), and a landscaper's site
/// waiting in the queue with its preview. Returns their ids.
pub async fn showcase(quorum: &Quorum) -> ServiceResult<Vec<String>> {
    let bad = |e: serde_json::Error| {
        ServiceError::Store(StoreError::Other(format!("demo showcase: {e}")))
    };
    let mut bakery: serde_json::Value =
        serde_json::from_str(include_str!("../../quorum-steps/fixtures/bakery.json"))
            .map_err(bad)?;
    // The fixture's pictures are uploads of its own tests, and its domain is its own.
    if let Some(fields) = bakery.as_object_mut() {
        for field in ["logo", "hero_image", "gallery", "domain"] {
            fields.remove(field);
        }
        if let Some(team) = fields.get_mut("team").and_then(|t| t.as_array_mut()) {
            for member in team {
                if let Some(member) = member.as_object_mut() {
                    member.remove("photo");
                }
            }
        }
    }
    #[derive(serde::Deserialize)]
    struct Example {
        approve: bool,
        inputs: serde_json::Value,
    }
    let mut examples: Vec<Example> =
        serde_json::from_str(include_str!("demo/showcase.json")).map_err(bad)?;
    examples.insert(
        0,
        Example {
            approve: true,
            inputs: bakery,
        },
    );
    let agent = quorum.store.get_principal(AGENTS[0]).await?;
    let reviewers = &COUNCILS[0].3[..2];
    let reasons = [
        "Clear pages, the contact form works and every colour reads well.",
        "On brand and honest about prices; ready to publish.",
    ];
    let mut ids = Vec::new();
    for example in examples {
        let request = crate::CreateWorkflow {
            workflow_type_id: "website.create_basic_site".into(),
            inputs: example.inputs,
            calculated_savings: None,
            assigned_council_id: None,
            enqueue: None,
        };
        let created = quorum.create_workflow(&agent, request).await?;
        if example.approve {
            for (member, reason) in reviewers.iter().zip(reasons) {
                let member = quorum.store.get_principal(member).await?;
                let vote = crate::VoteRequest {
                    vote: quorum_domain::VoteChoice::Approve,
                    reason: reason.into(),
                    on_behalf_of: None,
                };
                quorum.cast_vote(&member, &created.id, vote).await?;
            }
        }
        ids.push(created.id);
    }
    Ok(ids)
}
