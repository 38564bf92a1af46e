// SPDX-License-Identifier: AGPL-3.0-only
pragma solidity ^0.8.24;

/// @title ERC-4973 Account-bound tokens (the current text of the standard)
/// @notice Tokens bound to one account: issued with the counterparty's EIP-712 consent over
///         `Agreement(address active,address passive,bytes metadata)`, never transferable, and
///         always removable by their holder with {unequip}. Interface id 0xeb72bb7c.
interface IERC4973 {
    /// @notice Emitted when a token is given or taken (from = the issuing party, to = the holder) or
    ///         unequipped (to = 0). Mints from the zero address do not exist.
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);

    /// @notice Number of tokens `owner` holds; throws for the zero address.
    function balanceOf(address owner) external view returns (uint256);

    /// @notice Holder of `tokenId`; reverts for tokens that do not exist (any more).
    function ownerOf(uint256 tokenId) external view returns (address);

    /// @notice Removes `tokenId` from its holder; only the holder may call it. The standard requires the
    ///         token to be re-equipable afterwards with the same `give`/`take` parameters.
    function unequip(uint256 tokenId) external;

    /// @notice Issues a token to `to`, who consented with `signature`.
    function give(address to, bytes calldata metadata, bytes calldata signature) external returns (uint256);

    /// @notice Takes a token that `from` consented to issue with `signature`.
    function take(address from, bytes calldata metadata, bytes calldata signature) external returns (uint256);

    /// @notice The token URI that `metadata` describes.
    function decodeURI(bytes calldata metadata) external returns (string memory);
}
