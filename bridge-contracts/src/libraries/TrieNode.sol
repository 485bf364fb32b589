// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MerkleTrie} from "./MerkleTrie.sol";
import {RlpItem, RlpReader} from "./RlpReader.sol";
import {RlpWriter} from "./RlpWriter.sol";

/// @title TrieNode
/// @notice Merkle-Patricia trie nodes for MerkleTrieUpdate: reading a node's items, hex-prefix
///         paths as one nibble a byte, and encoding leaves, extensions and references.
library TrieNode {
    /// @notice The items of a node: a branch's 17, or a leaf's or an extension's 2. One pass over
    ///         the list with RlpReader's checks (canonical headers, nothing past the end).
    function read(RlpItem node) internal pure returns (RlpItem[] memory items) {
        uint256 start = node.ptr();
        (uint256 headerLength, uint256 payloadLength, bool list) = RlpReader.decodeHeader(start, node.length());
        if (!list) revert RlpReader.RLPNotList();
        if (headerLength + payloadLength != node.length()) revert RlpReader.RLPTrailingBytes();
        items = new RlpItem[](17);
        uint256 count;
        uint256 status; // 1 truncated, 2 not canonical, 3 more than 17 items
        assembly ("memory-safe") {
            let cursor := add(start, headerLength)
            let end := add(cursor, payloadLength)
            for {} lt(cursor, end) {} {
                if eq(count, 17) {
                    status := 3
                    break
                }
                let word := mload(cursor)
                let prefix := byte(0, word)
                // Most items of a branch are hash references (0xa0) or empty (0x80).
                let size := 33
                if iszero(eq(prefix, 0xa0)) { size := 1 }
                if and(gt(prefix, 0x80), iszero(eq(prefix, 0xa0))) {
                    let listPrefix := gt(prefix, 0xbf)
                    let base := 0x80
                    if listPrefix { base := 0xc0 }
                    switch lt(sub(prefix, base), 56)
                    case 1 {
                        size := add(1, sub(prefix, base))
                        // A single byte under 0x80 is its own encoding.
                        if and(eq(prefix, 0x81), lt(byte(1, word), 0x80)) { status := 2 }
                    }
                    default {
                        let lengthOfLength := sub(prefix, add(base, 55))
                        if gt(lengthOfLength, 4) { status := 1 }
                        let long := shr(sub(256, mul(8, lengthOfLength)), shl(8, word))
                        if or(iszero(byte(1, word)), lt(long, 56)) { status := 2 }
                        size := add(add(1, lengthOfLength), long)
                    }
                }
                if gt(size, sub(end, cursor)) { status := 1 }
                if status { break }
                mstore(add(items, shl(5, add(count, 1))), or(shl(128, cursor), size))
                count := add(count, 1)
                cursor := add(cursor, size)
            }
            mstore(items, count)
        }
        if (status == 1) revert RlpReader.RLPTruncated();
        if (status == 2) revert RlpReader.RLPNotCanonical();
        if (count != 2 && count != 17) revert MerkleTrie.BadNode();
    }

    /// @notice Whether an item of a node read by `read` is a list (an inline node).
    function isList(RlpItem item) internal pure returns (bool list) {
        uint256 start = item.ptr();
        assembly ("memory-safe") {
            list := gt(byte(0, mload(start)), 0xbf)
        }
    }

    /// @notice The hash in a reference to a node of 32 bytes or more: rlp(hash), 33 bytes.
    function hashReference(RlpItem item) internal pure returns (bytes32 hash) {
        if (item.length() != 33) revert MerkleTrie.BadNode();
        uint256 start = item.ptr();
        assembly ("memory-safe") {
            hash := mload(add(start, 1))
        }
    }

    /// @notice A leaf or an extension over nibbles [start, end) of `nibbles`.
    function shortNode(bytes memory nibbles, uint256 start, uint256 end, bool isLeaf, RlpItem second)
        internal
        pure
        returns (bytes memory)
    {
        return RlpWriter.encodePair(RlpReader.toItem(RlpWriter.encodeString(hexPrefix(nibbles, start, end, isLeaf))), second);
    }

    /// @notice How a parent refers to a node: inline under 32 bytes, else by its hash.
    function link(bytes memory node) internal pure returns (RlpItem) {
        if (node.length < 32) return RlpReader.toItem(node);
        return RlpReader.toItem(RlpWriter.encodeHash(keccak256(node)));
    }

    function emptyBranch() internal pure returns (RlpItem[] memory slots) {
        slots = new RlpItem[](17);
        RlpItem empty = emptyItem();
        for (uint256 i = 0; i < 17; i++) {
            slots[i] = empty;
        }
    }

    function emptyItem() internal pure returns (RlpItem) {
        return RlpReader.toItem(hex"80");
    }

    /// @notice An empty slot of a branch: rlp("").
    function isEmpty(RlpItem item) internal pure returns (bool empty) {
        if (item.length() != 1) return false;
        uint256 start = item.ptr();
        assembly ("memory-safe") {
            empty := eq(byte(0, mload(start)), 0x80)
        }
    }

    /// @notice Hex-prefix (compact) encoding of nibbles [start, end).
    function hexPrefix(bytes memory nibbles, uint256 start, uint256 end, bool isLeaf)
        internal
        pure
        returns (bytes memory compact)
    {
        uint256 count = end - start;
        uint256 flag = isLeaf ? 2 : 0;
        compact = new bytes(count / 2 + 1);
        assembly ("memory-safe") {
            let source := add(add(nibbles, 32), start)
            let out := add(compact, 32)
            let first := shl(4, flag)
            let odd := and(count, 1)
            if odd {
                first := or(shl(4, add(flag, 1)), byte(0, mload(source)))
            }
            mstore8(out, first)
            for { let i := odd } lt(i, count) { i := add(i, 2) } {
                out := add(out, 1)
                let pair := mload(add(source, i))
                mstore8(out, or(shl(4, byte(0, pair)), byte(1, pair)))
            }
        }
    }

    /// @notice A leaf's or an extension's hex-prefix path, as one nibble a byte.
    function decodePath(RlpItem encodedPath) internal pure returns (bool isLeaf, bytes memory nibbles) {
        (uint256 compact, uint256 compactLength) = encodedPath.payload();
        if (compactLength == 0) revert MerkleTrie.BadPath();
        uint256 head;
        assembly ("memory-safe") {
            head := byte(0, mload(compact))
        }
        uint256 flag = head >> 4;
        if (flag > 3) revert MerkleTrie.BadPath();
        isLeaf = flag >= 2;
        uint256 odd = flag % 2;
        if (odd == 0 && head & 0x0f != 0) revert MerkleTrie.BadPath();
        nibbles = _nibblesAt(compact + 1, compactLength - 1, odd);
        if (odd == 1) nibbles[0] = bytes1(uint8(head & 0x0f));
    }

    /// @notice How many nibbles from the start of `path` equal the key's from nibble `start`.
    function sharedNibbles(bytes memory path, bytes memory key, uint256 start) internal pure returns (uint256 n) {
        uint256 limit = key.length - start;
        if (path.length < limit) limit = path.length;
        assembly ("memory-safe") {
            let a := add(path, 32)
            let b := add(add(key, 32), start)
            // Whole words while they match, then byte by byte.
            for {} and(lt(add(n, 31), limit), eq(mload(add(a, n)), mload(add(b, n)))) { n := add(n, 32) } {}
            for {} and(lt(n, limit), eq(byte(0, mload(add(a, n))), byte(0, mload(add(b, n))))) { n := add(n, 1) } {}
        }
    }

    function toNibbles(bytes memory data) internal pure returns (bytes memory) {
        uint256 source;
        assembly ("memory-safe") {
            source := add(data, 32)
        }
        return _nibblesAt(source, data.length, 0);
    }

    /// @notice The `length` bytes at memory address `source`, split into nibbles (high first)
    ///         after `offset` leading nibbles left zero.
    function _nibblesAt(uint256 source, uint256 length, uint256 offset) private pure returns (bytes memory nibbles) {
        nibbles = new bytes(offset + length * 2);
        assembly ("memory-safe") {
            let out := add(add(nibbles, 32), offset)
            for { let i := 0 } lt(i, length) { i := add(i, 1) } {
                let b := byte(0, mload(add(source, i)))
                mstore8(add(out, shl(1, i)), shr(4, b))
                mstore8(add(out, add(shl(1, i), 1)), and(b, 0x0f))
            }
        }
    }
}
