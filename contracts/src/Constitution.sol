// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {DecisionGated} from "./DecisionGated.sol";
import {IActionSchedule} from "./interfaces/IActionSchedule.sol";
import {GovernanceAction} from "./libraries/GovernanceAction.sol";

/// @title Constitution
/// @notice A cooperative's genesis record and its named governance parameters. The genesis is
///         fixed at deployment, and with it each parameter's valid range; parameters change only
///         through {amend}, which executes an `AMEND_PARAMETER` action of an anchored decision,
///         naming the parameter and a new value within its range, once the {ActionSchedule} has
///         let it through its notice period. Anyone may execute it (the decision is the
///         authority), each at most once, and never one older than the amendment already applied
///         to the same parameter. The schedule's own rules (`noticePeriod`, `actionValidity`,
///         `vetoQuorumBps`) are parameters here, so their valid ranges — the notice floor among
///         them — are fixed at genesis.
/// @dev Amendments of one parameter are ordered by (batch sequence, leaf index) of their action
///      leaves: a later batch is newer, and within a batch a later leaf is newer (the bridge lays
///      out a batch in the order it recorded the decisions, each decision's actions in the order
///      written). So the outcome does not depend on who executes which amendment first: executing
///      every anchored amendment leaves the newest value, and an older one is refused once a newer
///      one applied.
/// @dev Founding documents are committed to by the sha2-256 digests of their bytes (the content of
///      their CIDs), never by CID text.
contract Constitution is DecisionGated {
    /// @notice The genesis record.
    struct Genesis {
        string cooperativeName;
        bytes32[] foundingDocuments;
        bytes32 icaPrinciplesVersion;
        uint16 foundersCount;
        address identity;
        uint64 ratifiedAt;
    }

    /// @notice A named parameter: the action leaf (batch sequence and leaf index; both 0 at
    ///         genesis) that last set it, its value and its valid range. Packed: `exists` and the
    ///         leaf position share one slot.
    struct Parameter {
        bool exists;
        uint64 setByBatch;
        uint64 setByIndex;
        uint256 value;
        uint256 min;
        uint256 max;
    }

    /// @notice A parameter as the genesis defines it: name, initial value and valid range [min, max].
    struct ParameterSpec {
        bytes32 name;
        uint256 value;
        uint256 min;
        uint256 max;
    }

    Genesis private _genesis;
    mapping(bytes32 name => Parameter) private _parameters;
    bytes32[] private _parameterNames;

    /// @notice Emitted once, at deployment.
    event GenesisRatified(string cooperativeName, bytes32[] foundingDocuments, bytes32 icaPrinciplesVersion, uint16 foundersCount);
    /// @notice A parameter took its initial value and its valid range at genesis.
    event ParameterInitialised(bytes32 indexed name, uint256 value, uint256 min, uint256 max);
    /// @notice A parameter changed by an anchored decision.
    event Amended(bytes32 indexed name, uint256 previousValue, uint256 newValue, bytes32 indexed decisionLeaf, uint64 batchSequence);

    /// @notice The parameter does not exist (new parameters come with a new constitution).
    error UnknownParameter(bytes32 name);
    /// @notice The cited action leaf is not newer, by (batch, leaf index), than the one that set the parameter last.
    error StaleAmendment(bytes32 name, uint64 citedBatch, uint64 citedIndex, uint64 currentBatch, uint64 currentIndex);
    /// @notice `value` lies outside the valid range [`min`, `max`] of parameter `name`.
    error ValueOutOfRange(bytes32 name, uint256 value, uint256 min, uint256 max);
    /// @notice A parameter's range is empty (`min` > `max`).
    error InvalidRange(bytes32 name, uint256 min, uint256 max);
    /// @notice A parameter name appears twice.
    error DuplicateParameter(bytes32 name);

    /// @param genesis_ The genesis record (its `ratifiedAt` is set here).
    /// @param schedule_ The cooperative's ActionSchedule.
    /// @param parameters The parameters (e.g. "confirmations", "noticePeriod", "vetoQuorumBps")
    ///        with their initial values and valid ranges.
    constructor(Genesis memory genesis_, IActionSchedule schedule_, ParameterSpec[] memory parameters)
        DecisionGated(schedule_)
    {
        genesis_.ratifiedAt = uint64(block.timestamp);
        _genesis = genesis_;
        for (uint256 i = 0; i < parameters.length; i++) {
            ParameterSpec memory spec = parameters[i];
            if (_parameters[spec.name].exists) revert DuplicateParameter(spec.name);
            if (spec.min > spec.max) revert InvalidRange(spec.name, spec.min, spec.max);
            _requireInRange(spec.name, spec.value, spec.min, spec.max);
            _parameters[spec.name] = Parameter(true, 0, 0, spec.value, spec.min, spec.max);
            _parameterNames.push(spec.name);
            emit ParameterInitialised(spec.name, spec.value, spec.min, spec.max);
        }
        emit GenesisRatified(
            genesis_.cooperativeName, genesis_.foundingDocuments, genesis_.icaPrinciplesVersion, genesis_.foundersCount
        );
    }

    /// @notice Sets `name` to `value` as ordered by the decision record with `decisionDigest`, whose
    ///         scheduled action must be executable. Refused when `value` is outside the parameter's
    ///         range or the action's leaf is not newer than the one that set the parameter last.
    function amend(bytes32 name, uint256 value, bytes32 decisionDigest) external {
        Parameter storage current = _parameters[name];
        if (!current.exists) revert UnknownParameter(name);
        _requireInRange(name, value, current.min, current.max);
        (IActionSchedule.Action memory action, bytes32 leaf) =
            _consumeDecision(GovernanceAction.AMEND_PARAMETER, abi.encode(name, value), decisionDigest);
        uint64 batch = action.batchSequence;
        uint64 index = action.leafIndex;
        if (batch < current.setByBatch || (batch == current.setByBatch && index <= current.setByIndex)) {
            revert StaleAmendment(name, batch, index, current.setByBatch, current.setByIndex);
        }
        uint256 previous = current.value;
        current.value = value;
        current.setByBatch = batch;
        current.setByIndex = index;
        emit Amended(name, previous, value, leaf, batch);
    }

    /// @notice The value of parameter `name`.
    function parameter(bytes32 name) external view returns (uint256) {
        Parameter storage p = _parameters[name];
        if (!p.exists) revert UnknownParameter(name);
        return p.value;
    }

    /// @notice The full state of parameter `name`.
    function parameterRecord(bytes32 name) external view returns (Parameter memory) {
        return _parameters[name];
    }

    /// @notice All parameter names.
    function parameterNames() external view returns (bytes32[] memory) {
        return _parameterNames;
    }

    /// @notice The genesis record.
    function genesis() external view returns (Genesis memory) {
        return _genesis;
    }

    function _requireInRange(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ValueOutOfRange(name, value, min, max);
    }
}
