-- +goose Up
-- case_leaders: the leaders who follow a case (跟踪): the leader who raised it, every leader
-- who took part in the visit it came from (whoever logged it), and, for a common problem,
-- every leader following a case merged into it. A leader's lists walk their own rows newest
-- first, as a unit's walk case_units. The projection adds rows and never removes one: a
-- leader who once followed a case keeps following it. via says why (the first reason found).
CREATE TABLE case_leaders (
    leader   text NOT NULL,
    at       timestamptz NOT NULL,
    case_id  text NOT NULL REFERENCES cases (id),
    via      text NOT NULL CHECK (via IN ('raised', 'visit', 'merged')),
    PRIMARY KEY (leader, at, case_id)
);
CREATE UNIQUE INDEX case_leaders_case_idx ON case_leaders (case_id, leader);

INSERT INTO case_leaders (leader, at, case_id, via)
    SELECT c.created_by, c.created_at, c.id, 'raised'
    FROM cases c JOIN users u ON u.username = c.created_by AND u.role = 'leader';
INSERT INTO case_leaders (leader, at, case_id, via)
    SELECT vl.leader, c.created_at, c.id, 'visit'
    FROM cases c JOIN visit_leaders vl ON vl.visit_id = c.visit_id
    ON CONFLICT DO NOTHING;
INSERT INTO case_leaders (leader, at, case_id, via)
    SELECT cl.leader, p.created_at, p.id, 'merged'
    FROM cases p JOIN case_snapshots s ON s.id = p.id
        CROSS JOIN jsonb_array_elements_text(coalesce(s.snapshot -> 'children', '[]')) AS ch (id)
        JOIN case_leaders cl ON cl.case_id = ch.id
    ON CONFLICT DO NOTHING;

-- +goose Down
DROP TABLE case_leaders;
