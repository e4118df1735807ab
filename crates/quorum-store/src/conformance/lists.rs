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

/// Marks every 7 rows, used from offset 5: a few dozen workflows reach every case.
const SMALL: marks::MarkRules = marks::MarkRules {
    spacing: 7,
    from_offset: 5,
    horizon_secs: 60,
    retake_after_rows: 10,
    retake_every_secs: 0,
};

/// The ids, total and next cursor of a page, for comparing two ways of finding it.
fn shape(page: &WorkflowPage) -> (Vec<String>, i64, Option<Cursor>) {
    let ids = page.workflows.iter().map(|w| w.id.clone()).collect();
    (ids, page.total, page.next_cursor.clone())
}

/// Every offset from 0 past the end, at three page sizes: the marks' page (when they reach
/// it) and the list's page are the walk's page.
async fn pages_agree(store: &S, marked: bool) {
    let all = WorkflowFilter::default();
    let total = store
        .walk_workflows(
            &all,
            &PageRequest::Offset {
                limit: 1,
                offset: 0,
            },
        )
        .await
        .unwrap()
        .total;
    let covered = store
        .workflow_marks()
        .await
        .unwrap()
        .taken
        .map_or(0, |(_, covered, _)| covered);
    for limit in [1, 4, 10] {
        for offset in 0..total + 3 {
            let page = PageRequest::Offset { limit, offset };
            let walked = shape(&store.walk_workflows(&all, &page).await.unwrap());
            let listed = marks::list(store.as_ref(), &all, &page, &SMALL)
                .await
                .unwrap();
            assert_eq!(
                shape(&listed),
                walked,
                "listed, offset {offset}, limit {limit}"
            );
            let rank = total - offset;
            if marked && offset > 0 && (0..covered).contains(&rank) {
                let from_mark = marks::from_mark(store.as_ref(), rank, limit).await.unwrap();
                let from_mark = from_mark.unwrap_or_else(|| panic!("no mark reaches rank {rank}"));
                assert_eq!(
                    shape(&from_mark),
                    walked,
                    "from a mark, offset {offset}, limit {limit}"
                );
            }
        }
    }
}

pub async fn deep_offset_pages_from_marks_are_the_walks_pages_until_a_late_insert(store: &S) {
    seed(store).await;
    // 50 workflows an hour old and more, three to a minute (the id orders those).
    for i in 0..50 {
        let at = base_time() + Duration::minutes(i / 3);
        store
            .create_workflow(&new_workflow("agent_a", "council_media", at))
            .await
            .unwrap();
    }
    let before = store.workflow_marks().await.unwrap();
    assert_eq!((before.total, before.taken), (50, None));
    assert!(
        before.late > 0,
        "history created in the past counts as late"
    );
    let set = store
        .take_workflow_marks(SMALL.spacing, SMALL.horizon_secs)
        .await
        .unwrap();
    assert_eq!(set.covered, 50);
    let ranks: Vec<i64> = set.marks.iter().map(|m| m.rank).collect();
    assert_eq!(ranks, [0, 7, 14, 21, 28, 35, 42, 49]);
    store.save_workflow_marks(&set).await.unwrap();
    pages_agree(store, true).await;

    // New workflows are the newest: the marks still hold, and count from the oldest.
    for _ in 0..3 {
        store
            .create_workflow(&new_workflow("agent_b", "council_media", Utc::now()))
            .await
            .unwrap();
    }
    let now = store.workflow_marks().await.unwrap();
    assert_eq!(now.late, before.late, "a workflow created now is not late");
    assert_eq!(
        now.taken.map(|(seen, covered, _)| (seen, covered)),
        Some((before.late, 50))
    );
    pages_agree(store, true).await;

    // One created among the marked rows moves their ranks: the marks are no longer used, and
    // a deep page asks for them to be taken again.
    let late = new_workflow(
        "agent_b",
        "council_media",
        base_time() + Duration::seconds(90),
    );
    store.create_workflow(&late).await.unwrap();
    let moved = store.workflow_marks().await.unwrap();
    assert_eq!(moved.late, before.late + 1);
    assert_eq!(
        marks::route(&SMALL, 20, &moved, Utc::now()),
        marks::Route::Walk { stale: true }
    );
    pages_agree(store, false).await;
    assert!(marks::take_if_stale(store.as_ref(), &SMALL).await.unwrap());
    let retaken = store.workflow_marks().await.unwrap();
    assert_eq!(
        retaken.taken.map(|(seen, covered, _)| (seen, covered)),
        Some((moved.late, 51))
    );
    assert!(
        !marks::take_if_stale(store.as_ref(), &SMALL).await.unwrap(),
        "fresh marks are kept"
    );
    pages_agree(store, true).await;
}
