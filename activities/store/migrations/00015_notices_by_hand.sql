-- +goose Up
-- The lead office urges a unit or issues a card by hand (催办, 督办牌 with its reasons): each
-- is a notice of its own, numbered from the same counter as the ladder's. The ladder's
-- notices stay one per case, deadline and card; a notice by hand is keyed by the action
-- that issued it (manual_key: a retried action gets the number it got the first time) and
-- keeps the office's note.
ALTER TABLE supervision_notices DROP CONSTRAINT supervision_notices_case_id_deadline_kind_deadline_card_key;
ALTER TABLE supervision_notices ADD COLUMN manual_key text;
ALTER TABLE supervision_notices ADD COLUMN note text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX supervision_notices_ladder_key ON supervision_notices (case_id, deadline_kind, deadline, card)
    WHERE manual_key IS NULL;
CREATE UNIQUE INDEX supervision_notices_manual_key ON supervision_notices (case_id, manual_key)
    WHERE manual_key IS NOT NULL;

-- +goose Down
DELETE FROM supervision_notices WHERE manual_key IS NOT NULL;
DROP INDEX supervision_notices_manual_key;
DROP INDEX supervision_notices_ladder_key;
ALTER TABLE supervision_notices DROP COLUMN note;
ALTER TABLE supervision_notices DROP COLUMN manual_key;
ALTER TABLE supervision_notices ADD CONSTRAINT supervision_notices_case_id_deadline_kind_deadline_card_key
    UNIQUE (case_id, deadline_kind, deadline, card);
