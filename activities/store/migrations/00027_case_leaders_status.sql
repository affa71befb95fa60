-- +goose Up
-- A leader's list of the cases they follow in one status (their cases in handling, the
-- home page's "我跟踪的在办") walked the leader's cases newest first and read each case's row
-- until a page's worth were in that status: 529 rows for 21 at 100,000 cases. As
-- case_units did in migration 00026, case_leaders now carries each case's status with an
-- index on (leader, case_status, at, case_id) and statistics of the two columns together.
ALTER TABLE case_leaders ADD COLUMN case_status text;
UPDATE case_leaders AS cl SET case_status = c.status FROM cases AS c WHERE c.id = cl.case_id;
ALTER TABLE case_leaders ALTER COLUMN case_status SET NOT NULL;
CREATE INDEX case_leaders_status_idx ON case_leaders (leader, case_status, at, case_id);
CREATE STATISTICS case_leaders_leader_status (mcv) ON leader, case_status FROM case_leaders;

-- One trigger keeps both lists' copies of a case's status: whatever changes the status
-- changes it in its units' and its leaders' rows, in the same statement. Whoever adds a
-- row writes the case's status with it (store.Project, store.SeedSynthetic).
DROP TRIGGER case_units_status ON cases;
DROP FUNCTION case_units_status();
-- +goose StatementBegin
CREATE FUNCTION case_lists_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE case_units SET case_status = NEW.status WHERE case_id = NEW.id AND case_status <> NEW.status;
    UPDATE case_leaders SET case_status = NEW.status WHERE case_id = NEW.id AND case_status <> NEW.status;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER case_lists_status AFTER UPDATE OF status ON cases
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION case_lists_status();
ANALYZE case_leaders;

-- +goose Down
DROP TRIGGER case_lists_status ON cases;
DROP FUNCTION case_lists_status();
-- +goose StatementBegin
CREATE FUNCTION case_units_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE case_units SET case_status = NEW.status WHERE case_id = NEW.id AND case_status <> NEW.status;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER case_units_status AFTER UPDATE OF status ON cases
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION case_units_status();
DROP STATISTICS case_leaders_leader_status;
DROP INDEX case_leaders_status_idx;
ALTER TABLE case_leaders DROP COLUMN case_status;
