-- +goose Up
-- calendar_years: a year's holidays and make-up working days as an administrator entered
-- them (a State Council notice); they replace the built-in statutory data for that year.
CREATE TABLE calendar_years (
    year        integer PRIMARY KEY,
    holidays    text[] NOT NULL,
    workdays    text[] NOT NULL,
    updated_by  text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- How each user wants to be told (per user: e-mail and/or webhook).
ALTER TABLE users
    ADD COLUMN email          text NOT NULL DEFAULT '',
    ADD COLUMN webhook_url    text NOT NULL DEFAULT '',
    ADD COLUMN notify_email   boolean NOT NULL DEFAULT false,
    ADD COLUMN notify_webhook boolean NOT NULL DEFAULT false;

ALTER TABLE cases
    ADD COLUMN overdue boolean NOT NULL DEFAULT false,
    ADD COLUMN card    text NOT NULL DEFAULT 'none';
CREATE INDEX cases_overdue_idx ON cases (created_at DESC) WHERE overdue;
CREATE INDEX cases_card_idx ON cases (card, created_at DESC);

-- supervision_notices: the numbered supervision notices (督办单, DB-2026-0001), one per case,
-- deadline and card.
CREATE TABLE notice_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL
);
CREATE TABLE supervision_notices (
    no            text PRIMARY KEY,
    case_id       text NOT NULL REFERENCES cases (id),
    deadline_kind text NOT NULL,
    deadline      text NOT NULL,
    card          text NOT NULL,
    unit          text NOT NULL DEFAULT '',
    office        text NOT NULL DEFAULT '',
    issued_at     timestamptz NOT NULL,
    UNIQUE (case_id, deadline_kind, deadline, card)
);
CREATE INDEX supervision_notices_issued_idx ON supervision_notices (issued_at DESC);

-- notifications: the outbox, written in the transaction that writes the event; delivered
-- by an activity with retries.
CREATE TABLE notifications (
    id           bigserial PRIMARY KEY,
    case_id      text NOT NULL REFERENCES cases (id),
    seq          integer NOT NULL,
    event_type   text NOT NULL,
    username     text NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('email', 'webhook')),
    address      text NOT NULL,
    payload      jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz,
    UNIQUE (case_id, seq, username, channel)
);
CREATE INDEX notifications_pending_idx ON notifications (case_id, seq) WHERE status = 'pending';

-- +goose Down
DROP TABLE notifications;
DROP TABLE supervision_notices;
DROP TABLE notice_counters;
DROP INDEX cases_card_idx;
DROP INDEX cases_overdue_idx;
ALTER TABLE cases DROP COLUMN card, DROP COLUMN overdue;
ALTER TABLE users DROP COLUMN notify_webhook, DROP COLUMN notify_email, DROP COLUMN webhook_url, DROP COLUMN email;
DROP TABLE calendar_years;
