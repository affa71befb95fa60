-- +goose Up
-- login_throttle counts recent failed logins per username ('user:<name>') and per client
-- address ('addr:<ip>'); past a threshold, logins are refused until locked_until.
CREATE TABLE login_throttle (
    key           text PRIMARY KEY,
    failures      integer NOT NULL,
    last_failure  timestamptz NOT NULL,
    locked_until  timestamptz
);

-- login_attempts records every login attempt: who, from where, and what came of it.
CREATE TABLE login_attempts (
    id          bigserial PRIMARY KEY,
    username    text NOT NULL,
    client_addr text NOT NULL,
    outcome     text NOT NULL CHECK (outcome IN ('ok', 'failed', 'throttled')),
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_attempts_username_idx ON login_attempts (username, at DESC);

-- referred_units: every unit a case has been referred to; a unit sees the case from its
-- referral on. Cases recorded before: the units assigned once they left triage/referral.
ALTER TABLE cases ADD COLUMN referred_units text[] NOT NULL DEFAULT '{}';
UPDATE cases SET referred_units = array_prepend(lead_unit, co_units)
    WHERE lead_unit <> '' AND status NOT IN ('triage', 'referral');
CREATE INDEX cases_referred_units_idx ON cases USING gin (referred_units);

-- +goose Down
DROP INDEX cases_referred_units_idx;
ALTER TABLE cases DROP COLUMN referred_units;
DROP TABLE login_attempts;
DROP TABLE login_throttle;
