// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MptNodeStore} from "../../src/libraries/MptNodeStore.sol";

/// @notice Exposes the MptNodeStore library to tests.
contract MptNodeStoreHarness {
    using MptNodeStore for MptNodeStore.Store;

    /// @notice Sets each key in turn from the current root (an empty value deletes); the root after each.
    function setMany(bytes[] calldata witness, bytes32 root, bool secure, bytes[] calldata keys, bytes[] calldata values)
        external
        pure
        returns (bytes32[] memory roots)
    {
        MptNodeStore.Store memory store = MptNodeStore.create(witness);
        roots = new bytes32[](keys.length);
        for (uint256 i = 0; i < keys.length; i++) {
            root = secure ? store.setSecure(root, keys[i], values[i]) : store.set(root, keys[i], values[i]);
            roots[i] = root;
        }
    }

    /// @notice Sets distinct keys of a secure trie all at once (setManyHashed); the root after.
    function setAllSecure(bytes[] calldata witness, bytes32 root, bytes[] calldata keys, bytes[] calldata values)
        external
        pure
        returns (bytes32)
    {
        MptNodeStore.Store memory store = MptNodeStore.create(witness);
        bytes32[] memory paths = new bytes32[](keys.length);
        bytes[] memory sorted = new bytes[](keys.length);
        for (uint256 i = 0; i < keys.length; i++) {
            bytes32 path = keccak256(keys[i]);
            uint256 j = i;
            while (j > 0 && paths[j - 1] > path) {
                (paths[j], sorted[j]) = (paths[j - 1], sorted[j - 1]);
                j--;
            }
            (paths[j], sorted[j]) = (path, values[i]);
        }
        return store.setManyHashed(root, paths, sorted);
    }

    /// @notice Reads each key from `root`.
    function getMany(bytes[] calldata witness, bytes32 root, bool secure, bytes[] calldata keys)
        external
        pure
        returns (bytes[] memory values)
    {
        MptNodeStore.Store memory store = MptNodeStore.create(witness);
        values = new bytes[](keys.length);
        for (uint256 i = 0; i < keys.length; i++) {
            values[i] = secure ? store.getSecure(root, keys[i]) : store.get(root, keys[i]);
        }
    }
}
