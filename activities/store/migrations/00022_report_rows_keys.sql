-- +goose Up
-- A quarter's save writes its rows at once (COPY: 277,243 rows for a quarter of a million
-- cases), and each row paid for two indexes and a foreign-key check against its version:
-- the check alone was a third of the save (2.7 → 1.75 s), the second index a little more.
-- The rows are written only by SaveReportVersion, in the transaction that inserts their
-- version, and neither is ever deleted; they are read by sheet (list, earlier) in the rows'
-- order (n). So one key, the one they are read by, and no per-row check.
ALTER TABLE quarterly_report_rows DROP CONSTRAINT quarterly_report_rows_period_version_fkey;
ALTER TABLE quarterly_report_rows DROP CONSTRAINT quarterly_report_rows_pkey;
DROP INDEX quarterly_report_rows_sheet_idx;
ALTER TABLE quarterly_report_rows ADD PRIMARY KEY (period, version, list, earlier, n);

-- +goose Down
ALTER TABLE quarterly_report_rows DROP CONSTRAINT quarterly_report_rows_pkey;
ALTER TABLE quarterly_report_rows ADD PRIMARY KEY (period, version, n);
CREATE INDEX quarterly_report_rows_sheet_idx ON quarterly_report_rows (period, version, list, earlier, n);
ALTER TABLE quarterly_report_rows ADD FOREIGN KEY (period, version) REFERENCES quarterly_report_versions (period, version);
