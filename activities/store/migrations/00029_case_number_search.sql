-- +goose Up
-- A search's candidates were found by one grams index over a case's number, title and
-- description together. A case number's grams (pt, t-, -2, 20, 02, 26, 6-, -0, 00…) are in
-- every case's number, so a search for a number or the start of one (PT-2026-00, the
-- year's first cases) had the index intersect lists of every case and check the tenth of
-- them that hold all its grams: 8–15 ms at 100,000 cases, 40–80 ms at a million, whatever
-- few cases it then found. Now the number and the text have indexes of their own, and a
-- search shaped like the start of a case number (two letters and a dash, letters, digits
-- and dashes after: store.caseNumberPrefix) finds the numbers it matches as a range of a
-- btree. A case number caseflow writes (PT-2026-000001, the bench's SY-2026-000001) has its
-- two letters at its start and only digits and dashes after them, so such a search can
-- match it only from its start; numbers of any other shape (caseflow writes none) keep a
-- grams index of their own, which such a search looks in too, so that nothing is missed.
CREATE INDEX cases_text_grams_idx ON cases USING gin (case_grams(title || ' ' || description));
CREATE INDEX cases_id_grams_idx ON cases USING gin (case_grams(id));
CREATE INDEX cases_odd_id_grams_idx ON cases USING gin (case_grams(id)) WHERE id !~ '^[A-Z]{2}-[0-9-]*$';
-- text_pattern_ops compares bytes whatever the database's collation, as the range of
-- numbers that start alike needs (~>=~ and ~<~ in store.listConds).
CREATE INDEX cases_id_pattern_idx ON cases (id text_pattern_ops);
DROP INDEX cases_grams_idx;
ANALYZE cases;

-- +goose Down
CREATE INDEX cases_grams_idx ON cases USING gin (case_grams(id || ' ' || title || ' ' || description));
DROP INDEX cases_id_pattern_idx;
DROP INDEX cases_odd_id_grams_idx;
DROP INDEX cases_id_grams_idx;
DROP INDEX cases_text_grams_idx;
