-- +goose Up
-- leads: the investment leads register (以商招商). A visit's investment leads become leads
-- when the visit is logged (its first enterprise and leader; visits logged before this
-- migration are carried over below); the member department or a leader adds others. Each
-- lead moves new → contacting → negotiating → signed → landed, or is dropped with a reason;
-- every follow-up (a note, a change of state) is kept in lead_follow_ups.
CREATE SEQUENCE lead_numbers;
CREATE TABLE leads (
    id                   text PRIMARY KEY DEFAULT 'LD-' || lpad(nextval('lead_numbers')::text, 6, '0'),
    enterprise_id        text NOT NULL REFERENCES enterprises (id),
    leader               text NOT NULL REFERENCES users (username),
    visit_id             text NOT NULL DEFAULT '',
    visit_item           integer NOT NULL DEFAULT 0,
    title                text NOT NULL,
    description          text NOT NULL DEFAULT '',
    industry_chain       text NOT NULL DEFAULT '',
    expected_amount_cny  numeric(16, 2),
    status               text NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'contacting', 'negotiating', 'signed', 'landed', 'dropped')),
    drop_reason          text NOT NULL DEFAULT '',
    created_by           text NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX leads_leader_idx ON leads (leader, created_at DESC);
CREATE INDEX leads_status_idx ON leads (status, created_at DESC);
-- a visit's lead once, however often the visit's writing is retried
CREATE UNIQUE INDEX leads_visit_item_idx ON leads (visit_id, visit_item) WHERE visit_id <> '';

CREATE TABLE lead_follow_ups (
    lead_id      text NOT NULL REFERENCES leads (id),
    seq          integer NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    by_user      text NOT NULL,
    status_from  text NOT NULL,
    status_to    text NOT NULL,
    note         text NOT NULL DEFAULT '',
    PRIMARY KEY (lead_id, seq)
);

INSERT INTO leads (enterprise_id, leader, visit_id, visit_item, title, description, industry_chain, created_by, created_at, updated_at)
    SELECT (SELECT ve.enterprise_id FROM visit_enterprises ve WHERE ve.visit_id = v.id ORDER BY ve.enterprise_id LIMIT 1),
           (SELECT vl.leader FROM visit_leaders vl WHERE vl.visit_id = v.id ORDER BY vl.leader LIMIT 1),
           v.id, l.ord, coalesce(l.item ->> 'title', ''), coalesce(l.item ->> 'description', ''),
           coalesce((SELECT e.industry_chain FROM visit_enterprises ve JOIN enterprises e ON e.id = ve.enterprise_id
                     WHERE ve.visit_id = v.id ORDER BY ve.enterprise_id LIMIT 1), ''),
           v.created_by, v.created_at, v.created_at
    FROM visits v CROSS JOIN jsonb_array_elements(v.investment_leads) WITH ORDINALITY AS l (item, ord)
    WHERE v.complete AND EXISTS (SELECT 1 FROM visit_enterprises ve WHERE ve.visit_id = v.id)
      AND EXISTS (SELECT 1 FROM visit_leaders vl WHERE vl.visit_id = v.id)
      AND coalesce(l.item ->> 'title', '') <> ''
    ORDER BY v.created_at, v.id, l.ord;

-- +goose Down
DROP TABLE lead_follow_ups;
DROP TABLE leads;
DROP SEQUENCE lead_numbers;
