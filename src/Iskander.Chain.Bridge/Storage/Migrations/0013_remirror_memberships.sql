-- SPDX-License-Identifier: AGPL-3.0-only
-- Until this version the membership mirror stored a token id that starts with zero bytes (one in 256:
-- ids are agreement hashes) shifted left instead of right-aligned. The mirror reads CoopIdentity's
-- events again from the deployment block, and each event it meets again rewrites its row's token id
-- (the insert's ON CONFLICT): rows are corrected in place, and no member is missing meanwhile (a
-- revocation decided during the re-read still finds the member's token).
DELETE FROM chain_cursors WHERE follower = 'membership';
