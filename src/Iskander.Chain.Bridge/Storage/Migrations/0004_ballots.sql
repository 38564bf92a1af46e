-- SPDX-License-Identifier: AGPL-3.0-only
-- Secret ballots the bridge coordinates: what the chain said (sign-ups, messages: reorg-safe, with
-- the follower's cursor), and what the coordinator decided and proved (salts, commitments, proofs),
-- so a coordinator stopped at any point resumes without redoing a finished proof. The coordinator's
-- private key and the circuit inputs that contain it are never stored.
CREATE TABLE ballots (
    id                 bigserial PRIMARY KEY,
    address            bytea NOT NULL UNIQUE CHECK (length(address) = 20),
    chain_id           bigint NOT NULL,
    deploy_block       bigint NOT NULL,
    title              text NOT NULL,
    poll_id            bigint NOT NULL,
    vote_options       integer NOT NULL,
    state_depth        integer NOT NULL,
    batch_size         integer NOT NULL,
    vote_option_depth  integer NOT NULL,
    credits            bigint NOT NULL,
    status             text NOT NULL CHECK (status IN ('collecting', 'proving', 'published', 'recorded')),
    results            text[],
    total_spent        text,
    tally_commitment   text,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ballot_signups (
    ballot_id     bigint NOT NULL REFERENCES ballots (id),
    state_index   integer NOT NULL,
    member        bytea NOT NULL,
    key_x         text NOT NULL,
    key_y         text NOT NULL,
    block_number  bigint NOT NULL,
    PRIMARY KEY (ballot_id, state_index)
);

CREATE TABLE ballot_messages (
    ballot_id       bigint NOT NULL REFERENCES ballots (id),
    message_index   integer NOT NULL,
    data            text[] NOT NULL CHECK (cardinality(data) = 10),
    key_x           text NOT NULL,
    key_y           text NOT NULL,
    block_number    bigint NOT NULL,
    PRIMARY KEY (ballot_id, message_index)
);

-- One row per proof: 'batch:<n>' (n counts from 1, proven last first) or 'tally'. The salt is chosen
-- and stored before proving, so a replay reaches the same commitment; the proof is stored before it
-- is sent; 'confirmed' once the contract holds its effect.
CREATE TABLE ballot_proofs (
    ballot_id       bigint NOT NULL REFERENCES ballots (id),
    step            text NOT NULL,
    salt            text NOT NULL,
    second_salt     text,
    commitment      text NOT NULL,
    proof           jsonb,
    status          text NOT NULL CHECK (status IN ('salted', 'proven', 'confirmed')),
    prove_seconds   double precision,
    tx_hash         bytea,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ballot_id, step)
);
