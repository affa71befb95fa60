-- +goose Up
-- Lists stay fast at 100,000 cases: every filter has an index that yields rows newest first,
-- keyset pagination needs (created_at, id) in one index, and text search has an index that
-- works for Chinese words of two characters (pg_trgm needs three, and ignores Chinese under
-- the C locale).

-- case_grams: the characters and the two-character sequences of a text, lower-cased as ILIKE
-- compares, without those containing white space. A text that ILIKE-matches %q% contains
-- every gram of q (case_query_grams), so the grams index finds candidates and ILIKE rechecks.
-- +goose StatementBegin
CREATE FUNCTION case_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (SELECT substr(lower(t), i, n) AS g, n
          FROM generate_series(1, char_length(t)) AS i, (VALUES (1), (2)) AS len (n)) AS s
    WHERE char_length(g) = n AND g !~ '[[:space:]]'
$$;
-- +goose StatementEnd

-- case_query_grams: the grams a search for q looks up: its two-character sequences, or its
-- one character.
-- +goose StatementBegin
CREATE FUNCTION case_query_grams(q text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE WHEN char_length(q) = 1 THEN ARRAY[lower(q)]
                ELSE coalesce((SELECT array_agg(DISTINCT g)
                               FROM (SELECT substr(lower(q), i, 2) AS g
                                     FROM generate_series(1, char_length(q) - 1) AS i) AS s
                               WHERE g !~ '[[:space:]]'), '{}') END
$$;
-- +goose StatementEnd

ALTER TABLE cases ADD COLUMN grams text[]
    GENERATED ALWAYS AS (case_grams(id || ' ' || title || ' ' || description)) STORED;
CREATE INDEX cases_grams_idx ON cases USING gin (grams);

-- The units a case is with now: its lead unit and co-units (the ?unit= filter).
CREATE INDEX cases_units_idx ON cases USING gin ((ARRAY[lead_unit] || co_units));

DROP INDEX cases_created_at_idx;
CREATE INDEX cases_created_at_idx ON cases (created_at DESC, id DESC);

-- +goose Down
DROP INDEX cases_created_at_idx;
CREATE INDEX cases_created_at_idx ON cases (created_at DESC);
DROP INDEX cases_units_idx;
DROP INDEX cases_grams_idx;
ALTER TABLE cases DROP COLUMN grams;
DROP FUNCTION case_query_grams(text);
DROP FUNCTION case_grams(text);
