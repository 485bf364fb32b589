// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {RlpItem, RlpReader} from "./RlpReader.sol";

/// @title MerkleTrie
/// @notice Verifies Merkle-Patricia trie proofs in eth_getProof form (the RLP nodes on the path
///         from the root, root first) and returns the proven value, or proves that a key is absent.
///         Nodes under 32 bytes are read inline from their parent; a proof may also repeat such a
///         node as its own element (ethereumjs does, geth does not), and that copy is skipped.
///         Every element of the proof must be used: a longer proof is rejected.
library MerkleTrie {
    /// @notice Root of the empty trie: keccak256(rlp("")).
    bytes32 internal constant EMPTY_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;

    error ProofTooShort();
    error ProofTooLong();
    error BadNodeHash(uint256 proofIndex);
    error BadNode();
    error BadPath();

    enum Step {
        Descend,
        Found,
        Absent
    }

    /// @notice The value stored at keccak256(key), as in Ethereum's state and storage tries.
    function getSecure(bytes memory key, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bool exists, bytes memory value)
    {
        return get(abi.encodePacked(keccak256(key)), proof, root);
    }

    /// @notice The value stored at `path` (the raw trie key); `exists` is false when the proof
    ///         shows the key absent. Reverts on a proof that is not valid for `root`.
    function get(bytes memory path, bytes[] memory proof, bytes32 root)
        internal
        pure
        returns (bool exists, bytes memory value)
    {
        if (proof.length == 0) {
            if (root == EMPTY_ROOT) return (false, "");
            revert ProofTooShort();
        }
        if (keccak256(proof[0]) != root) revert BadNodeHash(0);
        RlpItem node = RlpReader.toItem(proof[0]);
        uint256 used = 1;
        uint256 consumed;
        while (true) {
            if (!node.isList()) {
                // Only the empty trie's root is a string node (rlp("")).
                if (used != 1 || node.length() != 1 || root != EMPTY_ROOT) revert BadNode();
                break;
            }
            Step step;
            RlpItem next;
            (step, next, consumed, value) = _step(node, path, consumed);
            if (step != Step.Descend) {
                exists = step == Step.Found;
                break;
            }
            if (next.isList()) {
                // An inline node: it must be short, and an ethereumjs-style copy of it is skipped.
                if (next.length() >= 32) revert BadNode();
                if (used < proof.length && keccak256(proof[used]) == next.hash()) used += 1;
                node = next;
                continue;
            }
            (, uint256 referenceLength) = next.payload();
            if (referenceLength == 0) break; // empty branch slot: absent
            if (referenceLength != 32) revert BadNode();
            if (used == proof.length) revert ProofTooShort();
            if (keccak256(proof[used]) != next.readBytes32()) revert BadNodeHash(used);
            node = RlpReader.toItem(proof[used]);
            used += 1;
        }
        if (used != proof.length) revert ProofTooLong();
        if (!exists) value = "";
    }

    /// @notice One node of the walk: the child to descend into, or the walk's end.
    function _step(RlpItem node, bytes memory path, uint256 consumed)
        private
        pure
        returns (Step step, RlpItem next, uint256 newConsumed, bytes memory value)
    {
        RlpItem[] memory items = node.readList();
        uint256 keyNibbles = path.length * 2;
        if (items.length == 17) {
            if (consumed == keyNibbles) {
                value = items[16].readBytes();
                return (value.length != 0 ? Step.Found : Step.Absent, next, consumed, value);
            }
            return (Step.Descend, items[_nibble(_dataPtr(path), consumed)], consumed + 1, value);
        }
        if (items.length != 2) revert BadNode();
        (bool isLeaf, uint256 matched, uint256 nodeNibbles) = _matchPath(items[0], path, consumed);
        if (matched < nodeNibbles) return (Step.Absent, next, consumed, value); // the key leaves the trie here
        newConsumed = consumed + nodeNibbles;
        if (isLeaf) {
            if (newConsumed != keyNibbles) return (Step.Absent, next, newConsumed, value);
            value = items[1].readBytes();
            return (value.length != 0 ? Step.Found : Step.Absent, next, newConsumed, value);
        }
        if (nodeNibbles == 0) revert BadNode();
        return (Step.Descend, items[1], newConsumed, value);
    }

    /// @notice Decodes a leaf's or extension's hex-prefix path and counts how many of its nibbles
    ///         match `path` from nibble `start` (stopping at the first difference or the key's end).
    function _matchPath(RlpItem encodedPath, bytes memory path, uint256 start)
        private
        pure
        returns (bool isLeaf, uint256 matched, uint256 nodeNibbles)
    {
        (uint256 compact, uint256 compactLength) = encodedPath.payload();
        if (compactLength == 0) revert BadPath();
        uint256 first = _nibble(compact, 0);
        if (first > 3) revert BadPath();
        isLeaf = first >= 2;
        uint256 skip = first % 2 == 1 ? 1 : 2;
        if (skip == 2 && _nibble(compact, 1) != 0) revert BadPath();
        nodeNibbles = compactLength * 2 - skip;
        uint256 available = path.length * 2 - start;
        uint256 limit = nodeNibbles < available ? nodeNibbles : available;
        uint256 key = _dataPtr(path);
        // Compare up to 63 nibbles a step: XOR the two runs and count the equal leading nibbles.
        while (matched < limit) {
            uint256 chunk = limit - matched < 63 ? limit - matched : 63;
            uint256 difference = _nibbleRun(compact, skip + matched) ^ _nibbleRun(key, start + matched);
            uint256 equal = difference == 0 ? 64 : _leadingZeroNibbles(difference);
            if (equal < chunk) return (isLeaf, matched + equal, nodeNibbles);
            matched += chunk;
        }
    }

    /// @notice The 63 nibbles of memory from nibble `index` of `data`, high-aligned in a word.
    function _nibbleRun(uint256 data, uint256 index) private pure returns (uint256 run) {
        assembly ("memory-safe") {
            run := shl(mul(4, and(index, 1)), mload(add(data, shr(1, index))))
            run := and(run, not(0x0f))
        }
    }

    function _leadingZeroNibbles(uint256 x) private pure returns (uint256 n) {
        if (x >> 128 == 0) (n, x) = (n + 32, x << 128);
        if (x >> 192 == 0) (n, x) = (n + 16, x << 64);
        if (x >> 224 == 0) (n, x) = (n + 8, x << 32);
        if (x >> 240 == 0) (n, x) = (n + 4, x << 16);
        if (x >> 248 == 0) (n, x) = (n + 2, x << 8);
        if (x >> 252 == 0) n += 1;
    }

    function _dataPtr(bytes memory data) private pure returns (uint256 p) {
        assembly ("memory-safe") {
            p := add(data, 32)
        }
    }

    /// @notice Nibble `index` of the bytes at memory address `data`, high nibble first.
    function _nibble(uint256 data, uint256 index) private pure returns (uint256 n) {
        assembly ("memory-safe") {
            n := and(shr(mul(4, iszero(and(index, 1))), byte(0, mload(add(data, shr(1, index))))), 0x0f)
        }
    }
}
