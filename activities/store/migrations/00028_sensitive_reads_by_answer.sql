-- +goose Up
-- A read of cases' sensitive fields was recorded as a row per case: a list's page of 20
-- sensitive cases wrote 20 rows and 40 index entries (the id's and (case_id, at)) before
-- the answer could be sent, 0.3–0.4 ms of every recorded read here, and a quarter's
-- report thousands of rows. Now one answer is one row, with the cases it showed in an
-- array that a GIN index finds by case (store.RecordReads, store.SensitiveReads): the same
-- page's record takes 0.22 ms, and the table grows by an answer where it grew by a case.
-- fastupdate is off so that no read's INSERT is the one that merges a pending list.
-- A case's reads are found as before, who and when; the rows of one answer shared their
-- username and their time (one statement's now()), which is how they are gathered here.
ALTER TABLE sensitive_reads RENAME TO sensitive_reads_by_case;
CREATE TABLE sensitive_reads (
    username text NOT NULL,
    at       timestamptz NOT NULL DEFAULT now(),
    case_ids text[] NOT NULL CHECK (cardinality(case_ids) > 0)
);
INSERT INTO sensitive_reads (username, at, case_ids)
    SELECT username, at, array_agg(case_id ORDER BY id) FROM sensitive_reads_by_case GROUP BY username, at;
DROP TABLE sensitive_reads_by_case;
CREATE INDEX sensitive_reads_cases_idx ON sensitive_reads USING gin (case_ids) WITH (fastupdate = off);
ANALYZE sensitive_reads;

-- +goose Down
ALTER TABLE sensitive_reads RENAME TO sensitive_reads_by_answer;
CREATE TABLE sensitive_reads (
    id          bigserial PRIMARY KEY,
    case_id     text NOT NULL,
    username    text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sensitive_reads (case_id, username, at)
    SELECT r.case_id, a.username, a.at
    FROM sensitive_reads_by_answer AS a, unnest(a.case_ids) WITH ORDINALITY AS r (case_id, n)
    ORDER BY a.at, a.username, r.n;
DROP TABLE sensitive_reads_by_answer;
CREATE INDEX sensitive_reads_case_idx ON sensitive_reads (case_id, at);
