// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MerkleTrie} from "../../src/libraries/MerkleTrie.sol";

/// @notice Exposes the MerkleTrie library to tests.
contract MerkleTrieHarness {
    function get(bytes calldata path, bytes[] calldata proof, bytes32 root)
        external
        pure
        returns (bool exists, bytes memory value)
    {
        return MerkleTrie.get(path, proof, root);
    }

    function getSecure(bytes calldata key, bytes[] calldata proof, bytes32 root)
        external
        pure
        returns (bool exists, bytes memory value)
    {
        return MerkleTrie.getSecure(key, proof, root);
    }

    /// @notice Many proofs against one root in one call (a test makes thousands).
    function getMany(bool secure, bytes[] calldata keys, bytes[][] calldata proofs, bytes32 root)
        external
        pure
        returns (bool[] memory exists, bytes[] memory values)
    {
        exists = new bool[](keys.length);
        values = new bytes[](keys.length);
        for (uint256 i = 0; i < keys.length; i++) {
            (exists[i], values[i]) = secure ? MerkleTrie.getSecure(keys[i], proofs[i], root) : MerkleTrie.get(keys[i], proofs[i], root);
        }
    }
}
