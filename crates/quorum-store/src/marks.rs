//! Deep offset pages without counting the rows before them.
//!
//! `GET /api/workflows?offset=500000` must find the 500,000th workflow from the newest. An
//! index cannot count, so the plain answer walks half a million index entries per request
//! (≈ 110 ms on PostgreSQL, tens on SQLite), and sixteen such requests queue for seconds.
//! Instead the store keeps *marks*: every [`MarkRules::spacing`]th workflow's position counted
//! from the **oldest**, which new workflows (always the newest) do not change. A page then
//! costs a step of at most `spacing` entries from the nearest mark, found from the total that
//! the aggregate rows already keep.
//!
//! Marks are a read model. A deep page that finds them missing or stale walks, and asks the
//! process's keeper ([`keep`], run by every server) to take them again, so that no request
//! waits for a take (1–2 s at a million workflows). They cost writes nothing, except in the
//! one case that moves positions: a workflow inserted with a `created_at` older than
//! [`LATE_AFTER_SECS`] before the database's clock (history imported, a server whose clock is
//! behind). Such an insert adds a row to the store's late inserts (a row each, so that they
//! never wait for one another), and marks taken when those numbered otherwise are not used.
//! Marks cover only workflows created [`MarkRules::horizon_secs`] before they were taken, so
//! that one still being inserted when they were (a transaction open for less than the horizon
//! minus the lateness, 50 s) cannot slip in among them unseen. Workflows are never deleted.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Notify;

use crate::{Cursor, PageRequest, Store, StoreError, StoreResult, WorkflowFilter, WorkflowPage};

/// An insert with a `created_at` this much older than the database's clock is late: it may
/// land among rows that marks already counted.
pub const LATE_AFTER_SECS: i64 = 10;

pub struct MarkRules {
    /// Rows between two marks: the most a deep page steps through the index.
    pub spacing: i64,
    /// Shallower offsets walk the index from the newest row: as cheap, and always exact.
    pub from_offset: i64,
    /// Marks cover the rows created this long before they are taken.
    pub horizon_secs: i64,
    /// Marks are taken again when this many rows are newer than they cover…
    pub retake_after_rows: i64,
    /// …or when a late insert came after them, but not more often than this.
    pub retake_every_secs: i64,
}

pub const RULES: MarkRules = MarkRules {
    spacing: 1024,
    from_offset: 20_000,
    horizon_secs: 60,
    retake_after_rows: 50_000,
    retake_every_secs: 60,
};

/// A workflow's position in the list's order: `rank` workflows are older than it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub rank: i64,
    pub at: Cursor,
}

/// Marks as taken: the oldest `covered` workflows, one mark every `spacing` of them and one at
/// the last, valid while the store still holds `seen` late inserts.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkSet {
    pub seen: i64,
    pub covered: i64,
    pub marks: Vec<Mark>,
    pub taken_at: DateTime<Utc>,
}

/// What a deep page needs to know, read together.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkSnapshot {
    /// Every workflow, from the aggregate rows.
    pub total: i64,
    /// Late inserts committed so far.
    pub late: i64,
    /// The marks' `seen`, `covered` and `taken_at`; `None` before marks were ever taken.
    pub taken: Option<(i64, i64, DateTime<Utc>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The offset is past the last workflow: an empty page.
    Beyond,
    /// The page is the rows older than the one at this rank (counted from the oldest).
    FromMark(i64),
    /// Walk the index; `stale` when the marks should be taken again.
    Walk { stale: bool },
}

/// How an unfiltered page at `offset` is best found, given the marks.
pub fn route(rules: &MarkRules, offset: i64, s: &MarkSnapshot, now: DateTime<Utc>) -> Route {
    if offset >= s.total {
        return Route::Beyond;
    }
    // The page starts at rank `total - 1 - offset`; it is what follows the row just newer.
    let rank = s.total - offset;
    match s.taken {
        Some((seen, covered, _)) if seen == s.late && rank < covered => Route::FromMark(rank),
        _ => Route::Walk {
            stale: stale(rules, s, now),
        },
    }
}

/// Whether marks should be taken again: there are none, or a late insert came after them, or
/// too many workflows are newer than they cover, and the last were taken long enough ago.
pub fn stale(rules: &MarkRules, s: &MarkSnapshot, now: DateTime<Utc>) -> bool {
    let Some((seen, covered, taken_at)) = s.taken else {
        return true;
    };
    let outdated = seen != s.late || s.total - covered > rules.retake_after_rows;
    outdated && now - taken_at >= Duration::seconds(rules.retake_every_secs)
}

/// Deep pages that walked for want of marks wake this process's keeper.
static WANTED: LazyLock<Notify> = LazyLock::new(Notify::new);

/// `Store::list_workflows`: deep unfiltered offset pages from the marks, every other page by
/// walking the index ([`Store::walk_workflows`]).
pub async fn list<S: Store + ?Sized>(
    store: &S,
    filter: &WorkflowFilter,
    page: &PageRequest,
    rules: &MarkRules,
) -> StoreResult<WorkflowPage> {
    let PageRequest::Offset { offset, .. } = *page else {
        return store.walk_workflows(filter, page).await;
    };
    if offset < rules.from_offset || *filter != WorkflowFilter::default() {
        return store.walk_workflows(filter, page).await;
    }
    let snapshot = store.workflow_marks().await?;
    match route(rules, offset, &snapshot, Utc::now()) {
        Route::Beyond => Ok(WorkflowPage::new(Vec::new(), snapshot.total, page)),
        Route::FromMark(rank) => match from_mark(store, rank, page.limit()).await? {
            Some(found) => Ok(found),
            None => store.walk_workflows(filter, page).await,
        },
        Route::Walk { stale } => {
            if stale {
                WANTED.notify_one();
            }
            store.walk_workflows(filter, page).await
        }
    }
}

/// The `limit` workflows older than the one at `rank`, or `None` when no mark reaches it.
pub async fn from_mark<S: Store + ?Sized>(
    store: &S,
    rank: i64,
    limit: i64,
) -> StoreResult<Option<WorkflowPage>> {
    let Some(cursor) = store.workflow_at_rank(rank).await? else {
        return Ok(None);
    };
    let page = PageRequest::After { limit, cursor };
    Ok(Some(
        store
            .walk_workflows(&WorkflowFilter::default(), &page)
            .await?,
    ))
}

/// Takes marks again whenever a deep page found them stale, for as long as the process runs;
/// `failed` hears what went wrong (the next deep page asks again).
pub async fn keep<S: Store + ?Sized>(store: &S, rules: &MarkRules, failed: impl Fn(StoreError)) {
    loop {
        WANTED.notified().await;
        if let Err(e) = take_if_stale(store, rules).await {
            failed(e);
        }
    }
}

/// Takes marks when they are stale ([`stale`]); whether it did. Two servers taking them at
/// once is harmless: each set replaces the other whole.
pub async fn take_if_stale<S: Store + ?Sized>(store: &S, rules: &MarkRules) -> StoreResult<bool> {
    if !stale(rules, &store.workflow_marks().await?, Utc::now()) {
        return Ok(false);
    }
    let set = store
        .take_workflow_marks(rules.spacing, rules.horizon_secs)
        .await?;
    store.save_workflow_marks(&set).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(total: i64, late: i64, taken: Option<(i64, i64)>) -> MarkSnapshot {
        let an_hour_ago = Utc::now() - Duration::hours(1);
        MarkSnapshot {
            total,
            late,
            taken: taken.map(|(seen, covered)| (seen, covered, an_hour_ago)),
        }
    }

    #[test]
    fn a_page_within_valid_marks_starts_from_them_and_anything_else_walks() {
        let now = Utc::now();
        // 1,000,000 rows, 990,000 of them covered: offset 500,000 follows rank 500,000.
        let marked = snapshot(1_000_000, 3, Some((3, 990_000)));
        assert_eq!(
            route(&RULES, 500_000, &marked, now),
            Route::FromMark(500_000)
        );
        assert_eq!(route(&RULES, 999_999, &marked, now), Route::FromMark(1));
        assert_eq!(route(&RULES, 1_000_000, &marked, now), Route::Beyond);
        // Newer than the marks: shallow, walked, and not worth new marks yet.
        assert_eq!(
            route(&RULES, 9_000, &marked, now),
            Route::Walk { stale: false }
        );
        // A late insert since: walked, and marked again.
        let late = snapshot(1_000_000, 4, Some((3, 990_000)));
        assert_eq!(
            route(&RULES, 500_000, &late, now),
            Route::Walk { stale: true }
        );
        // Too many rows newer than the marks.
        let behind = snapshot(1_000_000, 3, Some((3, 900_000)));
        assert_eq!(
            route(&RULES, 50_000, &behind, now),
            Route::Walk { stale: true }
        );
        assert_eq!(
            route(&RULES, 500_000, &snapshot(10, 0, None), now),
            Route::Beyond
        );
        assert_eq!(
            route(&RULES, 5, &snapshot(10, 0, None), now),
            Route::Walk { stale: true }
        );
    }

    #[test]
    fn stale_marks_are_not_taken_again_within_a_minute_of_the_last() {
        let just_taken = MarkSnapshot {
            total: 100_000,
            late: 9,
            taken: Some((8, 90_000, Utc::now())),
        };
        assert_eq!(
            route(&RULES, 50_000, &just_taken, Utc::now()),
            Route::Walk { stale: false }
        );
    }
}
