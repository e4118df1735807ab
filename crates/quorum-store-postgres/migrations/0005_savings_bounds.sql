-- Savings are bounded per workflow (quorum_domain::savings: 500,000.00 a week, 26,000,000.00 a
-- year), which keeps every sum of them inside a BIGINT. Rows written before the bound are
-- brought inside it, caller-given savings keep only the fields Quorum knows, and the
-- aggregates are recomputed from the workflows.

UPDATE workflows SET
    weekly_cents = LEAST(GREATEST(weekly_cents, 0), 50000000),
    annual_cents = LEAST(GREATEST(annual_cents, 0), 2600000000)
WHERE weekly_cents NOT BETWEEN 0 AND 50000000 OR annual_cents NOT BETWEEN 0 AND 2600000000;

UPDATE workflows SET
    calculated_savings = jsonb_build_object('weekly_savings', weekly_cents / 100.0, 'annual_savings', annual_cents / 100.0)
WHERE jsonb_typeof(calculated_savings) <> 'object'
   OR EXISTS (
        SELECT 1 FROM jsonb_object_keys(
            CASE jsonb_typeof(workflows.calculated_savings) WHEN 'object' THEN workflows.calculated_savings ELSE '{}'::jsonb END
        ) AS k
        WHERE k NOT IN ('tasks_automated', 'time_saved_per_week', 'hourly_rate', 'currency',
                        'weekly_savings', 'annual_savings'))
   OR CASE WHEN jsonb_typeof(calculated_savings -> 'weekly_savings') = 'number'
           THEN (calculated_savings ->> 'weekly_savings')::numeric <> weekly_cents / 100.0
           ELSE TRUE END
   OR CASE WHEN jsonb_typeof(calculated_savings -> 'annual_savings') = 'number'
           THEN (calculated_savings ->> 'annual_savings')::numeric <> annual_cents / 100.0
           ELSE FALSE END;

UPDATE workflow_metrics SET weekly_cents = LEAST(GREATEST(weekly_cents, 0), 50000000)
WHERE weekly_cents NOT BETWEEN 0 AND 50000000;

DELETE FROM workflow_totals;

INSERT INTO workflow_totals (council_id, agent_id, workflow_type_id, status,
    workflows, weekly_cents, annual_cents, metric_count, duration_ms, success_ppm, error_count)
SELECT assigned_council_id, created_by_agent, workflow_type_id, status, COUNT(*),
    SUM(weekly_cents), SUM(annual_cents), SUM(metric_count), SUM(duration_ms), SUM(success_ppm), SUM(error_count)
FROM workflows
GROUP BY assigned_council_id, created_by_agent, workflow_type_id, status;
