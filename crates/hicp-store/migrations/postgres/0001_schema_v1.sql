-- hicp schema version 1 (PostgreSQL).
-- Ids are UUIDv7 and timestamps are made by the application; JSON is stored as text (checked
-- to parse) and read in Rust. Integers are BIGINT so that one Rust type (i64) reads both backends.
-- The SQLite twin is migrations/sqlite/0001_schema_v1.sql: keep both in step.

CREATE TABLE organizations (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    tier        TEXT CHECK (tier IN ('small', 'medium', 'large')),
    tier_reason TEXT,
    profile     TEXT NOT NULL CHECK (profile::jsonb IS NOT NULL),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE CHECK (length(trim(email)) > 0),
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'assessor', 'contributor', 'viewer', 'auditor')),
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);

CREATE TABLE assessments (
    id              UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title           TEXT NOT NULL CHECK (length(trim(title)) > 0),
    status          TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'final')),
    catalog_edition TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    finalized_at    TIMESTAMPTZ,
    CHECK ((status = 'final' AND finalized_at IS NOT NULL) OR (status <> 'final' AND finalized_at IS NULL))
);
CREATE INDEX assessments_by_organization ON assessments (organization_id, created_at);

CREATE TABLE answers (
    id            UUID PRIMARY KEY,
    assessment_id UUID NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    sub_practice  TEXT NOT NULL CHECK (length(sub_practice) BETWEEN 5 AND 6),
    status        TEXT NOT NULL CHECK (status IN ('not_implemented', 'planned', 'partial', 'largely', 'implemented', 'not_applicable', 'unknown')),
    owner         TEXT,
    note          TEXT,
    since         DATE,
    evidence      TEXT NOT NULL CHECK (evidence::jsonb IS NOT NULL),
    justification TEXT,
    questions     TEXT NOT NULL CHECK (questions::jsonb IS NOT NULL),
    version       BIGINT NOT NULL CHECK (version >= 1),
    updated_at    TIMESTAMPTZ NOT NULL,
    updated_by    TEXT NOT NULL,
    UNIQUE (assessment_id, sub_practice),
    CHECK (status <> 'not_applicable' OR length(trim(coalesce(justification, ''))) > 0)
);

CREATE TABLE answer_history (
    id             UUID PRIMARY KEY,
    assessment_id  UUID NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    sub_practice   TEXT NOT NULL CHECK (length(sub_practice) BETWEEN 5 AND 6),
    from_status    TEXT CHECK (from_status IN ('not_implemented', 'planned', 'partial', 'largely', 'implemented', 'not_applicable', 'unknown')),
    to_status      TEXT NOT NULL CHECK (to_status IN ('not_implemented', 'planned', 'partial', 'largely', 'implemented', 'not_applicable', 'unknown')),
    effective_on   DATE NOT NULL,
    previous_since DATE,
    actor          TEXT NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX answer_history_by_assessment ON answer_history (assessment_id, id);

CREATE TABLE action_items (
    id                   UUID PRIMARY KEY,
    organization_id      UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    assessment_id        UUID NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    sub_practice         TEXT NOT NULL CHECK (length(sub_practice) BETWEEN 5 AND 6),
    title                TEXT NOT NULL,
    period               BIGINT NOT NULL CHECK (period >= 1),
    period_label         TEXT NOT NULL,
    start_on             DATE NOT NULL,
    due_on               DATE NOT NULL,
    owner_role           TEXT NOT NULL,
    owner                TEXT,
    status               TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    cost                 TEXT NOT NULL CHECK (cost IN ('low', 'medium', 'high')),
    effort               TEXT NOT NULL CHECK (effort IN ('low', 'medium', 'high')),
    estimated_cost       BIGINT NOT NULL CHECK (estimated_cost >= 0),
    estimated_staff_days BIGINT NOT NULL CHECK (estimated_staff_days >= 0),
    prerequisites        TEXT NOT NULL CHECK (prerequisites::jsonb IS NOT NULL),
    gap_rank             BIGINT NOT NULL CHECK (gap_rank >= 1),
    version              BIGINT NOT NULL CHECK (version >= 1),
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    UNIQUE (assessment_id, sub_practice)
);
CREATE INDEX action_items_by_organization ON action_items (organization_id, period);

CREATE TABLE milestones (
    id             UUID PRIMARY KEY,
    action_item_id UUID NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    position       BIGINT NOT NULL CHECK (position >= 0),
    title          TEXT NOT NULL,
    due_on         DATE NOT NULL,
    done_on        DATE,
    UNIQUE (action_item_id, position)
);

CREATE TABLE action_item_history (
    id             UUID PRIMARY KEY,
    action_item_id UUID NOT NULL REFERENCES action_items (id) ON DELETE CASCADE,
    from_status    TEXT CHECK (from_status IN ('open', 'in_progress', 'done', 'cancelled')),
    to_status      TEXT NOT NULL CHECK (to_status IN ('open', 'in_progress', 'done', 'cancelled')),
    actor          TEXT NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX action_item_history_by_item ON action_item_history (action_item_id, id);

CREATE TABLE evidence (
    id              UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    answer_id       UUID REFERENCES answers (id) ON DELETE SET NULL,
    file_name       TEXT NOT NULL CHECK (length(trim(file_name)) > 0),
    media_type      TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256          TEXT NOT NULL CHECK (length(sha256) = 64),
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX evidence_by_organization ON evidence (organization_id);

CREATE TABLE metric_observations (
    id              UUID PRIMARY KEY,
    organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    metric          TEXT NOT NULL CHECK (length(trim(metric)) > 0),
    value           DOUBLE PRECISION NOT NULL,
    unit            TEXT,
    observed_on     DATE NOT NULL,
    source          TEXT,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX metric_observations_by_organization ON metric_observations (organization_id, metric, observed_on);

CREATE TABLE api_tokens (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY CHECK (length(id_hash) = 64),
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- The audit trail. `seq` orders the chain; organization_id has no foreign key on purpose: the
-- trail must outlive what it describes.
CREATE TABLE audit_events (
    seq             BIGINT PRIMARY KEY CHECK (seq >= 1),
    id              UUID NOT NULL UNIQUE,
    occurred_at     TIMESTAMPTZ NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    organization_id UUID,
    before_json     TEXT CHECK (before_json IS NULL OR before_json::jsonb IS NOT NULL),
    after_json      TEXT CHECK (after_json IS NULL OR after_json::jsonb IS NOT NULL),
    prev_hash       TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash            TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
);
CREATE INDEX audit_events_by_organization ON audit_events (organization_id, seq);

-- One row: the end of the chain. Every append updates it in the appending transaction; the row
-- lock serializes appends and lets verification notice a truncated tail.
CREATE TABLE audit_chain_head (
    id   BIGINT PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL CHECK (seq >= 0),
    hash TEXT NOT NULL CHECK (length(hash) = 64)
);
INSERT INTO audit_chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- A final assessment is immutable: the database refuses changes to it and to its answers.
CREATE FUNCTION hicp_refuse_final_assessment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'assessments' THEN
        IF OLD.status = 'final' THEN
            RAISE EXCEPTION 'assessment is final and cannot be changed';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM assessments
                  WHERE id = NEW.assessment_id AND status = 'final') THEN
        RAISE EXCEPTION 'assessment is final and cannot be changed';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER assessments_final_is_immutable
BEFORE UPDATE ON assessments
FOR EACH ROW EXECUTE FUNCTION hicp_refuse_final_assessment();

CREATE TRIGGER answers_of_final_assessment
BEFORE INSERT OR UPDATE ON answers
FOR EACH ROW EXECUTE FUNCTION hicp_refuse_final_assessment();

CREATE TRIGGER answer_history_of_final_assessment
BEFORE INSERT ON answer_history
FOR EACH ROW EXECUTE FUNCTION hicp_refuse_final_assessment();

-- The audit trail is append-only: rows may be added, never changed.
CREATE FUNCTION hicp_refuse_audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events cannot be changed';
END;
$$;

CREATE TRIGGER audit_events_append_only_update
BEFORE UPDATE ON audit_events
FOR EACH ROW EXECUTE FUNCTION hicp_refuse_audit_change();
