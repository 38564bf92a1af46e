-- SPDX-License-Identifier: AGPL-3.0-only
-- Members can recover a stolen anchoring key; the actions of the batches they distrust are
-- cancelled on chain, and the bridge closes them as 'cancelled'.
ALTER TABLE governance_actions DROP CONSTRAINT governance_actions_status_check;
ALTER TABLE governance_actions ADD CONSTRAINT governance_actions_status_check CHECK (status IN
    ('pending', 'scheduled', 'awaiting_consent', 'ready', 'submitted', 'executed', 'superseded', 'duplicate', 'expired', 'vetoed', 'cancelled', 'failed'));
