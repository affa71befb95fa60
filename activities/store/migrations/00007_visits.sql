-- +goose Up
-- visits: the visit log (走访日志). A visit's problems become cases; their numbers are
-- allocated with the visit, so that a retried request starts the same cases.
CREATE TABLE visit_counters (
    year  integer PRIMARY KEY,
    last  integer NOT NULL
);

CREATE TABLE visits (
    id          text PRIMARY KEY,
    date        date NOT NULL,
    method      text NOT NULL,
    topics      text[] NOT NULL,
    notes       text NOT NULL,
    investment_leads jsonb NOT NULL,
    problems    jsonb NOT NULL,
    case_ids    text[] NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX visits_date_idx ON visits (date DESC, id DESC);

CREATE TABLE visit_leaders (
    visit_id  text NOT NULL REFERENCES visits (id),
    leader    text NOT NULL REFERENCES users (username),
    PRIMARY KEY (visit_id, leader)
);
CREATE INDEX visit_leaders_leader_idx ON visit_leaders (leader);

CREATE TABLE visit_enterprises (
    visit_id       text NOT NULL REFERENCES visits (id),
    enterprise_id  text NOT NULL REFERENCES enterprises (id),
    PRIMARY KEY (visit_id, enterprise_id)
);
CREATE INDEX visit_enterprises_enterprise_idx ON visit_enterprises (enterprise_id);

-- visit_idempotency makes a retried POST /visits answer the visit the first one logged.
CREATE TABLE visit_idempotency (
    username    text NOT NULL,
    key         text NOT NULL,
    visit_id    text NOT NULL REFERENCES visits (id),
    request     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, key)
);

-- +goose Down
DROP TABLE visit_idempotency;
DROP TABLE visit_enterprises;
DROP TABLE visit_leaders;
DROP TABLE visits;
DROP TABLE visit_counters;
