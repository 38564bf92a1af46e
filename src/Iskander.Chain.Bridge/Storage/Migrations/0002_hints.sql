-- SPDX-License-Identifier: AGPL-3.0-only
-- Loomio webhook deliveries, kept raw: they are hints that a group changed, never data.
CREATE TABLE hints (
    id           bigserial PRIMARY KEY,
    group_id     bigint NOT NULL,
    body         text NOT NULL,
    body_sha256  bytea NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hints_received ON hints (received_at);
