-- SPDX-License-Identifier: AGPL-3.0-only
-- The one deployment this database records anchors for, bound on first use and checked at every
-- start: a database used with another chain or other contracts would report anchors the chain does
-- not hold. The block hash at the deployment block tells a chain apart from a fresh one that reuses
-- the same chain id and addresses (a reset development chain).
CREATE TABLE deployment (
    singleton          boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    chain_id           numeric(20) NOT NULL,
    deploy_block       bigint NOT NULL,
    deploy_block_hash  bytea NOT NULL CHECK (length(deploy_block_hash) = 32),
    contracts          jsonb NOT NULL,
    bound_at           timestamptz NOT NULL DEFAULT now()
);
