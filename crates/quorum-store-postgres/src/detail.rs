//! A workflow's detail in one round trip: the workflow row with its metrics, votes, steps and
//! audit trail aggregated as JSON by the server, instead of five queries in sequence. The
//! children are matched on the parameter, not on `w.id`: the workflow id's "C" collation
//! would otherwise keep their indexes out of the plan.

use quorum_store::detail_json;
use quorum_store::{StoreError, StoreResult, WorkflowDetail};
use sqlx::postgres::PgPool;

use crate::map_err;
use crate::rows::{self, WORKFLOW_COLUMNS};

pub async fn detail(pool: &PgPool, id: &str) -> StoreResult<WorkflowDetail> {
    let sql = format!(
        "SELECT {WORKFLOW_COLUMNS}, \
         (SELECT COALESCE(json_agg(m ORDER BY m.attempt, m.recorded_at), '[]') FROM workflow_metrics m WHERE m.workflow_id = $1)::text AS metrics_json, \
         (SELECT COALESCE(json_agg(v ORDER BY v.voted_at, v.id), '[]') FROM workflow_votes v WHERE v.workflow_id = $1)::text AS votes_json, \
         (SELECT COALESCE(json_agg(s ORDER BY s.position), '[]') FROM workflow_steps s WHERE s.workflow_id = $1)::text AS steps_json, \
         (SELECT COALESCE(json_agg(a ORDER BY a.id), '[]') FROM workflow_audit a WHERE a.workflow_id = $1)::text AS audit_json, \
         electorate::text AS electorate, threshold::text AS threshold, digest, preview \
         FROM workflows w WHERE w.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(map_err)?
        .ok_or_else(|| StoreError::NotFound(format!("workflow {id}")))?;
    detail_json::detail(&rows::Text(&row), rows::workflow(&row)?)
}
