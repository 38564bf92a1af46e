-- SPDX-License-Identifier: AGPL-3.0-only
-- Decision versions and the anchoring pipeline. PostgreSQL is the only state: every step reads its
-- work from here and records its result here, so a crash anywhere resumes where it stopped.

-- Append-only audit log: every write the bridge makes is announced here first (intent), then its
-- result is appended (outcome). Each entry's hash covers the previous entry's hash.
CREATE TABLE glass_box (
    seq         bigint PRIMARY KEY,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    kind        text NOT NULL CHECK (kind IN ('intent', 'outcome')),
    action      text NOT NULL,
    subject     text NOT NULL,
    detail      jsonb NOT NULL,
    intent_seq  bigint REFERENCES glass_box (seq),
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL UNIQUE
);

CREATE FUNCTION glass_box_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'glass_box is append-only';
END $$;
CREATE TRIGGER glass_box_no_update BEFORE UPDATE OR DELETE ON glass_box
    FOR EACH ROW EXECUTE FUNCTION glass_box_is_append_only();

-- What the reconciler last saw of each poll.
CREATE TABLE polls (
    instance     text NOT NULL,
    poll_id      bigint NOT NULL,
    poll_key     text NOT NULL,
    group_id     bigint,
    fingerprint  text NOT NULL,
    seen_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance, poll_id)
);

-- Merkle batches of decision leaves and their life on chain.
CREATE TABLE batches (
    id            bigserial PRIMARY KEY,
    root          bytea NOT NULL UNIQUE CHECK (length(root) = 32),
    leaf_count    integer NOT NULL CHECK (leaf_count > 0),
    status        text NOT NULL CHECK (status IN ('closed', 'submitted', 'confirmed')),
    tx_hash       bytea,
    tx_nonce      bigint,
    block_number  bigint,
    block_hash    bytea,
    sequence      bigint,
    created_at    timestamptz NOT NULL DEFAULT now(),
    submitted_at  timestamptz,
    confirmed_at  timestamptz
);

-- Decision versions: recorded → stored → batched → (batch submitted → confirmed).
CREATE TABLE decision_versions (
    id           bigserial PRIMARY KEY,
    instance     text NOT NULL,
    poll_id      bigint NOT NULL,
    poll_key     text NOT NULL,
    version      integer NOT NULL CHECK (version > 0),
    state        text NOT NULL,
    fingerprint  text NOT NULL,
    record       bytea NOT NULL,
    sha256       bytea NOT NULL CHECK (length(sha256) = 32),
    raw_json     text NOT NULL,
    outcome_id   bigint,
    outcome_versions integer,
    status       text NOT NULL CHECK (status IN ('recorded', 'stored', 'batched')),
    cid          text,
    leaf         bytea CHECK (leaf IS NULL OR length(leaf) = 32),
    batch_id     bigint REFERENCES batches (id),
    leaf_index   integer,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    stored_at    timestamptz,
    UNIQUE (instance, poll_id, version),
    UNIQUE (sha256),
    UNIQUE (batch_id, leaf_index)
);
CREATE INDEX decision_versions_status ON decision_versions (status, id);
CREATE INDEX decision_versions_poll_key ON decision_versions (poll_key);
CREATE INDEX batches_status ON batches (status, id);
