//! List conformance: newest first, filters, totals that count the filter, time ranges and
//! cursor pages that visit every row once.

use std::collections::HashSet;

use chrono::Duration;
use quorum_domain::WorkflowStatus;

use super::*;
use crate::*;

/// 30 workflows a minute apart: agents alternate, councils every third.
async fn thirty(store: &S) -> Vec<NewWorkflow> {
    let mut all = Vec::new();
    for i in 0..30 {
        let agent = if i % 2 == 0 { "agent_a" } else { "agent_b" };
        let council = if i % 3 == 0 {
            "council_commerce"
        } else {
            "council_media"
        };
        let new = new_workflow(agent, council, base_time() + Duration::minutes(i));
        store.create_workflow(&new).await.unwrap();
        all.push(new);
    }
    all
}

pub async fn lists_are_newest_first_and_total_counts_the_filter_not_the_page(store: &S) {
    seed(store).await;
    let all = thirty(store).await;
    let page = store
        .list_workflows(
            &WorkflowFilter::default(),
            &PageRequest::Offset {
                limit: 10,
                offset: 5,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 30);
    let ids: Vec<&str> = page.workflows.iter().map(|w| w.id.as_str()).collect();
    let expected: Vec<&str> = all
        .iter()
        .rev()
        .skip(5)
        .take(10)
        .map(|w| w.id.as_str())
        .collect();
    assert_eq!(ids, expected);
    assert!(page.next_cursor.is_some());

    let agent_b = WorkflowFilter {
        agent_id: Some("agent_b".into()),
        ..Default::default()
    };
    let page = store
        .list_workflows(
            &agent_b,
            &PageRequest::Offset {
                limit: 100,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!((page.total, page.workflows.len()), (15, 15));
    assert!(
        page.workflows
            .iter()
            .all(|w| w.created_by_agent == "agent_b")
    );
    assert!(page.next_cursor.is_none(), "a short page has no next page");

    store
        .transition(&move_to(
            &all[0].id,
            WorkflowStatus::Pending,
            WorkflowStatus::Cancelled,
        ))
        .await
        .unwrap();
    let cases = [
        (
            WorkflowFilter {
                status: Some(WorkflowStatus::Cancelled),
                ..Default::default()
            },
            1,
        ),
        (
            WorkflowFilter {
                status: Some(WorkflowStatus::Pending),
                council_id: Some("council_commerce".into()),
                ..Default::default()
            },
            9,
        ),
        (
            WorkflowFilter {
                council_id: Some("council_media".into()),
                ..Default::default()
            },
            20,
        ),
        (
            WorkflowFilter {
                workflow_type_id: Some(TYPE_ID.into()),
                agent_id: Some("agent_a".into()),
                ..Default::default()
            },
            15,
        ),
        (
            WorkflowFilter {
                workflow_type_id: Some("other".into()),
                ..Default::default()
            },
            0,
        ),
    ];
    for (filter, total) in cases {
        let page = store
            .list_workflows(
                &filter,
                &PageRequest::Offset {
                    limit: 3,
                    offset: 0,
                },
            )
            .await
            .unwrap();
        assert_eq!(page.total, total, "{filter:?}");
        assert_eq!(page.workflows.len() as i64, total.min(3), "{filter:?}");
    }
    let beyond = store
        .list_workflows(
            &WorkflowFilter::default(),
            &PageRequest::Offset {
                limit: 10,
                offset: 100,
            },
        )
        .await
        .unwrap();
    assert!(beyond.workflows.is_empty());
    assert_eq!(beyond.total, 30);
}

pub async fn time_ranges_narrow_the_list_and_the_aggregates(store: &S) {
    seed(store).await;
    thirty(store).await;
    let filter = WorkflowFilter {
        created_after: Some(base_time() + Duration::minutes(10)),
        created_before: Some(base_time() + Duration::minutes(20)),
        ..Default::default()
    };
    let page = store
        .list_workflows(
            &filter,
            &PageRequest::Offset {
                limit: 100,
                offset: 0,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.total, 10, "after is inclusive, before exclusive");
    assert_eq!(
        page.workflows[0].created_at,
        base_time() + Duration::minutes(19)
    );
    assert_eq!(
        summarize(&store.aggregates(&filter).await.unwrap()).total_workflows,
        10
    );
}

pub async fn cursor_pages_visit_every_row_exactly_once(store: &S) {
    seed(store).await;
    let mut all = thirty(store).await;
    // Two workflows in the same microsecond: the id breaks the tie.
    let mut twin = new_workflow(
        "agent_a",
        "council_media",
        base_time() + Duration::minutes(7),
    );
    twin.id = "wf_zzzzzzzzzzzz".into();
    store.create_workflow(&twin).await.unwrap();
    all.push(twin);
    let mut seen = Vec::new();
    let mut page = store
        .list_workflows(
            &WorkflowFilter::default(),
            &PageRequest::Offset {
                limit: 7,
                offset: 0,
            },
        )
        .await
        .unwrap();
    loop {
        seen.extend(page.workflows.iter().map(|w| (w.created_at, w.id.clone())));
        let Some(cursor) = page.next_cursor else {
            break;
        };
        page = store
            .list_workflows(
                &WorkflowFilter::default(),
                &PageRequest::After { limit: 7, cursor },
            )
            .await
            .unwrap();
    }
    assert_eq!(seen.len(), 31);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted, "newest first, ties by id descending");
    assert_eq!(seen.iter().map(|s| &s.1).collect::<HashSet<_>>().len(), 31);
}
