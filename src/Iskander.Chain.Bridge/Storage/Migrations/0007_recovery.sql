-- SPDX-License-Identifier: AGPL-3.0-only
-- Members can recover a stolen anchoring key: the actions of the batches they distrust are
-- cancelled on chain, and the bridge closes them as 'cancelled'. A later version of a poll whose
-- earlier actions were anchored carries a 'supersede-versions' marker: once scheduled ('published')
-- it has superseded them on chain; nothing executes it. Decisions can replace the bridge's keys
-- ('set-anchorer', 'set-issuer'), with notice like any action.
ALTER TABLE governance_actions DROP CONSTRAINT governance_actions_status_check;
ALTER TABLE governance_actions ADD CONSTRAINT governance_actions_status_check CHECK (status IN
    ('pending', 'scheduled', 'awaiting_consent', 'ready', 'submitted', 'executed', 'published', 'superseded', 'duplicate', 'expired', 'vetoed', 'cancelled', 'failed'));
ALTER TABLE governance_actions DROP CONSTRAINT governance_actions_kind_check;
ALTER TABLE governance_actions ADD CONSTRAINT governance_actions_kind_check CHECK (kind IN
    ('admit-member', 'revoke-member', 'amend-parameter', 'set-anchorer', 'set-issuer', 'supersede-versions'));
