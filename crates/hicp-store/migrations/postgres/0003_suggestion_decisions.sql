-- hicp schema version 3 (PostgreSQL): the assessor's decision on each suggested answer.
-- A suggestion comes from an import's metrics; the assessor accepts it (the answer takes the
-- suggested status) or overrides it (the answer keeps or takes the assessor's status, with an
-- optional reason). Each decision is kept with the suggestion as it was shown.
-- The SQLite twin is migrations/sqlite/0003_suggestion_decisions.sql: keep both in step.
CREATE TABLE suggestion_decisions (
    id               UUID PRIMARY KEY,
    organization_id  UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    assessment_id    UUID NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    sub_practice     TEXT NOT NULL CHECK (length(sub_practice) BETWEEN 5 AND 6),
    import_id        UUID REFERENCES evidence_imports (id) ON DELETE SET NULL,
    suggested_status TEXT NOT NULL,
    rule             TEXT NOT NULL,
    evidence         TEXT NOT NULL CHECK (evidence::jsonb IS NOT NULL),
    decision         TEXT NOT NULL CHECK (decision IN ('accept', 'override')),
    chosen_status    TEXT NOT NULL,
    reason           TEXT,
    decided_at       TIMESTAMPTZ NOT NULL,
    decided_by       TEXT NOT NULL
);
CREATE INDEX suggestion_decisions_by_assessment ON suggestion_decisions (assessment_id, sub_practice, decided_at);
