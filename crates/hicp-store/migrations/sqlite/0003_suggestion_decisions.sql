-- hicp schema version 3 (SQLite): the assessor's decision on each suggested answer.
-- A suggestion comes from an import's metrics; the assessor accepts it (the answer takes the
-- suggested status) or overrides it (the answer keeps or takes the assessor's status, with an
-- optional reason). Each decision is kept with the suggestion as it was shown.
-- The PostgreSQL twin is migrations/postgres/0003_suggestion_decisions.sql: keep both in step.
CREATE TABLE suggestion_decisions (
    id               BLOB PRIMARY KEY CHECK (length(id) = 16),
    organization_id  BLOB NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    assessment_id    BLOB NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    sub_practice     TEXT NOT NULL CHECK (length(sub_practice) BETWEEN 5 AND 6),
    import_id        BLOB REFERENCES evidence_imports (id) ON DELETE SET NULL,
    suggested_status TEXT NOT NULL,
    rule             TEXT NOT NULL,
    evidence         TEXT NOT NULL CHECK (json_valid(evidence)),
    decision         TEXT NOT NULL CHECK (decision IN ('accept', 'override')),
    chosen_status    TEXT NOT NULL,
    reason           TEXT,
    decided_at       TEXT NOT NULL,
    decided_by       TEXT NOT NULL
) STRICT;
CREATE INDEX suggestion_decisions_by_assessment ON suggestion_decisions (assessment_id, sub_practice, decided_at);
