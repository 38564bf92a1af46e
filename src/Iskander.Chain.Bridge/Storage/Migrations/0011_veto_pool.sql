-- SPDX-License-Identifier: AGPL-3.0-only
-- Members' veto signatures collected by the bridge for the members' page (docs/formats.md, "Veto
-- signature and veto pool"): one per signer and action, accepted only when it recovers to a current
-- member over the veto digest. Not trusted by anyone who submits them: the schedule checks them again.
CREATE TABLE veto_signatures (
    action_id   bytea NOT NULL CHECK (length(action_id) = 32),
    signer      bytea NOT NULL CHECK (length(signer) = 20),
    signature   bytea NOT NULL CHECK (length(signature) = 65),
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (action_id, signer)
);
