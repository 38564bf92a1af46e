-- SPDX-License-Identifier: AGPL-3.0-only
-- The public schedule: every action is scheduled on chain (ActionSchedule) once its batch is
-- confirmed, and executes only after the notice, inside its validity window, unless members veto
-- it or a later version of its poll supersedes it. Times are the chain's (Unix seconds).
ALTER TABLE governance_actions DROP CONSTRAINT governance_actions_status_check;
ALTER TABLE governance_actions ADD CONSTRAINT governance_actions_status_check CHECK (status IN
    ('pending', 'scheduled', 'awaiting_consent', 'ready', 'submitted', 'executed', 'superseded', 'duplicate', 'expired', 'vetoed', 'failed'));
ALTER TABLE governance_actions
    ADD COLUMN schedule_tx      bytea,
    ADD COLUMN schedule_sent_at timestamptz,
    ADD COLUMN executable_at    bigint,
    ADD COLUMN expires_at       bigint;
