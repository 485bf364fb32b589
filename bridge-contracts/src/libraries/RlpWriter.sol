// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {RlpItem} from "./RlpReader.sol";

/// @title RlpWriter
/// @notice Writes canonical RLP (yellow paper, appendix B): strings, and lists of items that are
///         already encoded (RlpItems from RlpReader), copied in place.
library RlpWriter {
    uint256 private constant STRING_OFFSET = 0x80;
    uint256 private constant LIST_OFFSET = 0xc0;

    /// @notice rlp(data) as a string.
    function encodeString(bytes memory data) internal pure returns (bytes memory out) {
        if (data.length == 1 && uint8(data[0]) < 0x80) return bytes.concat(data);
        uint256 headerLength = _headerLength(data.length);
        out = new bytes(headerLength + data.length);
        uint256 cursor = _writeHeader(out, STRING_OFFSET, data.length);
        assembly ("memory-safe") {
            mcopy(cursor, add(data, 32), mload(data))
        }
    }

    /// @notice The RLP list of `items`, each copied with its own header.
    function encodeList(RlpItem[] memory items) internal pure returns (bytes memory out) {
        uint256 payloadLength;
        assembly ("memory-safe") {
            let word := add(items, 32)
            for { let end := add(word, shl(5, mload(items))) } lt(word, end) { word := add(word, 32) } {
                payloadLength := add(payloadLength, and(mload(word), 0xffffffffffffffffffffffffffffffff))
            }
        }
        out = new bytes(_headerLength(payloadLength) + payloadLength);
        uint256 cursor = _writeHeader(out, LIST_OFFSET, payloadLength);
        // An RlpItem is its address in the high 128 bits and its length in the low 128.
        assembly ("memory-safe") {
            let word := add(items, 32)
            for { let end := add(word, shl(5, mload(items))) } lt(word, end) { word := add(word, 32) } {
                let item := mload(word)
                let size := and(item, 0xffffffffffffffffffffffffffffffff)
                mcopy(cursor, shr(128, item), size)
                cursor := add(cursor, size)
            }
        }
    }

    /// @notice rlp(hash): how a parent refers to a node of 32 bytes or more.
    function encodeHash(bytes32 hash) internal pure returns (bytes memory out) {
        out = new bytes(33);
        assembly ("memory-safe") {
            mstore8(add(out, 32), 0xa0)
            mstore(add(out, 33), hash)
        }
    }

    /// @notice The RLP list of two items: a leaf's or an extension's path and its value or child.
    function encodePair(RlpItem first, RlpItem second) internal pure returns (bytes memory) {
        RlpItem[] memory items = new RlpItem[](2);
        items[0] = first;
        items[1] = second;
        return encodeList(items);
    }

    function _headerLength(uint256 payloadLength) private pure returns (uint256) {
        if (payloadLength < 56) return 1;
        return 1 + _byteLength(payloadLength);
    }

    /// @notice Writes the header at the start of `out`; returns where the payload goes.
    function _writeHeader(bytes memory out, uint256 offset, uint256 payloadLength) private pure returns (uint256 cursor) {
        assembly ("memory-safe") {
            cursor := add(out, 32)
        }
        if (payloadLength < 56) {
            out[0] = bytes1(uint8(offset + payloadLength));
            return cursor + 1;
        }
        uint256 lengthOfLength = _byteLength(payloadLength);
        out[0] = bytes1(uint8(offset + 55 + lengthOfLength));
        for (uint256 i = 0; i < lengthOfLength; i++) {
            out[1 + i] = bytes1(uint8(payloadLength >> (8 * (lengthOfLength - 1 - i))));
        }
        return cursor + 1 + lengthOfLength;
    }

    function _byteLength(uint256 x) private pure returns (uint256 n) {
        while (x != 0) {
            n++;
            x >>= 8;
        }
    }
}
