-- SPDX-License-Identifier: AGPL-3.0-only
-- Whether a decision version may be served to anyone: true when its Loomio group was public (visible
-- to the public, public threads only) when the version was recorded. Versions recorded before this
-- column existed, ballot results and versions of groups that do not say are private: the gateway,
-- the API and evidence bundles serve them to members only, unless the cooperative makes every
-- record public. Only the hash of a private record is public (on chain).
ALTER TABLE decision_versions ADD COLUMN public boolean NOT NULL DEFAULT false;
