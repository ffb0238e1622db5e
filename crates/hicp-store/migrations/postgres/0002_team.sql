-- hicp schema version 2 (PostgreSQL): what a team sharing one server needs.
-- Action items gain a `deferred` status (with its reason, kept in history) and an owner who may
-- be a user of the organization; assessments keep the organization profile they are evaluated
-- with; evidence bytes move into the database; sessions record when they were last used; users
-- may be instance administrators; scanner imports are recorded with the hosts they saw.
-- The SQLite twin is migrations/sqlite/0002_team.sql: keep both in step.

ALTER TABLE action_items
    DROP CONSTRAINT action_items_status_check,
    ADD CONSTRAINT action_items_status_check CHECK (status IN ('open', 'in_progress', 'done', 'cancelled', 'deferred')),
    ADD COLUMN owner_user_id UUID REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN deferred_reason TEXT,
    ADD CONSTRAINT action_items_one_owner CHECK (owner IS NULL OR owner_user_id IS NULL),
    ADD CONSTRAINT action_items_deferred_reason CHECK ((status = 'deferred') = (length(trim(coalesce(deferred_reason, ''))) > 0));

ALTER TABLE action_item_history
    DROP CONSTRAINT action_item_history_from_status_check,
    DROP CONSTRAINT action_item_history_to_status_check,
    ADD CONSTRAINT action_item_history_from_status_check CHECK (from_status IN ('open', 'in_progress', 'done', 'cancelled', 'deferred')),
    ADD CONSTRAINT action_item_history_to_status_check CHECK (to_status IN ('open', 'in_progress', 'done', 'cancelled', 'deferred')),
    ADD COLUMN reason TEXT,
    ADD CONSTRAINT action_item_history_deferred_reason CHECK (to_status <> 'deferred' OR length(trim(coalesce(reason, ''))) > 0);

-- The profile an assessment is evaluated with (JSON, see stored.rs). Existing assessments take
-- their organization's current profile; the final-assessment rule is lifted for that one fill.
ALTER TABLE assessments ADD COLUMN organization_snapshot TEXT CHECK (organization_snapshot IS NULL OR organization_snapshot::jsonb IS NOT NULL);
ALTER TABLE assessments DISABLE TRIGGER assessments_final_is_immutable;
UPDATE assessments a SET organization_snapshot = json_build_object(
    'v', 1, 'name', o.name, 'tier', o.tier, 'tier_reason', o.tier_reason, 'profile', o.profile::json
)::text
FROM organizations o WHERE o.id = a.organization_id;
ALTER TABLE assessments ENABLE TRIGGER assessments_final_is_immutable;

-- Evidence bytes, one row per evidence record (rows written by version 1 have their bytes in the
-- evidence folder until the store moves them in).
CREATE TABLE evidence_contents (
    evidence_id UUID PRIMARY KEY REFERENCES evidence (id) ON DELETE CASCADE,
    bytes       BYTEA NOT NULL
);

-- Organizations carry a version like answers and action items, so two editors of one profile
-- cannot overwrite each other unknowingly.
ALTER TABLE organizations ADD COLUMN version BIGINT NOT NULL DEFAULT 1 CHECK (version >= 1);

ALTER TABLE users ADD COLUMN is_admin BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE sessions ADD COLUMN last_seen_at TIMESTAMPTZ;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Scanner and inventory files imported as evidence; a file is imported once per organization.
CREATE TABLE evidence_imports (
    id              UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    format          TEXT NOT NULL CHECK (length(trim(format)) > 0),
    file_name       TEXT NOT NULL CHECK (length(trim(file_name)) > 0),
    size_bytes      BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
    summary         TEXT NOT NULL CHECK (summary::jsonb IS NOT NULL),
    imported_at     TIMESTAMPTZ NOT NULL,
    imported_by     TEXT NOT NULL,
    UNIQUE (organization_id, sha256)
);
CREATE INDEX evidence_imports_by_format ON evidence_imports (organization_id, format, imported_at);

CREATE TABLE import_hosts (
    id             UUID PRIMARY KEY,
    import_id      UUID NOT NULL REFERENCES evidence_imports (id) ON DELETE CASCADE,
    host_key       TEXT NOT NULL CHECK (length(trim(host_key)) > 0),
    address        TEXT,
    hostname       TEXT,
    credentialed   BOOLEAN,
    medical_device BOOLEAN NOT NULL,
    UNIQUE (import_id, host_key)
);

ALTER TABLE metric_observations ADD COLUMN import_id UUID REFERENCES evidence_imports (id) ON DELETE CASCADE;
