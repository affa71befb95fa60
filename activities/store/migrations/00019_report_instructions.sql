-- +goose Up
-- The report goes to the city's leaders (报送), and their instructions come back (批示):
-- each sending of a quarter's report, and each instruction, numbered within the quarter.
-- An instruction can become cases: a case raised from one names it (cases.instruction_id),
-- so the instruction's cases are those that name it — one link, read both ways.
CREATE TABLE report_sendings (
    period       text NOT NULL,
    n            integer NOT NULL,
    recipients   text[] NOT NULL,
    sent_at      timestamptz NOT NULL,
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (period, n),
    UNIQUE (period, sent_at, recipients)
);

CREATE TABLE report_instructions (
    id           text PRIMARY KEY,
    period       text NOT NULL,
    n            integer NOT NULL,
    given_by     text NOT NULL,
    date         date NOT NULL,
    text         text NOT NULL,
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (period, n),
    UNIQUE (period, given_by, date, text)
);

ALTER TABLE cases ADD COLUMN instruction_id text NOT NULL DEFAULT '';
CREATE INDEX cases_instruction_idx ON cases (instruction_id) WHERE instruction_id <> '';

-- +goose Down
DROP INDEX cases_instruction_idx;
ALTER TABLE cases DROP COLUMN instruction_id;
DROP TABLE report_instructions;
DROP TABLE report_sendings;
