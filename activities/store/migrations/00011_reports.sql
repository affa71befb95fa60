-- +goose Up
-- Quarterly reports (季度调研报告): one row per quarter, each compiled version kept (the one
-- compiled at the deadline is final), the leaders' submissions, and reminders in the outbox.
CREATE TABLE quarterly_reports (
    period      text PRIMARY KEY,
    status      text NOT NULL,
    deadline    timestamptz NOT NULL,
    version     integer NOT NULL DEFAULT 0,
    compiled_at timestamptz,
    final       boolean NOT NULL DEFAULT false
);
CREATE TABLE quarterly_report_versions (
    period      text NOT NULL REFERENCES quarterly_reports (period),
    version     integer NOT NULL,
    compiled_at timestamptz NOT NULL,
    final       boolean NOT NULL,
    content     jsonb NOT NULL,
    PRIMARY KEY (period, version)
);
CREATE TABLE report_submissions (
    period       text NOT NULL REFERENCES quarterly_reports (period),
    leader       text NOT NULL REFERENCES users (username),
    narrative    text NOT NULL,
    submitted_at timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    late         boolean NOT NULL,
    PRIMARY KEY (period, leader)
);
-- The outbox also carries reminders that belong to a report, not a case.
ALTER TABLE notifications ALTER COLUMN case_id DROP NOT NULL,
    ADD COLUMN report_period text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX notifications_report_idx ON notifications (report_period, seq, username, channel) WHERE case_id IS NULL;

-- +goose Down
DROP INDEX notifications_report_idx;
DELETE FROM notifications WHERE case_id IS NULL;
ALTER TABLE notifications DROP COLUMN report_period, ALTER COLUMN case_id SET NOT NULL;
DROP TABLE report_submissions;
DROP TABLE quarterly_report_versions;
DROP TABLE quarterly_reports;
