-- SPDX-License-Identifier: AGPL-3.0-only
-- Heads of the Glass Box anchored in Merkle batches: the batch's leaf at leaf_index is
-- AuditHeadLeaf(seq, hash), hash being the log's chained hash at entry seq (docs/formats.md).
-- At most one head per batch; a batch may hold nothing else (the periodic audit-only batch).
CREATE TABLE audit_heads (
    batch_id    bigint PRIMARY KEY REFERENCES batches (id),
    seq         bigint NOT NULL REFERENCES glass_box (seq),
    hash        bytea NOT NULL CHECK (length(hash) = 32),
    leaf        bytea NOT NULL CHECK (length(leaf) = 32),
    leaf_index  integer NOT NULL CHECK (leaf_index >= 0)
);
CREATE INDEX audit_heads_seq ON audit_heads (seq);
