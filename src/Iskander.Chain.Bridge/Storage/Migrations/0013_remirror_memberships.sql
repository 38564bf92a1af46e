-- SPDX-License-Identifier: AGPL-3.0-only
-- Until this version the membership mirror stored a token id that starts with zero bytes (one in 256:
-- ids are agreement hashes) shifted left instead of right-aligned. The mirror is only a copy of
-- CoopIdentity's events, so it is dropped and read again from the deployment block on the next round.
DELETE FROM membership_events;
DELETE FROM chain_cursors WHERE follower = 'membership';
