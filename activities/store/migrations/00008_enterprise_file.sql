-- +goose Up
-- enterprise_plans: each enterprise's plan (一企一策), every version kept.
CREATE TABLE enterprise_plans (
    enterprise_id  text NOT NULL REFERENCES enterprises (id),
    version        integer NOT NULL CHECK (version > 0),
    measures       jsonb NOT NULL,
    updated_by     text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enterprise_id, version)
);

-- enterprise_contact_reads records every read of an enterprise's contacts, as
-- sensitive_reads does for cases.
CREATE TABLE enterprise_contact_reads (
    id             bigserial PRIMARY KEY,
    enterprise_id  text NOT NULL,
    username       text NOT NULL,
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprise_contact_reads_enterprise_idx ON enterprise_contact_reads (enterprise_id, at);

-- +goose Down
DROP TABLE enterprise_contact_reads;
DROP TABLE enterprise_plans;
