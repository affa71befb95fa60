-- +goose Up
-- The enterprise file kept up to date (PUT /enterprises/{id}): each enterprise's figures by
-- year (产值, 用工, 纳税) and its projects under construction (在建项目), a version counting
-- its edits, and every edit's changes (field, from, to) with who made it and when.
ALTER TABLE enterprises ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE enterprises ADD COLUMN operations jsonb NOT NULL DEFAULT '[]';
ALTER TABLE enterprises ADD COLUMN projects jsonb NOT NULL DEFAULT '[]';

CREATE TABLE enterprise_versions (
    enterprise_id  text NOT NULL REFERENCES enterprises (id),
    version        integer NOT NULL,
    changed_by     text NOT NULL,
    changed_at     timestamptz NOT NULL DEFAULT now(),
    changes        jsonb NOT NULL,
    PRIMARY KEY (enterprise_id, version)
);

-- +goose Down
DROP TABLE enterprise_versions;
ALTER TABLE enterprises DROP COLUMN projects;
ALTER TABLE enterprises DROP COLUMN operations;
ALTER TABLE enterprises DROP COLUMN version;
