-- +goose Up
-- A visit is logged by its own workflow (workflows/visit.go): the workflow's first step
-- writes the visit under the workflow's id (request_id), then starts the visit's cases, and
-- its last step marks the visit complete. Until then the visit is not shown anywhere, so a
-- reader never sees a visit whose cases are still being started. Visits logged before are
-- complete.
ALTER TABLE visits ADD COLUMN request_id text UNIQUE;
ALTER TABLE visits ADD COLUMN complete boolean NOT NULL DEFAULT true;
ALTER TABLE visits ALTER COLUMN complete SET DEFAULT false;

-- +goose Down
ALTER TABLE visits DROP COLUMN complete;
ALTER TABLE visits DROP COLUMN request_id;
