-- +goose Up
-- quarterly_report_rows: the rows of a report version's attachments (附件1–3), one a case,
-- with a column for each field of store.ReportRow (named as its JSON), instead of one array
-- inside the version's content: a quarter of a large province is hundreds of thousands of
-- cases, which one jsonb value holds badly (written whole, read whole for every download,
-- and a jsonb value stops at 255 MB). Each sheet of an attachment is read by its list and
-- sheet (earlier), in the rows' order (n).
CREATE TABLE quarterly_report_rows (
    period       text NOT NULL,
    version      integer NOT NULL,
    n            integer NOT NULL,
    case_id      text NOT NULL,
    list         text NOT NULL,
    enterprise   text NOT NULL,
    county       text NOT NULL,
    category     text NOT NULL,
    description  text NOT NULL,
    amount_cny   double precision,
    lead_unit    text NOT NULL,
    co_units     text[] NOT NULL,
    office       text NOT NULL,
    status       text NOT NULL,
    due_date     text NOT NULL,
    outcome      text NOT NULL,
    raised_by    text NOT NULL,
    visit_date   text NOT NULL,
    sensitive    boolean NOT NULL,
    leaders      text[] NOT NULL,
    created_at   timestamptz NOT NULL,
    overdue      boolean NOT NULL,
    called_back  integer NOT NULL,
    satisfied    integer NOT NULL,
    earlier      boolean NOT NULL,
    PRIMARY KEY (period, version, n),
    FOREIGN KEY (period, version) REFERENCES quarterly_report_versions (period, version)
);
CREATE INDEX quarterly_report_rows_sheet_idx ON quarterly_report_rows (period, version, list, earlier, n);

-- Compiling a quarter asks of each earlier case whether it was closed before the quarter's
-- end, and of each case its callbacks: without these, each question reads the whole
-- timeline of the case (a million cases: 5 s of a quarter's compile).
CREATE INDEX case_events_closed_idx ON case_events (case_id) INCLUDE (at) WHERE type = 'closed';
CREATE INDEX case_events_called_back_idx ON case_events (case_id, seq) WHERE type = 'called_back';

-- The versions compiled before keep their rows, moved here.
INSERT INTO quarterly_report_rows
SELECT (jsonb_populate_record(NULL::quarterly_report_rows,
    jsonb_build_object('co_units', '[]'::jsonb, 'leaders', '[]'::jsonb, 'called_back', 0, 'satisfied', 0, 'earlier', false,
        'overdue', false, 'sensitive', false)
    || jsonb_strip_nulls(r.row) || jsonb_build_object('period', v.period, 'version', v.version, 'n', r.n))).*
FROM quarterly_report_versions v, jsonb_array_elements(v.content->'rows') WITH ORDINALITY AS r(row, n)
WHERE jsonb_typeof(v.content->'rows') = 'array';
UPDATE quarterly_report_versions SET content = content - 'rows' WHERE content ? 'rows';

-- +goose Down
UPDATE quarterly_report_versions v SET content = v.content || jsonb_build_object('rows', coalesce(
    (SELECT jsonb_agg(to_jsonb(r) - 'period' - 'version' - 'n' ORDER BY r.n) FROM quarterly_report_rows r
     WHERE r.period = v.period AND r.version = v.version), '[]'::jsonb));
DROP TABLE quarterly_report_rows;
DROP INDEX case_events_called_back_idx;
DROP INDEX case_events_closed_idx;
