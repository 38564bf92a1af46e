// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {DecisionGated} from "./DecisionGated.sol";
import {IActionSchedule} from "./interfaces/IActionSchedule.sol";
import {IERC4973} from "./interfaces/IERC4973.sol";
import {GovernanceAction} from "./libraries/GovernanceAction.sol";

/// @title CoopIdentity
/// @notice Soulbound membership of one cooperative (ERC-4973). A member holds at most one token.
///         Every admission needs both the member's EIP-712 consent and an anchored decision whose
///         `ADMIT_MEMBER` action names this member and role; every revocation needs an anchored
///         `REVOKE_MEMBER` decision. Either executes only once the {ActionSchedule} has let the
///         action through its notice period (no veto, no later version, not expired). A member can always leave with {unequip}. Ended
///         memberships stay on record (a counter-record, never a deletion).
/// @dev Token metadata is `abi.encode(MembershipTerms)`; the member's signature covers it, so the
///      member consents to the role and to the decision cited. Token ids are the agreement hashes,
///      as ERC-4973 specifies.
contract CoopIdentity is IERC4973, IERC165, EIP712, DecisionGated {
    /// @notice What a member agrees to and what authorises it.
    struct MembershipTerms {
        bytes32 role;
        string uri;
        bytes32 decisionDigest;
    }

    enum Status {
        None,
        Active,
        Revoked,
        Left
    }

    /// @notice The record of one membership, kept after it ends.
    struct Membership {
        address member;
        Status status;
        uint64 joinedAt;
        uint64 endedAt;
        bytes32 role;
        bytes32 admissionLeaf;
        bytes32 revocationLeaf;
        string uri;
    }

    bytes32 public constant AGREEMENT_TYPEHASH = keccak256("Agreement(address active,address passive,bytes metadata)");
    bytes4 private constant ERC721_METADATA_ID = 0x5b5e139f;

    string private _name;
    string private _symbol;
    address private _issuer;

    mapping(uint256 tokenId => Membership) private _memberships;
    mapping(address member => uint256 tokenId) private _activeToken;
    address[] private _members;
    mapping(address member => uint256 position) private _memberPosition; // 1-based index into _members

    /// @notice A member was admitted under `admissionLeaf`.
    event Admitted(uint256 indexed tokenId, address indexed member, bytes32 role, bytes32 admissionLeaf);
    /// @notice A membership was revoked under `revocationLeaf`.
    event Revoked(uint256 indexed tokenId, address indexed member, bytes32 revocationLeaf);
    /// @notice A member left by unequipping their token.
    event Left(uint256 indexed tokenId, address indexed member);
    /// @notice The issuing key changed.
    event IssuerChanged(address indexed previousIssuer, address indexed newIssuer);

    /// @notice Only the issuing key may be the cooperative's side of an agreement.
    error NotIssuer(address account);
    /// @notice The counterparty's signature does not consent to this agreement.
    error InvalidConsent(address signer);
    /// @notice `member` already holds `tokenId`.
    error AlreadyMember(address member, uint256 tokenId);
    /// @notice `tokenId` is not an active membership.
    error NotActive(uint256 tokenId);
    /// @notice Only the holder may unequip `tokenId`.
    error NotHolder(address caller, uint256 tokenId);
    /// @notice This agreement was already used for a token.
    error AgreementUsed(uint256 tokenId);
    /// @notice The issuer cannot be the zero address.
    error ZeroIssuer();
    /// @notice ERC-4973: the zero address holds no tokens, and queries about it throw.
    error ZeroAddressQuery();

    /// @param name_ Token name (ERC-721 metadata).
    /// @param symbol_ Token symbol.
    /// @param schedule_ The cooperative's ActionSchedule.
    /// @param issuer_ The bridge's issuing key.
    constructor(string memory name_, string memory symbol_, IActionSchedule schedule_, address issuer_)
        EIP712("CoopIdentity", "1")
        DecisionGated(schedule_)
    {
        if (issuer_ == address(0)) revert ZeroIssuer();
        _name = name_;
        _symbol = symbol_;
        _issuer = issuer_;
        emit IssuerChanged(address(0), issuer_);
    }

    // ------------------------------------------------------------------ ERC-4973

    /// @inheritdoc IERC4973
    /// @dev Only the issuer gives; `to` consents by signing the agreement with the issuer as active party.
    function give(address to, bytes calldata metadata, bytes calldata signature) external returns (uint256) {
        if (msg.sender != _issuer) revert NotIssuer(msg.sender);
        bytes32 agreement = agreementHash(msg.sender, to, metadata);
        if (!SignatureChecker.isValidSignatureNow(to, agreement, signature)) revert InvalidConsent(to);
        return _admit(msg.sender, to, metadata, agreement);
    }

    /// @inheritdoc IERC4973
    /// @dev The caller takes a token the issuer (`from`) consented to by signing with the caller as active party.
    function take(address from, bytes calldata metadata, bytes calldata signature) external returns (uint256) {
        if (from != _issuer) revert NotIssuer(from);
        bytes32 agreement = agreementHash(msg.sender, from, metadata);
        if (!SignatureChecker.isValidSignatureNow(from, agreement, signature)) revert InvalidConsent(from);
        return _admit(from, msg.sender, metadata, agreement);
    }

    /// @inheritdoc IERC4973
    /// @dev Deviation from ERC-4973: the agreement is not re-equipable. Leaving ends the membership;
    ///      returning is a new admission, which needs a new decision of the cooperative.
    function unequip(uint256 tokenId) external {
        Membership storage record = _memberships[tokenId];
        if (record.status != Status.Active) revert NotActive(tokenId);
        if (record.member != msg.sender) revert NotHolder(msg.sender, tokenId);
        _end(tokenId, record, Status.Left, bytes32(0));
        emit Left(tokenId, msg.sender);
    }

    /// @inheritdoc IERC4973
    function decodeURI(bytes calldata metadata) external pure returns (string memory) {
        return abi.decode(metadata, (MembershipTerms)).uri;
    }

    /// @inheritdoc IERC4973
    function balanceOf(address owner_) external view returns (uint256) {
        if (owner_ == address(0)) revert ZeroAddressQuery();
        return _activeToken[owner_] == 0 ? 0 : 1;
    }

    /// @inheritdoc IERC4973
    function ownerOf(uint256 tokenId) external view returns (address) {
        Membership storage record = _memberships[tokenId];
        if (record.status != Status.Active) revert NotActive(tokenId);
        return record.member;
    }

    // ------------------------------------------------------------------ cooperative governance

    /// @notice Revokes `tokenId` as ordered by the decision record with `decisionDigest`, whose
    ///         scheduled `REVOKE_MEMBER` action must be executable. Anyone may execute it: the
    ///         anchored decision is the authority.
    function revoke(uint256 tokenId, bytes32 decisionDigest) external {
        Membership storage record = _memberships[tokenId];
        if (record.status != Status.Active) revert NotActive(tokenId);
        (, bytes32 leaf) = _consumeDecision(GovernanceAction.REVOKE_MEMBER, abi.encode(record.member, tokenId), decisionDigest);
        address member = record.member;
        _end(tokenId, record, Status.Revoked, leaf);
        emit Revoked(tokenId, member, leaf);
    }

    /// @notice Replaces the issuing key as ordered by the decision record with `decisionDigest`,
    ///         whose scheduled `SET_ISSUER` action must be executable. No key can do it alone.
    function setIssuer(address newIssuer, bytes32 decisionDigest) external {
        if (newIssuer == address(0)) revert ZeroIssuer();
        _consumeDecision(GovernanceAction.SET_ISSUER, abi.encode(newIssuer), decisionDigest);
        emit IssuerChanged(_issuer, newIssuer);
        _issuer = newIssuer;
    }

    // ------------------------------------------------------------------ views

    /// @notice The EIP-712 digest of `Agreement(active, passive, metadata)` that the counterparty signs.
    function agreementHash(address active, address passive, bytes calldata metadata) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(AGREEMENT_TYPEHASH, active, passive, keccak256(metadata))));
    }

    /// @notice Whether `account` is a member now.
    function isMember(address account) external view returns (bool) {
        return _activeToken[account] != 0;
    }

    /// @notice The active token of `account` (0 when not a member).
    function tokenOf(address account) external view returns (uint256) {
        return _activeToken[account];
    }

    /// @notice The full record of `tokenId`, including ended memberships.
    function membership(uint256 tokenId) external view returns (Membership memory) {
        return _memberships[tokenId];
    }

    /// @notice When the membership `tokenId` ended (revoked or left); 0 while it is active or unknown.
    ///         One storage read, for contracts that ask it of many tokens (a ballot at close).
    function endedAt(uint256 tokenId) external view returns (uint64) {
        return _memberships[tokenId].endedAt;
    }

    /// @notice Number of current members.
    function memberCount() external view returns (uint256) {
        return _members.length;
    }

    /// @notice Current members from `offset`, at most `limit` (order changes as members leave).
    function members(uint256 offset, uint256 limit) external view returns (address[] memory page) {
        uint256 end = offset + limit > _members.length ? _members.length : offset + limit;
        if (offset >= end) return new address[](0);
        page = new address[](end - offset);
        for (uint256 i = offset; i < end; i++) {
            page[i - offset] = _members[i];
        }
    }

    /// @notice The issuing key.
    function issuer() external view returns (address) {
        return _issuer;
    }

    /// @notice ERC-721 metadata: the token name.
    function name() external view returns (string memory) {
        return _name;
    }

    /// @notice ERC-721 metadata: the token symbol.
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @notice ERC-721 metadata: the URI of an active membership.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        Membership storage record = _memberships[tokenId];
        if (record.status != Status.Active) revert NotActive(tokenId);
        return record.uri;
    }

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC4973).interfaceId || interfaceId == type(IERC165).interfaceId
            || interfaceId == ERC721_METADATA_ID;
    }

    // ------------------------------------------------------------------ internals

    /// @dev `from` is the issuer, the origin of the token in its ERC-4973 `Transfer` event.
    function _admit(address from, address member, bytes calldata metadata, bytes32 agreement) private returns (uint256 tokenId) {
        MembershipTerms memory terms = abi.decode(metadata, (MembershipTerms));
        if (_activeToken[member] != 0) revert AlreadyMember(member, _activeToken[member]);
        tokenId = uint256(agreement);
        if (_memberships[tokenId].status != Status.None) revert AgreementUsed(tokenId);
        (, bytes32 leaf) = _consumeDecision(GovernanceAction.ADMIT_MEMBER, abi.encode(member, terms.role), terms.decisionDigest);

        _memberships[tokenId] = Membership({
            member: member,
            status: Status.Active,
            joinedAt: uint64(block.timestamp),
            endedAt: 0,
            role: terms.role,
            admissionLeaf: leaf,
            revocationLeaf: bytes32(0),
            uri: terms.uri
        });
        _activeToken[member] = tokenId;
        _members.push(member);
        _memberPosition[member] = _members.length;
        emit Transfer(from, member, tokenId);
        emit Admitted(tokenId, member, terms.role, leaf);
    }

    function _end(uint256 tokenId, Membership storage record, Status status, bytes32 leaf) private {
        address member = record.member;
        record.status = status;
        record.endedAt = uint64(block.timestamp);
        record.revocationLeaf = leaf;
        delete _activeToken[member];

        uint256 position = _memberPosition[member];
        address last = _members[_members.length - 1];
        _members[position - 1] = last;
        _memberPosition[last] = position;
        _members.pop();
        delete _memberPosition[member];
        emit Transfer(member, address(0), tokenId);
    }
}
