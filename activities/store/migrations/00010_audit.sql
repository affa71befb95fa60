-- +goose Up
-- The efficiency office's audit. audit_day_cases seals, for each day (Asia/Shanghai) and
-- each case with events that day, how many events there were and a digest of their hashes;
-- audit_days chains each day's digest (over its cases' digests) to the day before. A deleted
-- case, a truncated timeline or an event slipped into a sealed day no longer matches.
CREATE TABLE audit_day_cases (
    day      date NOT NULL,
    case_id  text NOT NULL,
    events   integer NOT NULL,
    last_seq integer NOT NULL,
    digest   text NOT NULL,
    PRIMARY KEY (day, case_id)
);
CREATE TABLE audit_days (
    day       date PRIMARY KEY,
    cases     integer NOT NULL,
    events    integer NOT NULL,
    prev      text NOT NULL,
    digest    text NOT NULL,
    sealed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_events_at_idx ON case_events (at);

-- Scoring schemes, versioned: YAML items whose points are CEL expressions.
CREATE TABLE audit_schemes (
    version    bigserial PRIMARY KEY,
    source     text NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Frozen periods: the figures, scores and scheme version as they stood when frozen.
CREATE TABLE audit_periods (
    period         text PRIMARY KEY,
    from_date      date NOT NULL,
    to_date        date NOT NULL,
    scheme_version bigint NOT NULL,
    figures        jsonb NOT NULL,
    frozen_by      text NOT NULL,
    frozen_at      timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE audit_periods;
DROP TABLE audit_schemes;
DROP INDEX case_events_at_idx;
DROP TABLE audit_days;
DROP TABLE audit_day_cases;
