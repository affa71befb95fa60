-- +goose Up
-- pending: what a case waits for beside its status (domain.Case.Pending): "sign:<unit>" for
-- each unit referred to and not signed for yet, "extension" for an extension request to
-- decide, "callback" for a completion to call back, "close" for a callback to close out.
-- The projection writes it; the console's to-do counts and lists are one indexed query each.
ALTER TABLE cases ADD COLUMN pending text[] NOT NULL DEFAULT '{}';
UPDATE cases AS c SET pending = p.pending FROM (
    SELECT c.id, ARRAY(
        SELECT 'sign:' || u FROM unnest(array_prepend(c.lead_unit, c.co_units)) AS u
        WHERE c.status = 'handling' AND u <> '' AND NOT coalesce(s.snapshot->'signed_units', '[]'::jsonb) ? u)
        || CASE WHEN c.status = 'handling' AND s.snapshot->'extension'->>'status' = 'pending' THEN ARRAY['extension'] ELSE '{}' END
        || CASE WHEN c.status = 'follow_up' THEN
                CASE WHEN coalesce(jsonb_typeof(s.snapshot->'callback'), 'null') = 'null' THEN ARRAY['callback'] ELSE ARRAY['close'] END
           ELSE '{}' END AS pending
    FROM cases AS c JOIN case_snapshots AS s USING (id)
    WHERE c.status IN ('handling', 'follow_up')
) AS p WHERE p.id = c.id;
CREATE INDEX cases_pending_idx ON cases USING gin (pending);
CREATE INDEX cases_due_date_idx ON cases (due_date);

-- +goose Down
DROP INDEX cases_due_date_idx;
DROP INDEX cases_pending_idx;
ALTER TABLE cases DROP COLUMN pending;
