-- +goose Up
CREATE TABLE units (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('county', 'admin_committee', 'department', 'office', 'federation')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE enterprises (
    id             text PRIMARY KEY,
    name           text NOT NULL,
    county         text NOT NULL REFERENCES units (id),
    industry_chain text NOT NULL DEFAULT '',
    member_kind    text NOT NULL DEFAULT '',
    size           text NOT NULL DEFAULT '',
    is_key         boolean NOT NULL DEFAULT false,
    contact_name   text NOT NULL DEFAULT '',
    contact_phone  text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    display_name  text NOT NULL DEFAULT '',
    role          text NOT NULL CHECK (role IN ('leader', 'member_dept', 'supervision', 'unit', 'efficiency', 'admin')),
    unit_id       text REFERENCES units (id),
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    token_hash  bytea PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- case_counters hands out the yearly case numbers (PT-2026-000001).
CREATE TABLE case_counters (
    year  integer PRIMARY KEY,
    last  integer NOT NULL
);

-- idempotency_keys makes a retried POST /cases return the case the first attempt created.
CREATE TABLE idempotency_keys (
    username    text NOT NULL,
    key         text NOT NULL,
    case_id     text NOT NULL,
    request     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, key)
);

-- cases is the read model of every case, written only by the case workflow's activities.
CREATE TABLE cases (
    id            text PRIMARY KEY,
    status        text NOT NULL,
    title         text NOT NULL,
    description   text NOT NULL,
    category      text NOT NULL,
    list          text NOT NULL,
    scope         text NOT NULL DEFAULT '',
    enterprise_id text NOT NULL REFERENCES enterprises (id),
    visit_id      text NOT NULL DEFAULT '',
    amount_cny    numeric(16, 2),
    sensitive     boolean NOT NULL DEFAULT false,
    office        text NOT NULL DEFAULT '',
    lead_unit     text NOT NULL DEFAULT '',
    co_units      text[] NOT NULL DEFAULT '{}',
    due_date      date,
    outcome       text NOT NULL DEFAULT '',
    created_by    text NOT NULL,
    last_seq      integer NOT NULL,
    snapshot      jsonb NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE INDEX cases_status_idx ON cases (status, created_at DESC);
CREATE INDEX cases_category_idx ON cases (category, created_at DESC);
CREATE INDEX cases_lead_unit_idx ON cases (lead_unit, created_at DESC);
CREATE INDEX cases_co_units_idx ON cases USING gin (co_units);
CREATE INDEX cases_office_idx ON cases (office, created_at DESC);
CREATE INDEX cases_enterprise_idx ON cases (enterprise_id, created_at DESC);
CREATE INDEX cases_created_by_idx ON cases (created_by, created_at DESC);
CREATE INDEX cases_created_at_idx ON cases (created_at DESC);

-- case_events is each case's timeline. Rows are chained by hash so that an edit or a
-- deletion anywhere breaks every later hash: the efficiency office can verify a timeline.
CREATE TABLE case_events (
    case_id     text NOT NULL REFERENCES cases (id),
    seq         integer NOT NULL CHECK (seq > 0),
    type        text NOT NULL,
    at          timestamptz NOT NULL,
    actor_username text NOT NULL,
    actor_role  text NOT NULL,
    actor_unit  text NOT NULL DEFAULT '',
    data        jsonb NOT NULL,
    prev_hash   text NOT NULL,
    hash        text NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE INDEX case_events_type_idx ON case_events (type, at);

-- sensitive_reads records every read of a case's sensitive fields (DESIGN.md, Security).
CREATE TABLE sensitive_reads (
    id          bigserial PRIMARY KEY,
    case_id     text NOT NULL,
    username    text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sensitive_reads_case_idx ON sensitive_reads (case_id, at);

-- +goose Down
DROP TABLE sensitive_reads;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE idempotency_keys;
DROP TABLE case_counters;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE enterprises;
DROP TABLE units;
