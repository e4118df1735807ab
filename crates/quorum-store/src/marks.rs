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
//! Marks are a read model, taken by a read that finds them missing or stale and costing
//! writes nothing, except in the one case that moves positions: a workflow inserted with a
//! `created_at` older than [`LATE_AFTER_SECS`] before the database's clock (history imported,
//! a server whose clock is behind). Such an insert adds a row to the store's late inserts (a
//! row each, so that they never wait for one another), and marks taken when those numbered
//! otherwise are no longer used. Marks cover only workflows created
//! [`MarkRules::horizon_secs`] before they were taken, so that one still being inserted when
//! they were (a transaction open for less than the horizon minus the lateness, 50 s) cannot
//! slip in among them unseen. Workflows are never deleted.

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, Utc};

use crate::{Cursor, PageRequest, Store, StoreResult, WorkflowFilter, WorkflowPage};

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
    /// …or when they are no longer valid, but not more often than this.
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
    /// Walk the index; take marks first when they are missing or stale.
    Walk { retake: bool },
}

/// How an unfiltered page at `offset` is best found, given the marks.
pub fn route(rules: &MarkRules, offset: i64, s: &MarkSnapshot, now: DateTime<Utc>) -> Route {
    if offset >= s.total {
        return Route::Beyond;
    }
    // The page starts at rank `total - 1 - offset`; it is what follows the row just newer.
    let rank = s.total - offset;
    let Some((seen, covered, taken_at)) = s.taken else {
        return Route::Walk { retake: true };
    };
    let valid = seen == s.late;
    if valid && rank < covered {
        return Route::FromMark(rank);
    }
    let stale = !valid || s.total - covered > rules.retake_after_rows;
    let rested = now - taken_at >= Duration::seconds(rules.retake_every_secs);
    Route::Walk {
        retake: stale && rested,
    }
}

/// One process takes marks at a time; the others walk meanwhile. Two servers taking them at
/// once is harmless: each set replaces the other whole.
static TAKING: AtomicBool = AtomicBool::new(false);

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
    let route = match route(rules, offset, &snapshot, Utc::now()) {
        Route::Walk { retake: true } if take(store, rules).await? => {
            route(rules, offset, &store.workflow_marks().await?, Utc::now())
        }
        route => route,
    };
    match route {
        Route::Beyond => Ok(WorkflowPage::new(Vec::new(), snapshot.total, page)),
        Route::FromMark(rank) => match from_mark(store, rank, page.limit()).await? {
            Some(found) => Ok(found),
            None => store.walk_workflows(filter, page).await,
        },
        Route::Walk { .. } => store.walk_workflows(filter, page).await,
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

/// Takes marks unless this process is already taking them; whether it did.
pub async fn take<S: Store + ?Sized>(store: &S, rules: &MarkRules) -> StoreResult<bool> {
    if TAKING.swap(true, Ordering::AcqRel) {
        return Ok(false);
    }
    let taken = async {
        let set = store
            .take_workflow_marks(rules.spacing, rules.horizon_secs)
            .await?;
        store.save_workflow_marks(&set).await
    }
    .await;
    TAKING.store(false, Ordering::Release);
    taken.map(|()| true)
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
            Route::Walk { retake: false }
        );
        // A late insert since: walked, and marked again.
        let late = snapshot(1_000_000, 4, Some((3, 990_000)));
        assert_eq!(
            route(&RULES, 500_000, &late, now),
            Route::Walk { retake: true }
        );
        // Too many rows newer than the marks.
        let behind = snapshot(1_000_000, 3, Some((3, 900_000)));
        assert_eq!(
            route(&RULES, 50_000, &behind, now),
            Route::Walk { retake: true }
        );
        assert_eq!(
            route(&RULES, 500_000, &snapshot(10, 0, None), now),
            Route::Beyond
        );
        assert_eq!(
            route(&RULES, 5, &snapshot(10, 0, None), now),
            Route::Walk { retake: true }
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
            Route::Walk { retake: false }
        );
    }
}
