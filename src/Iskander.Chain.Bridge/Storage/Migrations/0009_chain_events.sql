-- SPDX-License-Identifier: AGPL-3.0-only
-- Every event of the deployment's contracts on the canonical chain, decoded with their ABIs (rows
-- above a reorg's fork point are deleted and read again). Arguments are JSON: integers as decimal
-- strings (uint256 does not fit a JSON number), addresses, hashes and bytes as lower-case 0x hex,
-- tuples and arrays as arrays.
CREATE TABLE chain_events (
    block_number  bigint NOT NULL,
    log_index     integer NOT NULL,
    block_hash    bytea NOT NULL CHECK (length(block_hash) = 32),
    tx_hash       bytea NOT NULL CHECK (length(tx_hash) = 32),
    contract      text NOT NULL,
    address       bytea NOT NULL CHECK (length(address) = 20),
    event         text NOT NULL,
    args          jsonb NOT NULL,
    PRIMARY KEY (block_number, log_index)
);
CREATE INDEX chain_events_contract_event ON chain_events (contract, event, block_number, log_index);

-- Each escrow's current state, folded from its events in chain order. Cancelled is followed by
-- Releasing in the same transaction and Settled precedes the last Withdrawn, so the status is that of
-- the last event that changes it; what is still owed is what Releasing assigned minus what was withdrawn.
CREATE VIEW escrows AS
WITH events AS (
    SELECT address, (args->>'id')::numeric AS id, event, args, block_number, log_index
    FROM chain_events WHERE contract = 'InterCoopEscrow'
), proposed AS (
    SELECT address, id, args, block_number FROM events WHERE event = 'Proposed'
), status AS (
    SELECT DISTINCT ON (address, id) address, id,
        CASE event WHEN 'Proposed' THEN 'proposed' WHEN 'Accepted' THEN 'locked' WHEN 'Disputed' THEN 'disputed' WHEN 'Releasing' THEN 'releasing'
            ELSE CASE args->>'outcome' WHEN '5' THEN 'released' WHEN '6' THEN 'refunded' WHEN '7' THEN 'cancelled' ELSE 'settled' END END AS status
    FROM events WHERE event IN ('Proposed', 'Accepted', 'Disputed', 'Releasing', 'Settled')
    ORDER BY address, id, block_number DESC, log_index DESC
), disputed AS (
    SELECT DISTINCT ON (address, id) address, id, (args->>'deadline')::bigint AS deadline, args->>'by' AS disputed_by
    FROM events WHERE event = 'Disputed' ORDER BY address, id, block_number DESC, log_index DESC
), releasing AS (
    SELECT DISTINCT ON (address, id) address, id, (args->>'sellerAmount')::numeric AS seller_amount, (args->>'buyerAmount')::numeric AS buyer_amount
    FROM events WHERE event = 'Releasing' ORDER BY address, id, block_number DESC, log_index DESC
), withdrawn AS (
    SELECT address, id, args->>'to' AS recipient, sum((args->>'amount')::numeric) AS amount FROM events WHERE event = 'Withdrawn' GROUP BY 1, 2, 3
)
SELECT p.address, p.id, s.status, p.args->>'buyer' AS buyer, p.args->>'seller' AS seller, p.args->>'arbitrator' AS arbitrator,
    (p.args->>'amount')::numeric AS amount, p.args->>'termsDigest' AS terms_digest, p.block_number AS proposed_block,
    d.deadline AS dispute_deadline, d.disputed_by,
    r.seller_amount, r.buyer_amount,
    r.seller_amount - COALESCE(ws.amount, 0) AS seller_owed, r.buyer_amount - COALESCE(wb.amount, 0) AS buyer_owed
FROM proposed p
JOIN status s USING (address, id)
LEFT JOIN disputed d USING (address, id)
LEFT JOIN releasing r USING (address, id)
LEFT JOIN withdrawn ws ON ws.address = p.address AND ws.id = p.id AND ws.recipient = p.args->>'seller'
LEFT JOIN withdrawn wb ON wb.address = p.address AND wb.id = p.id AND wb.recipient = p.args->>'buyer';

-- Observations: what the bridge saw on chain that people should know of (an anchor it did not send,
-- an escrow deadline coming due, an action entering its notice). Each is recorded once per subject,
-- whatever restarts and reorg replays happen.
ALTER TABLE glass_box DROP CONSTRAINT glass_box_kind_check;
ALTER TABLE glass_box ADD CONSTRAINT glass_box_kind_check CHECK (kind IN ('intent', 'outcome', 'observation'));
CREATE UNIQUE INDEX glass_box_observed_once ON glass_box (action, subject) WHERE kind = 'observation';
