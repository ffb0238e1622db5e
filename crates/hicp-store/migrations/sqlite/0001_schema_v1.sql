-- hicp schema version 1 (SQLite).
-- Ids are UUIDv7 made by the application (16-byte BLOBs); timestamps are RFC 3339 text in UTC
-- made by the application; JSON is stored as text and read in Rust.
-- The PostgreSQL twin is migrations/postgres/0001_schema_v1.sql: keep both in step.

CREATE TABLE organizations (
    id          BLOB PRIMARY KEY CHECK (length(id) = 16),
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    tier        TEXT CHECK (tier IN ('small', 'medium', 'large')),
    tier_reason TEXT,
    profile     TEXT NOT NULL CHECK (json_valid(profile)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id            BLOB PRIMARY KEY CHECK (length(id) = 16),
    email         TEXT NOT NULL UNIQUE CHECK (length(trim(email)) > 0),
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE memberships (
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'assessor', 'contributor', 'viewer', 'auditor')),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
) STRICT;

CREATE TABLE assessments (
    id              BLOB PRIMARY KEY CHECK (length(id) = 16),
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title           TEXT NOT NULL CHECK (length(trim(title)) > 0),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'final')),
    catalog_edition TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    finalized_at    TEXT,
    CHECK ((status = 'final' AND finalized_at IS NOT NULL) OR (status <> 'final' AND finalized_at IS NULL))
) STRICT;
CREATE INDEX assessments_by_organization ON assessments (organization_id, created_at);

CREATE TABLE answers (
    id            BLOB PRIMARY KEY CHECK (length(id) = 16),
    assessment_id BLOB NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    sub_practice  TEXT NOT NULL CHECK (length(sub_practice) BETWEEN 5 AND 6),
    status        TEXT NOT NULL CHECK (status IN ('not_implemented', 'planned', 'partial', 'largely', 'implemented', 'not_applicable', 'unknown')),
    owner         TEXT,
    note          TEXT,
    since         TEXT,
    evidence      TEXT NOT NULL CHECK (json_valid(evidence)),
    justification TEXT,
    questions     TEXT NOT NULL CHECK (json_valid(questions)),
    version       INTEGER NOT NULL CHECK (version >= 1),
    updated_at    TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    UNIQUE (assessment_id, sub_practice),
    CHECK (status <> 'not_applicable' OR length(trim(coalesce(justification, ''))) > 0)
) STRICT;

CREATE TABLE answer_history (
    id             BLOB PRIMARY KEY CHECK (length(id) = 16),
    assessment_id  BLOB NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    sub_practice   TEXT NOT NULL CHECK (length(sub_practice) BETWEEN 5 AND 6),
    from_status    TEXT CHECK (from_status IN ('not_implemented', 'planned', 'partial', 'largely', 'implemented', 'not_applicable', 'unknown')),
    to_status      TEXT NOT NULL CHECK (to_status IN ('not_implemented', 'planned', 'partial', 'largely', 'implemented', 'not_applicable', 'unknown')),
    effective_on   TEXT NOT NULL,
    previous_since TEXT,
    actor          TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
) STRICT;
CREATE INDEX answer_history_by_assessment ON answer_history (assessment_id, id);

CREATE TABLE action_items (
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
    status               TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    cost                 TEXT NOT NULL CHECK (cost IN ('low', 'medium', 'high')),
    effort               TEXT NOT NULL CHECK (effort IN ('low', 'medium', 'high')),
    estimated_cost       INTEGER NOT NULL CHECK (estimated_cost >= 0),
    estimated_staff_days INTEGER NOT NULL CHECK (estimated_staff_days >= 0),
    prerequisites        TEXT NOT NULL CHECK (json_valid(prerequisites)),
    gap_rank             INTEGER NOT NULL CHECK (gap_rank >= 1),
    version              INTEGER NOT NULL CHECK (version >= 1),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (assessment_id, sub_practice)
) STRICT;
CREATE INDEX action_items_by_organization ON action_items (organization_id, period);

CREATE TABLE milestones (
    id             BLOB PRIMARY KEY CHECK (length(id) = 16),
    action_item_id BLOB NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL CHECK (position >= 0),
    title          TEXT NOT NULL,
    due_on         TEXT NOT NULL,
    done_on        TEXT,
    UNIQUE (action_item_id, position)
) STRICT;

CREATE TABLE action_item_history (
    id             BLOB PRIMARY KEY CHECK (length(id) = 16),
    action_item_id BLOB NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    from_status    TEXT CHECK (from_status IN ('open', 'in_progress', 'done', 'cancelled')),
    to_status      TEXT NOT NULL CHECK (to_status IN ('open', 'in_progress', 'done', 'cancelled')),
    actor          TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
) STRICT;
CREATE INDEX action_item_history_by_item ON action_item_history (action_item_id, id);

CREATE TABLE evidence (
    id              BLOB PRIMARY KEY CHECK (length(id) = 16),
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    answer_id       BLOB REFERENCES answers (id) ON DELETE SET NULL,
    file_name       TEXT NOT NULL CHECK (length(trim(file_name)) > 0),
    media_type      TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL
) STRICT;
CREATE INDEX evidence_by_organization ON evidence (organization_id);

CREATE TABLE metric_observations (
    id              BLOB PRIMARY KEY CHECK (length(id) = 16),
    organization_id BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    metric          TEXT NOT NULL CHECK (length(trim(metric)) > 0),
    value           REAL NOT NULL,
    unit            TEXT,
    observed_on     TEXT NOT NULL,
    source          TEXT,
    created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX metric_observations_by_organization ON metric_observations (organization_id, metric, observed_on);

CREATE TABLE api_tokens (
    id              BLOB PRIMARY KEY CHECK (length(id) = 16),
    user_id         BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at      TEXT NOT NULL,
    expires_at      TEXT,
    revoked_at      TEXT
) STRICT;

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY CHECK (length(id_hash) = 64),
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;

-- The audit trail. `seq` orders the chain; organization_id has no foreign key on purpose: the
-- trail must outlive what it describes.
CREATE TABLE audit_events (
    seq             INTEGER PRIMARY KEY CHECK (seq >= 1),
    id              BLOB NOT NULL UNIQUE CHECK (length(id) = 16),
    occurred_at     TEXT NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    organization_id BLOB,
    before_json     TEXT CHECK (before_json IS NULL OR json_valid(before_json)),
    after_json      TEXT CHECK (after_json IS NULL OR json_valid(after_json)),
    prev_hash       TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash            TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;
CREATE INDEX audit_events_by_organization ON audit_events (organization_id, seq);

-- One row: the end of the chain. Every append updates it in the appending transaction, which
-- serializes appends on both backends and lets verification notice a truncated tail.
CREATE TABLE audit_chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL CHECK (seq >= 0),
    hash TEXT NOT NULL CHECK (length(hash) = 64)
) STRICT;
INSERT INTO audit_chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- A final assessment is immutable: the database refuses changes to it and to its answers.
CREATE TRIGGER assessments_final_is_immutable
BEFORE UPDATE ON assessments
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'assessment is final and cannot be changed');
END;

CREATE TRIGGER answers_of_final_assessment_insert
BEFORE INSERT ON answers
WHEN (SELECT status FROM assessments WHERE id = NEW.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'assessment is final and cannot be changed');
END;

CREATE TRIGGER answers_of_final_assessment_update
BEFORE UPDATE ON answers
WHEN (SELECT status FROM assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'assessment is final and cannot be changed');
END;

CREATE TRIGGER answer_history_of_final_assessment_insert
BEFORE INSERT ON answer_history
WHEN (SELECT status FROM assessments WHERE id = NEW.assessment_id) = 'final'
BEGIN
    SELECT RAISE(ABORT, 'assessment is final and cannot be changed');
END;

-- The audit trail is append-only: rows may be added, never changed or removed.
CREATE TRIGGER audit_events_append_only_update
BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events cannot be changed');
END;
