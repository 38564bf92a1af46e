-- SPDX-License-Identifier: AGPL-3.0-only
-- Ballots are tallied in batches of 2^tally_batch_depth ballots (docs/ballots.md, "Tally in
-- batches"); each batch is its own proof step (`tally:<n>`). A ballot registered before tallies were
-- batched proved every ballot at once: one batch as deep as its state tree.
ALTER TABLE ballots ADD COLUMN tally_batch_depth integer;
UPDATE ballots SET tally_batch_depth = state_depth;
ALTER TABLE ballots ALTER COLUMN tally_batch_depth SET NOT NULL;
ALTER TABLE ballots ADD CONSTRAINT ballots_tally_batch_depth CHECK (tally_batch_depth BETWEEN 1 AND state_depth);
