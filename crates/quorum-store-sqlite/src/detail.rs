//! A workflow's detail in one statement: its metrics, votes, steps and audit trail come back as
//! JSON arrays beside the workflow row, decoded by the code PostgreSQL's detail shares.

use quorum_store::detail_json;
use quorum_store::{StoreError, WorkflowDetail};
use rusqlite::Connection;

use crate::Result;
use crate::rows::{self, WORKFLOW_COLUMNS};

const CHILDREN: &str = "\
    (SELECT json_group_array(json_object('id', id, 'workflow_id', workflow_id, 'attempt', attempt, 'duration_ms', duration_ms, \
        'weekly_cents', weekly_cents, 'success_ppm', success_ppm, 'error_count', error_count, 'recorded_at', recorded_at)) \
     FROM (SELECT * FROM workflow_metrics WHERE workflow_id = ?1 ORDER BY attempt, recorded_at)) AS metrics_json, \
    (SELECT json_group_array(json_object('id', id, 'workflow_id', workflow_id, 'user_id', user_id, 'vote', vote, \
        'reason', reason, 'voted_at', voted_at, 'cast_by', cast_by)) \
     FROM (SELECT * FROM workflow_votes WHERE workflow_id = ?1 ORDER BY voted_at, id)) AS votes_json, \
    (SELECT json_group_array(json_object('position', position, 'name', name, 'status', status, 'attempts', attempts, \
        'started_at', started_at, 'finished_at', finished_at, 'wake_at', wake_at, 'error', error, 'output', json(output))) \
     FROM (SELECT * FROM workflow_steps WHERE workflow_id = ?1 ORDER BY position)) AS steps_json, \
    (SELECT json_group_array(json_object('id', id, 'event', event, 'actor', actor, 'from_status', from_status, \
        'to_status', to_status, 'reason', reason, 'at', at)) \
     FROM (SELECT * FROM workflow_audit WHERE workflow_id = ?1 ORDER BY id)) AS audit_json";

pub fn detail(conn: &Connection, id: &str) -> Result<WorkflowDetail> {
    let sql = format!(
        "SELECT {WORKFLOW_COLUMNS}, electorate, threshold, digest, preview, {CHILDREN} FROM workflows WHERE id = ?1"
    );
    rows::one(conn, &sql, [id], |row| {
        Ok(detail_json::detail(&rows::Text(row), rows::workflow(row)?)?)
    })?
    .ok_or_else(|| StoreError::NotFound(format!("workflow {id}")).into())
}
