-- +goose Up
-- rule_sets keeps every routing rule set ever uploaded; the highest version is active.
CREATE TABLE rule_sets (
    version      bigint PRIMARY KEY CHECK (version > 0),
    description  text NOT NULL DEFAULT '',
    source       text NOT NULL,
    rule_count   integer NOT NULL,
    uploaded_by  text NOT NULL,
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX cases_county_category_idx ON cases (category, created_at);

-- +goose Down
DROP INDEX cases_county_category_idx;
DROP TABLE rule_sets;
