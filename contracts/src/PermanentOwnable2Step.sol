// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

/// @title PermanentOwnable2Step
/// @notice Two-step ownership that can be handed on but never renounced: the owner is the only
///         one who can replace an operational key (anchorer, issuer), so an ownerless contract
///         would freeze a lost or compromised key in place for ever.
abstract contract PermanentOwnable2Step is Ownable2Step {
    /// @notice Ownership can only be transferred, never renounced.
    error OwnershipCannotBeRenounced();

    /// @notice Always reverts (for the owner with {OwnershipCannotBeRenounced}, for anyone else
    ///         as {Ownable-onlyOwner} does).
    function renounceOwnership() public view override onlyOwner {
        revert OwnershipCannotBeRenounced();
    }
}
