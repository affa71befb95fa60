-- +goose Up
-- case_units: one row per unit a case was referred to, in the lists' order, so that a unit's
-- list walks its own cases newest first instead of intersecting bitmaps of everything
-- (a unit's text search at 100,000 cases). The projection keeps it in step with
-- cases.referred_units.
CREATE TABLE case_units (
    unit     text NOT NULL,
    at       timestamptz NOT NULL,
    case_id  text NOT NULL REFERENCES cases (id),
    PRIMARY KEY (unit, at, case_id)
);
CREATE INDEX case_units_case_idx ON case_units (case_id);
INSERT INTO case_units (unit, at, case_id)
    SELECT DISTINCT u, created_at, id FROM cases, unnest(referred_units) AS u;

-- +goose Down
DROP TABLE case_units;
