-- +goose Up
-- Routing reads, at every intake and on the page of every case in triage, how many cases
-- an enterprise has of each category (open and closed) and how many a county has of one
-- category this quarter (store.CaseHistoryFor). Counted from the cases' indexes, that read
-- grew with the enterprise: 4 ms at 8,500 cases, over 100 ms at a million cases in all
-- (a case's page in triage at p99 163 ms). case_counts keeps the counts by enterprise,
-- category and quarter, changed by the same statements that change the cases, so that the
-- read is a few rows whatever the number of cases.

-- case_quarter: the start of the quarter (Asia/Shanghai) that t falls in, as
-- domain.QuarterStart computes it.
-- +goose StatementBegin
CREATE FUNCTION case_quarter(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT date_trunc('quarter', t AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
$$;
-- +goose StatementEnd

CREATE TABLE case_counts (
    enterprise_id text NOT NULL,
    category      text NOT NULL,
    quarter       timestamptz NOT NULL, -- case_quarter(created_at) of the cases counted
    open          bigint NOT NULL,      -- status other than closed
    closed        bigint NOT NULL,
    PRIMARY KEY (enterprise_id, category, quarter)
);

-- Cases written: one statement's cases counted at once (a COPY of thousands is one
-- upsert), in key order, so that two statements take the rows they share in the same order
-- and never wait on each other in a circle. A transaction that writes many cases in many
-- statements and counts them itself once they are all written (store.SeedSynthetic: its
-- shares would otherwise hold the rows they counted until each commits, minutes, and
-- could wait on each other) says so with SET LOCAL caseflow.cases_counted_later = 'on'.
-- +goose StatementBegin
CREATE FUNCTION case_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('caseflow.cases_counted_later', true) = 'on' THEN
        RETURN NULL;
    END IF;
    INSERT INTO case_counts AS k (enterprise_id, category, quarter, open, closed)
    SELECT enterprise_id, category, case_quarter(created_at),
           count(*) FILTER (WHERE status <> 'closed'), count(*) FILTER (WHERE status = 'closed')
    FROM added GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (enterprise_id, category, quarter)
    DO UPDATE SET open = k.open + EXCLUDED.open, closed = k.closed + EXCLUDED.closed;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER case_counts_add AFTER INSERT ON cases
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION case_counts_add();

-- A case that closes, reopens or changes category moves from one count to another: taken
-- from the old, added to the new, in one statement in key order. Its other changes (every
-- action changes its status) are left alone by the trigger's WHEN, before any function runs.
-- A deleted case is taken off.
-- +goose StatementBegin
CREATE FUNCTION case_counts_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_counts AS k (enterprise_id, category, quarter, open, closed)
    SELECT enterprise_id, category, quarter, sum(open), sum(closed) FROM (
        SELECT OLD.enterprise_id, OLD.category, case_quarter(OLD.created_at),
               -(OLD.status <> 'closed')::int, -(OLD.status = 'closed')::int
        WHERE TG_OP IN ('UPDATE', 'DELETE')
        UNION ALL
        SELECT NEW.enterprise_id, NEW.category, case_quarter(NEW.created_at),
               (NEW.status <> 'closed')::int, (NEW.status = 'closed')::int
        WHERE TG_OP = 'UPDATE'
    ) AS d (enterprise_id, category, quarter, open, closed)
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 -- a case reopened in its own count is one row
    ON CONFLICT (enterprise_id, category, quarter)
    DO UPDATE SET open = k.open + EXCLUDED.open, closed = k.closed + EXCLUDED.closed;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER case_counts_move AFTER UPDATE OF status, category, enterprise_id, created_at ON cases
    FOR EACH ROW
    WHEN ((OLD.status = 'closed') IS DISTINCT FROM (NEW.status = 'closed') OR OLD.category IS DISTINCT FROM NEW.category
          OR OLD.enterprise_id IS DISTINCT FROM NEW.enterprise_id OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION case_counts_move();
CREATE TRIGGER case_counts_delete AFTER DELETE ON cases
    FOR EACH ROW EXECUTE FUNCTION case_counts_move();

INSERT INTO case_counts (enterprise_id, category, quarter, open, closed)
SELECT enterprise_id, category, case_quarter(created_at),
       count(*) FILTER (WHERE status <> 'closed'), count(*) FILTER (WHERE status = 'closed')
FROM cases GROUP BY 1, 2, 3;

-- +goose Down
DROP TRIGGER case_counts_delete ON cases;
DROP TRIGGER case_counts_move ON cases;
DROP TRIGGER case_counts_add ON cases;
DROP FUNCTION case_counts_move();
DROP FUNCTION case_counts_add();
DROP TABLE case_counts;
DROP FUNCTION case_quarter(timestamptz);
