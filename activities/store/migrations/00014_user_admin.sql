-- +goose Up
-- Users are managed in the console and the API: an administrator disables an account
-- (it signs in no more, and its sessions end) and changes a role, a unit or a password;
-- every change is kept in user_changes, who made it and when.
ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;
CREATE TABLE user_changes (
    id        bigserial PRIMARY KEY,
    username  text NOT NULL,
    change    text NOT NULL,
    detail    jsonb NOT NULL DEFAULT '{}',
    by_user   text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_changes_username_idx ON user_changes (username, at DESC);

-- +goose Down
DROP TABLE user_changes;
ALTER TABLE users DROP COLUMN disabled;
