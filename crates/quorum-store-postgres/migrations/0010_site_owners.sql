-- A site belongs to the agent whose workflow first deployed it: another agent's website
-- workflow for the same slug is refused at creation, and only the owner (or an admin) rolls
-- it back. Sites deployed before this get the agent of their earliest deployment.
ALTER TABLE sites ADD COLUMN owner_agent TEXT;
UPDATE sites SET owner_agent = (
    SELECT w.created_by_agent FROM deployments d JOIN workflows w ON w.id = d.workflow_id
    WHERE d.site = sites.slug ORDER BY d.created_at, d.id LIMIT 1
);

-- Every rollback of a site: who switched it, when, from which deployment to which, and why.
-- Append-only, like the workflow audit.
CREATE TABLE site_rollbacks (
    id              BIGSERIAL PRIMARY KEY,
    slug            TEXT    NOT NULL,
    from_deployment TEXT    NOT NULL,
    to_deployment   TEXT    NOT NULL,
    actor           TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX site_rollbacks_by_slug ON site_rollbacks (slug, id);

-- Old deployments are collected, then the blobs no deployment still names: this finds them.
CREATE INDEX deployment_files_by_hash ON deployment_files (hash);
