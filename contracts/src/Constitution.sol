// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {DecisionGated} from "./DecisionGated.sol";
import {IDecisionAnchor, DecisionRef} from "./interfaces/IDecisionAnchor.sol";
import {GovernanceAction} from "./libraries/GovernanceAction.sol";

/// @title Constitution
/// @notice A cooperative's genesis record and its named governance parameters. The genesis is
///         fixed at deployment; parameters change only through {amend}, which must cite an anchored
///         `AMEND_PARAMETER` decision naming the parameter and the new value. Anyone may execute an
///         anchored amendment (the decision is the authority), each at most once, and never one
///         older than the amendment already applied to the same parameter.
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

    /// @notice A named parameter's value and the decision batch that last set it.
    struct Parameter {
        bool exists;
        uint256 value;
        uint64 setByBatch;
    }

    Genesis private _genesis;
    mapping(bytes32 name => Parameter) private _parameters;
    bytes32[] private _parameterNames;

    /// @notice Emitted once, at deployment.
    event GenesisRatified(string cooperativeName, bytes32[] foundingDocuments, bytes32 icaPrinciplesVersion, uint16 foundersCount);
    /// @notice A parameter took its initial value at genesis.
    event ParameterInitialised(bytes32 indexed name, uint256 value);
    /// @notice A parameter changed by an anchored decision.
    event Amended(bytes32 indexed name, uint256 previousValue, uint256 newValue, bytes32 indexed decisionLeaf, uint64 batchSequence);

    /// @notice The parameter does not exist (new parameters come with a new constitution).
    error UnknownParameter(bytes32 name);
    /// @notice The cited decision is older than (or the same batch as) the one that set the parameter last.
    error StaleAmendment(bytes32 name, uint64 citedBatch, uint64 currentBatch);
    /// @notice A parameter name appears twice, or names and values differ in number.
    error InvalidParameters();

    /// @param genesis_ The genesis record (its `ratifiedAt` is set here).
    /// @param anchor_ The cooperative's DecisionAnchor.
    /// @param names Parameter names (e.g. "confirmations", "maxPayRatioX100", "ballotQuorumBps").
    /// @param values Their initial values.
    constructor(Genesis memory genesis_, IDecisionAnchor anchor_, bytes32[] memory names, uint256[] memory values)
        DecisionGated(anchor_)
    {
        if (names.length != values.length) revert InvalidParameters();
        genesis_.ratifiedAt = uint64(block.timestamp);
        _genesis = genesis_;
        for (uint256 i = 0; i < names.length; i++) {
            if (_parameters[names[i]].exists) revert InvalidParameters();
            _parameters[names[i]] = Parameter(true, values[i], 0);
            _parameterNames.push(names[i]);
            emit ParameterInitialised(names[i], values[i]);
        }
        emit GenesisRatified(
            genesis_.cooperativeName, genesis_.foundingDocuments, genesis_.icaPrinciplesVersion, genesis_.foundersCount
        );
    }

    /// @notice Sets `name` to `value` as ordered by the anchored decision `decision` over the
    ///         record with `decisionDigest`.
    function amend(bytes32 name, uint256 value, bytes32 decisionDigest, DecisionRef calldata decision) external {
        Parameter storage current = _parameters[name];
        if (!current.exists) revert UnknownParameter(name);
        uint64 batch = _consumeDecision(GovernanceAction.AMEND_PARAMETER, abi.encode(name, value), decisionDigest, decision);
        if (batch <= current.setByBatch) revert StaleAmendment(name, batch, current.setByBatch);
        uint256 previous = current.value;
        current.value = value;
        current.setByBatch = batch;
        emit Amended(name, previous, value, decision.leaf, batch);
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
}
