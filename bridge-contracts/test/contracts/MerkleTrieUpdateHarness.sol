// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MerkleTrieUpdate} from "../../src/libraries/MerkleTrieUpdate.sol";

/// @notice Exposes the MerkleTrieUpdate library to tests.
contract MerkleTrieUpdateHarness {
    function update(bytes calldata path, bytes calldata value, bytes[] calldata proof, bytes calldata sibling, bytes32 root)
        external
        pure
        returns (bytes32)
    {
        return MerkleTrieUpdate.update(path, value, proof, sibling, root);
    }

    function updateSecure(bytes calldata key, bytes calldata value, bytes[] calldata proof, bytes calldata sibling, bytes32 root)
        external
        pure
        returns (bytes32)
    {
        return MerkleTrieUpdate.updateSecure(key, value, proof, sibling, root);
    }

    /// @notice Many independent updates in one call (a test makes thousands); each against its own root.
    function updateMany(
        bool secure,
        bytes[] calldata keys,
        bytes[] calldata values,
        bytes[][] calldata proofs,
        bytes[] calldata siblings,
        bytes32[] calldata roots
    ) external pure returns (bytes32[] memory newRoots) {
        newRoots = new bytes32[](keys.length);
        for (uint256 i = 0; i < keys.length; i++) {
            newRoots[i] = secure
                ? MerkleTrieUpdate.updateSecure(keys[i], values[i], proofs[i], siblings[i], roots[i])
                : MerkleTrieUpdate.update(keys[i], values[i], proofs[i], siblings[i], roots[i]);
        }
    }
}
