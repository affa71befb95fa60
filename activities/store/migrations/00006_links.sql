-- +goose Up
-- leader_links: each leader's linked enterprises and chambers (挂钩联系), per year.
CREATE TABLE leader_links (
    leader        text NOT NULL REFERENCES users (username),
    year          integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    enterprise_id text NOT NULL REFERENCES enterprises (id),
    PRIMARY KEY (leader, year, enterprise_id)
);
CREATE INDEX leader_links_enterprise_idx ON leader_links (enterprise_id, year);

-- leader_link_changes: every change of a leader's links, who made it and when.
CREATE TABLE leader_link_changes (
    id          bigserial PRIMARY KEY,
    leader      text NOT NULL,
    year        integer NOT NULL,
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    added       text[] NOT NULL,
    removed     text[] NOT NULL
);
CREATE INDEX leader_link_changes_leader_idx ON leader_link_changes (leader, changed_at DESC);

-- +goose Down
DROP TABLE leader_link_changes;
DROP TABLE leader_links;
