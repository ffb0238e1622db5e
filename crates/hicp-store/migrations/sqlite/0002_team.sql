-- hicp schema version 2 (SQLite): what a team sharing one server needs.
-- Action items gain a `deferred` status (with its reason, kept in history) and an owner who may
-- be a user of the organization; assessments keep the organization profile they are evaluated
-- with; evidence bytes move into the database; sessions record when they were last used; users
-- may be instance administrators; scanner imports are recorded with the hosts they saw.
-- The PostgreSQL twin is migrations/postgres/0002_team.sql: keep both in step.

-- SQLite cannot change a CHECK constraint in place, so the plan's three tables are rebuilt.
-- Children are created against the new parent, old children are dropped before the old parent
-- (so no cascade runs), and the renames carry the foreign keys over to the final names.
CREATE TABLE action_items_v2 (
    id                   BLOB PRIMARY KEY CHECK (length(id) = 16),
    organization_id      BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    assessment_id        BLOB NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    sub_practice         TEXT NOT NULL CHECK (length(sub_practice) BETWEEN 5 AND 6),
    title                TEXT NOT NULL,
    period               INTEGER NOT NULL CHECK (period >= 1),
    period_label         TEXT NOT NULL,
    start_on             TEXT NOT NULL,
    due_on               TEXT NOT NULL,
    owner_role           TEXT NOT NULL,
    owner                TEXT,
    owner_user_id        BLOB REFERENCES users (id) ON DELETE SET NULL,
    status               TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled', 'deferred')),
    deferred_reason      TEXT,
    cost                 TEXT NOT NULL CHECK (cost IN ('low', 'medium', 'high')),
    effort               TEXT NOT NULL CHECK (effort IN ('low', 'medium', 'high')),
    estimated_cost       INTEGER NOT NULL CHECK (estimated_cost >= 0),
    estimated_staff_days INTEGER NOT NULL CHECK (estimated_staff_days >= 0),
    prerequisites        TEXT NOT NULL CHECK (json_valid(prerequisites)),
    gap_rank             INTEGER NOT NULL CHECK (gap_rank >= 1),
    version              INTEGER NOT NULL CHECK (version >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (assessment_id, sub_practice),
    CHECK (owner IS NULL OR owner_user_id IS NULL),
    CHECK ((status = 'deferred') = (length(trim(coalesce(deferred_reason, ''))) > 0))
) STRICT;

CREATE TABLE milestones_v2 (
    id             BLOB PRIMARY KEY CHECK (length(id) = 16),
    action_item_id BLOB NOT NULL REFERENCES action_items_v2 (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL CHECK (position >= 0),
    title          TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    done_on        TEXT,
    UNIQUE (action_item_id, position)
) STRICT;

CREATE TABLE action_item_history_v2 (
    id             BLOB PRIMARY KEY CHECK (length(id) = 16),
    action_item_id BLOB NOT NULL REFERENCES action_items_v2 (id) ON DELETE CASCADE,
    from_status    TEXT CHECK (from_status IN ('open', 'in_progress', 'done', 'cancelled', 'deferred')),
    to_status      TEXT NOT NULL CHECK (to_status IN ('open', 'in_progress', 'done', 'cancelled', 'deferred')),
    reason         TEXT,
    actor          TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    CHECK (to_status <> 'deferred' OR length(trim(coalesce(reason, ''))) > 0)
) STRICT;

INSERT INTO action_items_v2 (id, organization_id, assessment_id, sub_practice, title, period, period_label, start_on, due_on, owner_role, owner, owner_user_id, status, deferred_reason, cost, effort, estimated_cost, estimated_staff_days, prerequisites, gap_rank, version, created_at, updated_at)
SELECT id, organization_id, assessment_id, sub_practice, title, period, period_label, start_on, due_on, owner_role, owner, NULL, status, NULL, cost, effort, estimated_cost, estimated_staff_days, prerequisites, gap_rank, version, created_at, updated_at
FROM action_items;
INSERT INTO milestones_v2 (id, action_item_id, position, title, due_on, done_on)
SELECT id, action_item_id, position, title, due_on, done_on FROM milestones;
INSERT INTO action_item_history_v2 (id, action_item_id, from_status, to_status, reason, actor, recorded_at)
SELECT id, action_item_id, from_status, to_status, NULL, actor, recorded_at FROM action_item_history;

DROP TABLE milestones;
DROP TABLE action_item_history;
DROP TABLE action_items;
ALTER TABLE action_items_v2 RENAME TO action_items;
ALTER TABLE milestones_v2 RENAME TO milestones;
ALTER TABLE action_item_history_v2 RENAME TO action_item_history;
CREATE INDEX action_items_by_organization ON action_items (organization_id, period);
CREATE INDEX action_item_history_by_item ON action_item_history (action_item_id, id);

-- The profile an assessment is evaluated with (JSON, see stored.rs). Existing assessments take
-- their organization's current profile; the final-assessment rule is lifted for that one fill.
ALTER TABLE assessments ADD COLUMN organization_snapshot TEXT CHECK (organization_snapshot IS NULL OR json_valid(organization_snapshot));
DROP TRIGGER assessments_final_is_immutable;
UPDATE assessments SET organization_snapshot = (
    SELECT json_object('v', 1, 'name', o.name, 'tier', o.tier, 'tier_reason', o.tier_reason, 'profile', json(o.profile))
    FROM organizations o WHERE o.id = assessments.organization_id
);
CREATE TRIGGER assessments_final_is_immutable
BEFORE UPDATE ON assessments
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'assessment is final and cannot be changed');
END;

-- Evidence bytes, one row per evidence record (rows written by version 1 have their bytes in the
-- evidence folder until the store moves them in).
CREATE TABLE evidence_contents (
    evidence_id BLOB PRIMARY KEY REFERENCES evidence (id) ON DELETE CASCADE,
    bytes       BLOB NOT NULL
) STRICT;

-- Organizations carry a version like answers and action items, so two editors of one profile
-- cannot overwrite each other unknowingly.
ALTER TABLE organizations ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1);

ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1));

ALTER TABLE sessions ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
UPDATE sessions SET last_seen_at = created_at;
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Scanner and inventory files imported as evidence; a file is imported once per organization.
CREATE TABLE evidence_imports (
    id              BLOB PRIMARY KEY CHECK (length(id) = 16),
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    format          TEXT NOT NULL CHECK (length(trim(format)) > 0),
    file_name       TEXT NOT NULL CHECK (length(trim(file_name)) > 0),
    size_bytes      INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
    summary         TEXT NOT NULL CHECK (json_valid(summary)),
    imported_at     TEXT NOT NULL,
    imported_by     TEXT NOT NULL,
    UNIQUE (organization_id, sha256)
) STRICT;
CREATE INDEX evidence_imports_by_format ON evidence_imports (organization_id, format, imported_at);

CREATE TABLE import_hosts (
    id             BLOB PRIMARY KEY CHECK (length(id) = 16),
    import_id      BLOB NOT NULL REFERENCES evidence_imports (id) ON DELETE CASCADE,
    host_key       TEXT NOT NULL CHECK (length(trim(host_key)) > 0),
    address        TEXT,
    hostname       TEXT,
    credentialed   INTEGER CHECK (credentialed IN (0, 1)),
    medical_device INTEGER NOT NULL CHECK (medical_device IN (0, 1)),
    UNIQUE (import_id, host_key)
) STRICT;

ALTER TABLE metric_observations ADD COLUMN import_id BLOB REFERENCES evidence_imports (id) ON DELETE CASCADE;
