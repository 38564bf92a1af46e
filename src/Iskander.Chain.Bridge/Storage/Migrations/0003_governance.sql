-- SPDX-License-Identifier: AGPL-3.0-only
-- Governance actions ordered by decisions (docs/formats.md, "Action blocks"), and the membership
-- mirrored from CoopIdentity's events.

-- Why a version's action block was void or ignored (NULL: no block, or every action accepted).
ALTER TABLE decision_versions ADD COLUMN actions_note text;

-- One row per action of a decision version:
-- pending → (anchored with its version, batch confirmed) → awaiting_consent (admissions) → ready
-- → submitted → executed; or superseded (a later version of the poll), duplicate (executed under an
-- earlier version), expired (no consent in time), failed (the contract or the mirror refused it).
CREATE TABLE governance_actions (
    id                bigserial PRIMARY KEY,
    version_id        bigint NOT NULL REFERENCES decision_versions (id),
    position          integer NOT NULL,
    kind              text NOT NULL CHECK (kind IN ('admit-member', 'revoke-member', 'amend-parameter')),
    action_key        text NOT NULL,
    spec              jsonb NOT NULL,
    status            text NOT NULL CHECK (status IN ('pending', 'awaiting_consent', 'ready', 'submitted', 'executed', 'superseded', 'duplicate', 'expired', 'failed')),
    reason            text,
    target            bytea CHECK (target IS NULL OR length(target) = 20),
    params            bytea,
    leaf              bytea CHECK (leaf IS NULL OR length(leaf) = 32),
    batch_id          bigint REFERENCES batches (id),
    leaf_index        integer,
    metadata          bytea,
    consent           bytea,
    consent_deadline  timestamptz,
    tx_hash           bytea,
    submitted_at      timestamptz,
    executed_block    bigint,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (version_id, position)
);
CREATE INDEX governance_actions_status ON governance_actions (status, id);
CREATE INDEX governance_actions_leaf ON governance_actions (leaf);

-- Blocks a chain follower processed (per follower), so a restart resumes and still sees reorgs.
CREATE TABLE chain_cursors (
    follower     text NOT NULL,
    number       bigint NOT NULL,
    hash         bytea NOT NULL,
    parent_hash  bytea NOT NULL,
    PRIMARY KEY (follower, number)
);

-- CoopIdentity's Admitted / Revoked / Left events on the canonical chain (rows above a reorg's
-- fork point are deleted and read again).
CREATE TABLE membership_events (
    block_number  bigint NOT NULL,
    log_index     integer NOT NULL,
    block_hash    bytea NOT NULL,
    tx_hash       bytea NOT NULL,
    event         text NOT NULL CHECK (event IN ('admitted', 'revoked', 'left')),
    token_id      bytea NOT NULL CHECK (length(token_id) = 32),
    member        bytea NOT NULL CHECK (length(member) = 20),
    role          bytea,
    leaf          bytea,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX membership_events_member ON membership_events (member);
CREATE INDEX membership_events_token ON membership_events (token_id);
