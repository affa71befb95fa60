-- +goose Up
-- The to-do panel's counts and lists of open cases (the overdue, and those in handling due
-- within three working days: store.CaseFilter.Overdue and DueBy) take a case's id and
-- creation time from these indexes alone. Before, the overdue index held only the creation
-- time and the due-date index every case's date, so a unit's overdue count read the heap of
-- every overdue case to join them to the unit's (950 pages at 100,000 cases; a unit's home
-- page waited on it), and every write of a case of any status paid for a due-date entry.
-- Both hold only the cases they answer for now; their rows carry what a list orders by.
DROP INDEX cases_overdue_idx;
CREATE INDEX cases_overdue_idx ON cases (created_at DESC, id DESC) WHERE overdue;
DROP INDEX cases_due_date_idx;
CREATE INDEX cases_due_date_idx ON cases (due_date, created_at DESC, id DESC) WHERE status = 'handling';

-- +goose Down
DROP INDEX cases_due_date_idx;
CREATE INDEX cases_due_date_idx ON cases (due_date);
DROP INDEX cases_overdue_idx;
CREATE INDEX cases_overdue_idx ON cases (created_at DESC) WHERE overdue;
