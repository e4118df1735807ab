-- Savings are bounded per workflow (quorum_domain::savings: 500,000.00 a week, 26,000,000.00 a
-- year), which keeps every sum of them inside a 64-bit integer. Rows written before the bound
-- are brought inside it, caller-given savings keep only the fields Quorum knows, and the
-- aggregates are recomputed from the workflows: that also replaces any total that SQLite had
-- turned into a floating-point number when an addition overflowed.

UPDATE workflows SET
    weekly_cents = MIN(MAX(CAST(weekly_cents AS INTEGER), 0), 50000000),
    annual_cents = MIN(MAX(CAST(annual_cents AS INTEGER), 0), 2600000000)
WHERE typeof(weekly_cents) <> 'integer' OR typeof(annual_cents) <> 'integer'
   OR weekly_cents NOT BETWEEN 0 AND 50000000 OR annual_cents NOT BETWEEN 0 AND 2600000000;

UPDATE workflows SET
    calculated_savings = json_object('weekly_savings', weekly_cents / 100.0, 'annual_savings', annual_cents / 100.0)
WHERE json_type(calculated_savings) IS NOT 'object'
   OR EXISTS (
        SELECT 1 FROM json_each(workflows.calculated_savings)
        WHERE key NOT IN ('tasks_automated', 'time_saved_per_week', 'hourly_rate', 'currency',
                          'weekly_savings', 'annual_savings'))
   OR json_extract(calculated_savings, '$.weekly_savings') IS NOT weekly_cents / 100.0
   OR (json_type(calculated_savings, '$.annual_savings') IS NOT NULL
       AND json_extract(calculated_savings, '$.annual_savings') IS NOT annual_cents / 100.0);

UPDATE workflow_metrics SET weekly_cents = MIN(MAX(CAST(weekly_cents AS INTEGER), 0), 50000000)
WHERE typeof(weekly_cents) <> 'integer' OR weekly_cents NOT BETWEEN 0 AND 50000000;

DELETE FROM workflow_totals;

INSERT INTO workflow_totals (council_id, agent_id, workflow_type_id, status,
    workflows, weekly_cents, annual_cents, metric_count, duration_ms, success_ppm, error_count)
SELECT assigned_council_id, created_by_agent, workflow_type_id, status, COUNT(*),
    SUM(weekly_cents), SUM(annual_cents), SUM(metric_count), SUM(duration_ms), SUM(success_ppm), SUM(error_count)
FROM workflows
GROUP BY assigned_council_id, created_by_agent, workflow_type_id, status;
