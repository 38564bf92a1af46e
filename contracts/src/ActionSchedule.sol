// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Constitution} from "./Constitution.sol";
import {CoopIdentity} from "./CoopIdentity.sol";
import {IActionSchedule} from "./interfaces/IActionSchedule.sol";
import {IDecisionAnchor, DecisionRef} from "./interfaces/IDecisionAnchor.sol";
import {GovernanceAction} from "./libraries/GovernanceAction.sol";

/// @title ActionSchedule
/// @notice The cooperative's public schedule: the anchoring key can only *propose* what an anchored
///         decision orders; members see every proposal and can stop it in time.
///         1. Anyone schedules an action by proving its leaf is in a batch anchored at
///            {decisionAnchor}; the {ActionScheduled} event publishes the whole action.
///         2. It becomes executable after the Constitution's `noticePeriod` (seconds), and stays so
///            for `actionValidity` seconds; after that it is expired for ever.
///         3. Until it executes, a quorum of current members (`vetoQuorumBps` of the member count,
///            at least one) can veto it with EIP-712 signatures submitted by anyone in one
///            transaction. A vetoed action never runs.
///         4. Actions carry their poll and its version: scheduling a later version supersedes every
///            action of earlier versions, and an earlier version cannot be scheduled any more.
///         5. The anchoring key is replaced either by a decision (a scheduled `SET_ANCHORER` action,
///            executed with {replaceAnchorer}) or at once by a member quorum ({recover},
///            `recoveryQuorumBps`), which also cancels every pending action from the batches it
///            distrusts. Batches anchored by a replaced key can no longer schedule anything.
///         The governed contracts ({DecisionGated}) execute an action only through {consume}.
/// @dev The Constitution and CoopIdentity are deployed after this contract (they name it), so the
///      deployer binds them once with {bind}; nothing can be scheduled before. The notice floor is
///      the lower bound of the Constitution's `noticePeriod` range, which no amendment can move;
///      {bind} refuses a floor under {NOTICE_FLOOR} except on a local development chain.
contract ActionSchedule is IActionSchedule, EIP712 {
    /// @notice The least notice a cooperative on a public chain can give.
    uint64 public constant NOTICE_FLOOR = 48 hours;
    /// @notice The chain id of local development chains (anvil, Hardhat), where a shorter floor is allowed.
    uint256 public constant DEV_CHAIN_ID = 31337;
    /// @notice EIP-712 type of a member's veto of one action.
    bytes32 public constant VETO_TYPEHASH = keccak256("Veto(bytes32 action)");
    /// @notice EIP-712 type of a member's consent to replace the anchoring key, distrusting every
    ///         batch from sequence `distrustFrom` on; `nonce` is {recoveryNonce}, so a consent counts once.
    bytes32 public constant RECOVER_TYPEHASH = keccak256("Recover(address newAnchorer,uint64 distrustFrom,uint64 nonce)");

    bytes32 private constant NOTICE_PERIOD = "noticePeriod";
    bytes32 private constant ACTION_VALIDITY = "actionValidity";
    bytes32 private constant VETO_QUORUM_BPS = "vetoQuorumBps";
    bytes32 private constant RECOVERY_QUORUM_BPS = "recoveryQuorumBps";
    /// @notice The least share of the members (basis points) a recovery needs: a majority.
    uint256 public constant RECOVERY_QUORUM_FLOOR_BPS = 5_001;

    /// @notice The anchor whose batches authorise scheduling.
    IDecisionAnchor public immutable decisionAnchor;
    address private immutable _binder;

    /// @notice Whose tokens make a member (for vetoes); set once by {bind}.
    CoopIdentity public identity;
    /// @notice Where the notice period, validity and veto quorum are held; set once by {bind}.
    Constitution public constitution;

    mapping(bytes32 actionId => Action) private _actions;
    /// @notice The latest version of each poll that scheduled an action.
    mapping(bytes32 poll => uint64) public latestVersion;
    /// @notice How many recoveries happened; a recovery consent names the next one.
    uint64 public recoveryNonce;

    /// @notice Batch sequences `from`..`to` (inclusive) that a recovery distrusted.
    struct DistrustedBatches {
        uint64 from;
        uint64 to;
    }

    DistrustedBatches[] private _distrusted;

    /// @notice An action was scheduled; everything needed to check it against its decision record.
    event ActionScheduled(
        bytes32 indexed actionId,
        bytes32 indexed poll,
        address indexed target,
        uint64 version,
        bytes32 kind,
        bytes params,
        bytes32 decisionDigest,
        bytes32 leaf,
        Action action
    );
    /// @notice Version `version` of `poll` was scheduled: actions of earlier versions are superseded.
    event PollSuperseded(bytes32 indexed poll, uint64 previousVersion, uint64 version);
    /// @notice Members vetoed the action; it can never run.
    event ActionVetoed(bytes32 indexed actionId, address[] signers);
    /// @notice The action was executed by `target`.
    event ActionExecuted(bytes32 indexed actionId, address indexed target);
    /// @notice The governed contracts were bound.
    event Bound(address identity, address constitution);
    /// @notice A member quorum replaced the anchoring key and cancelled the pending actions of
    ///         batches `distrustFrom`..`distrustTo` (none when `distrustFrom` > `distrustTo`).
    event AnchorerRecovered(address indexed newAnchorer, uint64 distrustFrom, uint64 distrustTo, address[] signers);

    error NotBinder(address caller);
    error AlreadyBound();
    error NotBound();
    /// @notice The contract does not belong to this schedule (or to the cooperative's identity).
    error BindingMismatch(address contractAddress);
    /// @notice The Constitution lacks a parameter the schedule needs.
    error MissingParameter(bytes32 name);
    /// @notice The Constitution's notice floor is below {NOTICE_FLOOR} on a public chain.
    error NoticeFloorTooLow(uint256 floor, uint256 required);
    /// @notice The Constitution lets a recovery pass with less than a majority of the members.
    error RecoveryQuorumTooLow(uint256 floor, uint256 required);
    /// @notice The leaf is not in a batch anchored at {decisionAnchor}.
    error NotAnchored(bytes32 root, bytes32 leaf);
    error AlreadyScheduled(bytes32 actionId);
    /// @notice A later version of the poll was already scheduled.
    error StaleVersion(bytes32 poll, uint64 version, uint64 latest);
    /// @notice The action's status does not allow what was asked.
    error WrongStatus(bytes32 actionId, Status status);
    /// @notice Signature `index` does not recover to a signer.
    error InvalidVetoSignature(uint256 index);
    /// @notice Signers must be distinct and in ascending order (which also refuses duplicates).
    error DuplicateOrUnorderedSigner(address signer);
    /// @notice The signer holds no active membership.
    error NotMember(address signer);
    /// @notice Fewer valid signatures than the quorum.
    error VetoBelowQuorum(uint256 signatures, uint256 required);
    /// @notice The batch was anchored by a key that has since been replaced.
    error AnchoredByReplacedKey(bytes32 root, uint64 sequence, uint64 keySince);
    /// @notice A recovery distrusts batches from a sequence between 1 and one past the last batch.
    error InvalidDistrustFrom(uint64 distrustFrom, uint64 batchCount);

    /// @param anchor_ The cooperative's DecisionAnchor.
    constructor(IDecisionAnchor anchor_) EIP712("ActionSchedule", "1") {
        decisionAnchor = anchor_;
        _binder = msg.sender;
    }

    /// @notice Binds the cooperative's CoopIdentity and Constitution, once, by the deployer. Both
    ///         must name this schedule, the Constitution must hold the schedule's parameters, and
    ///         its notice floor must be at least {NOTICE_FLOOR} (except on a development chain).
    function bind(CoopIdentity identity_, Constitution constitution_) external {
        if (msg.sender != _binder) revert NotBinder(msg.sender);
        if (address(constitution) != address(0)) revert AlreadyBound();
        if (address(identity_.actionSchedule()) != address(this)) revert BindingMismatch(address(identity_));
        if (address(constitution_.actionSchedule()) != address(this) || constitution_.genesis().identity != address(identity_)) {
            revert BindingMismatch(address(constitution_));
        }
        bytes32[4] memory required = [NOTICE_PERIOD, ACTION_VALIDITY, VETO_QUORUM_BPS, RECOVERY_QUORUM_BPS];
        for (uint256 i = 0; i < required.length; i++) {
            if (!constitution_.parameterRecord(required[i]).exists) revert MissingParameter(required[i]);
        }
        uint256 floor = constitution_.parameterRecord(NOTICE_PERIOD).min;
        if (floor < NOTICE_FLOOR && block.chainid != DEV_CHAIN_ID) revert NoticeFloorTooLow(floor, NOTICE_FLOOR);
        uint256 recoveryFloor = constitution_.parameterRecord(RECOVERY_QUORUM_BPS).min;
        if (recoveryFloor < RECOVERY_QUORUM_FLOOR_BPS) revert RecoveryQuorumTooLow(recoveryFloor, RECOVERY_QUORUM_FLOOR_BPS);
        if (decisionAnchor.governor() != address(this)) revert BindingMismatch(address(decisionAnchor));
        identity = identity_;
        constitution = constitution_;
        emit Bound(address(identity_), address(constitution_));
    }

    /// @notice Schedules the action (`target`, `kind`, `params`, `decisionDigest`) of version
    ///         `version` of `poll`, proven by `ref` to be anchored. Anyone may call it.
    /// @return actionId The action's identity ({GovernanceAction-id}).
    function schedule(
        address target,
        bytes32 kind,
        bytes calldata params,
        bytes32 decisionDigest,
        bytes32 poll,
        uint64 version,
        DecisionRef calldata ref
    ) external returns (bytes32 actionId) {
        if (address(constitution) == address(0)) revert NotBound();
        actionId = GovernanceAction.id(block.chainid, target, kind, params, decisionDigest);
        if (ref.leaf != GovernanceAction.leaf(actionId, poll, version) || !decisionAnchor.verifyInclusion(ref)) {
            revert NotAnchored(ref.root, GovernanceAction.leaf(actionId, poll, version));
        }
        if (_actions[actionId].executableAt != 0) revert AlreadyScheduled(actionId);
        uint64 sequence = decisionAnchor.batchOf(ref.root).sequence;
        uint64 keySince = decisionAnchor.keySince();
        if (sequence < keySince) revert AnchoredByReplacedKey(ref.root, sequence, keySince);
        _advanceVersion(poll, version);
        Action memory action = _store(actionId, poll, version, sequence, ref.index);
        emit ActionScheduled(actionId, poll, target, version, kind, params, decisionDigest, ref.leaf, action);
    }

    /// @notice Vetoes `actionId` with members' signatures over {vetoDigest}, signers in ascending
    ///         address order. Anyone may submit them; possible until the action executes.
    function veto(bytes32 actionId, bytes[] calldata signatures) external {
        Action storage action = _actions[actionId];
        Status status = _status(action);
        if (status != Status.Pending && status != Status.Executable) revert WrongStatus(actionId, status);
        address[] memory signers = _memberQuorum(vetoDigest(actionId), signatures, vetoQuorum());
        action.vetoed = true;
        emit ActionVetoed(actionId, signers);
    }

    /// @notice Replaces the anchoring key at once with the consent of a member quorum
    ///         ({recoveryQuorum}; signatures over {recoveryDigest}, signers in ascending order), and
    ///         cancels every pending action of batches `distrustFrom` up to the last one anchored
    ///         (`distrustFrom` = batch count + 1 cancels none). Anyone may submit it. Batches anchored
    ///         before it can no longer schedule anything.
    function recover(address newAnchorer, uint64 distrustFrom, bytes[] calldata signatures) external {
        uint64 last = decisionAnchor.batchCount();
        if (distrustFrom == 0 || distrustFrom > last + 1) revert InvalidDistrustFrom(distrustFrom, last);
        address[] memory signers = _memberQuorum(recoveryDigest(newAnchorer, distrustFrom), signatures, recoveryQuorum());
        recoveryNonce += 1;
        if (distrustFrom <= last) _distrusted.push(DistrustedBatches(distrustFrom, last));
        decisionAnchor.setAnchorer(newAnchorer);
        emit AnchorerRecovered(newAnchorer, distrustFrom, last, signers);
    }

    /// @notice Replaces the anchoring key as ordered by the decision record with `decisionDigest`,
    ///         whose scheduled `SET_ANCHORER` action (target: this schedule) must be executable.
    ///         Anyone may execute it.
    function replaceAnchorer(address newAnchorer, bytes32 decisionDigest) external {
        _consume(address(this), GovernanceAction.SET_ANCHORER, abi.encode(newAnchorer), decisionDigest);
        decisionAnchor.setAnchorer(newAnchorer);
    }

    /// @inheritdoc IActionSchedule
    function consume(bytes32 kind, bytes calldata params, bytes32 decisionDigest)
        external
        returns (Action memory action, bytes32 leaf)
    {
        return _consume(msg.sender, kind, params, decisionDigest);
    }

    // ------------------------------------------------------------------ views

    /// @notice Where `actionId` stands now.
    function statusOf(bytes32 actionId) external view returns (Status) {
        return _status(_actions[actionId]);
    }

    /// @notice The scheduled action `actionId` (all zero when never scheduled).
    function actionOf(bytes32 actionId) external view returns (Action memory) {
        return _actions[actionId];
    }

    /// @notice How many member signatures a veto needs now: `vetoQuorumBps` of the current
    ///         members, rounded up, and at least one.
    function vetoQuorum() public view returns (uint256) {
        return _share(VETO_QUORUM_BPS);
    }

    /// @notice The EIP-712 digest a member signs to veto `actionId` (bound to this chain and contract).
    function vetoDigest(bytes32 actionId) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(VETO_TYPEHASH, actionId)));
    }

    /// @notice How many member signatures a recovery needs now: `recoveryQuorumBps` (at least a
    ///         majority) of the current members, rounded up.
    function recoveryQuorum() public view returns (uint256) {
        return _share(RECOVERY_QUORUM_BPS);
    }

    /// @notice The EIP-712 digest a member signs to consent to the next recovery.
    function recoveryDigest(address newAnchorer, uint64 distrustFrom) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(RECOVER_TYPEHASH, newAnchorer, distrustFrom, recoveryNonce)));
    }

    /// @notice The batch ranges recoveries distrusted, in order.
    function distrustedBatches() external view returns (DistrustedBatches[] memory) {
        return _distrusted;
    }

    /// @dev Refuses a version older than the poll's latest; a newer one supersedes the earlier versions.
    function _advanceVersion(bytes32 poll, uint64 version) private {
        uint64 latest = latestVersion[poll];
        if (version < latest) revert StaleVersion(poll, version, latest);
        if (version > latest) {
            latestVersion[poll] = version;
            if (latest != 0) emit PollSuperseded(poll, latest, version);
        }
    }

    /// @dev `bps` of the current members, rounded up, and at least one.
    function _share(bytes32 bps) private view returns (uint256) {
        uint256 needed = (identity.memberCount() * constitution.parameter(bps) + 9_999) / 10_000;
        return needed == 0 ? 1 : needed;
    }

    /// @dev Recovers the signers of `digest` (ascending, distinct, each a current member) and
    ///      requires at least `required` of them.
    function _memberQuorum(bytes32 digest, bytes[] calldata signatures, uint256 required)
        private
        view
        returns (address[] memory signers)
    {
        if (signatures.length < required) revert VetoBelowQuorum(signatures.length, required);
        CoopIdentity identity_ = identity;
        signers = new address[](signatures.length);
        address previous;
        for (uint256 i = 0; i < signatures.length; i++) {
            (address signer, ECDSA.RecoverError failure,) = ECDSA.tryRecover(digest, signatures[i]);
            if (failure != ECDSA.RecoverError.NoError) revert InvalidVetoSignature(i);
            if (signer <= previous) revert DuplicateOrUnorderedSigner(signer);
            if (!identity_.isMember(signer)) revert NotMember(signer);
            signers[i] = signer;
            previous = signer;
        }
    }

    /// @dev Marks the action (`target`, `kind`, `params`, `decisionDigest`) executed; it must be executable.
    function _consume(address target, bytes32 kind, bytes memory params, bytes32 decisionDigest)
        private
        returns (Action memory, bytes32)
    {
        bytes32 actionId = GovernanceAction.id(block.chainid, target, kind, params, decisionDigest);
        Action storage stored = _actions[actionId];
        Status status = _status(stored);
        if (status != Status.Executable) revert WrongStatus(actionId, status);
        stored.executed = true;
        emit ActionExecuted(actionId, target);
        return (stored, GovernanceAction.leaf(actionId, stored.poll, stored.version));
    }

    /// @dev Records the action with its notice and validity as the Constitution says now.
    function _store(bytes32 actionId, bytes32 poll, uint64 version, uint64 batchSequence, uint64 leafIndex)
        private
        returns (Action memory action)
    {
        uint64 executableAt = uint64(block.timestamp + constitution.parameter(NOTICE_PERIOD));
        action = Action({
            executableAt: executableAt,
            expiresAt: executableAt + uint64(constitution.parameter(ACTION_VALIDITY)),
            version: version,
            batchSequence: batchSequence,
            leafIndex: leafIndex,
            executed: false,
            vetoed: false,
            poll: poll
        });
        _actions[actionId] = action;
    }

    function _isDistrusted(uint64 sequence) private view returns (bool) {
        for (uint256 i = 0; i < _distrusted.length; i++) {
            if (sequence >= _distrusted[i].from && sequence <= _distrusted[i].to) return true;
        }
        return false;
    }

    function _status(Action storage action) private view returns (Status) {
        if (action.executableAt == 0) return Status.None;
        if (action.executed) return Status.Executed;
        if (action.vetoed) return Status.Vetoed;
        if (_isDistrusted(action.batchSequence)) return Status.Cancelled;
        if (action.version < latestVersion[action.poll]) return Status.Superseded;
        if (block.timestamp >= action.expiresAt) return Status.Expired;
        if (block.timestamp < action.executableAt) return Status.Pending;
        return Status.Executable;
    }
}
