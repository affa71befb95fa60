-- +goose Up
-- Lists stay fast at 100,000 cases: every filter has an index that yields rows newest first,
-- keyset pagination needs (created_at, id) in one index, and text search has an index that
-- works for Chinese words of two characters (pg_trgm needs three, and ignores Chinese under
-- the C locale).

-- case_grams: the characters and the two-character sequences of a text, lower-cased as ILIKE
-- compares. A text that ILIKE-matches %q% contains every gram of q (case_query_grams), so the
-- grams index finds candidates and ILIKE decides. (GIN drops the duplicates.)
-- +goose StatementBegin
CREATE FUNCTION case_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(SELECT substr(l, i, 2) FROM generate_series(1, char_length(l) - 1) AS i)
        || regexp_split_to_array(l, '')
    FROM lower(t) AS l
$$;
-- +goose StatementEnd

-- case_query_grams: the grams a search for q looks up: its two-character sequences, or its
-- one character.
-- +goose StatementBegin
CREATE FUNCTION case_query_grams(q text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN char_length(l) < 2 THEN regexp_split_to_array(l, '')
                ELSE ARRAY(SELECT substr(l, i, 2) FROM generate_series(1, char_length(l) - 1) AS i) END
    FROM lower(q) AS l
$$;
-- +goose StatementEnd

-- The grams are indexed, not stored: the index is on the expression the lists query.
CREATE INDEX cases_grams_idx ON cases USING gin (case_grams(id || ' ' || title || ' ' || description));

-- The snapshot (the whole case as JSON, a kilobyte or more) moves to its own table: the rows
-- the lists scan and count stay narrow enough to be cached, and a page joins only its own
-- snapshots.
CREATE TABLE case_snapshots (
    id        text PRIMARY KEY REFERENCES cases (id),
    snapshot  jsonb NOT NULL
);
INSERT INTO case_snapshots (id, snapshot) SELECT id, snapshot FROM cases;
ALTER TABLE cases DROP COLUMN snapshot;

-- The units a case is with now: its lead unit and co-units (the ?unit= filter).
CREATE INDEX cases_units_idx ON cases USING gin ((ARRAY[lead_unit] || co_units));

DROP INDEX cases_created_at_idx;
CREATE INDEX cases_created_at_idx ON cases (created_at DESC, id DESC);

-- +goose Down
ALTER TABLE cases ADD COLUMN snapshot jsonb;
UPDATE cases SET snapshot = s.snapshot FROM case_snapshots AS s WHERE s.id = cases.id;
ALTER TABLE cases ALTER COLUMN snapshot SET NOT NULL;
DROP TABLE case_snapshots;
DROP INDEX cases_created_at_idx;
CREATE INDEX cases_created_at_idx ON cases (created_at DESC);
DROP INDEX cases_units_idx;
DROP INDEX cases_grams_idx;
DROP FUNCTION case_query_grams(text);
DROP FUNCTION case_grams(text);
