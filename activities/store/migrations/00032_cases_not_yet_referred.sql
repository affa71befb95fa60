-- +goose Up
-- The member department's list of a unit's cases (unit=: the unit leads the case or
-- co-handles it) reads the cases referred to the unit from the unit's own index
-- (case_units, newest first, as the unit's own list does) and the others — proposed to the
-- unit at triage, not referred yet — from this index (store.unitPage): it holds the units of
-- only those cases that name a unit not referred to (cases waiting for their referral: a
-- few hundred among 100,000), so that a unit's such cases are a few entries, found in any
-- order and sorted. Before, the list walked the newest cases checking each one's units, and
-- for a unit whose cases were old every case the unit ever had (cases_units_idx) was read
-- and sorted: 668 cases at 100,000, 1.6–2.7 ms a page. fastupdate is off: every read
-- of a GIN index reads its pending list whole, and this one is read by every such page.
CREATE INDEX cases_unreferred_units_idx ON cases USING gin ((ARRAY[lead_unit] || co_units))
    WITH (fastupdate = off) WHERE NOT ((ARRAY[lead_unit] || co_units) <@ (referred_units || ''::text));
ANALYZE cases;

-- +goose Down
DROP INDEX cases_unreferred_units_idx;
