// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice An RLP value in memory, read in place: its first byte's address in the high 128 bits,
///         its total length (header included) in the low 128 bits. A plain word, so lists of items
///         cost no allocation per item.
type RlpItem is uint256;

using RlpReader for RlpItem global;

/// @title RlpReader
/// @notice Reads canonical RLP (yellow paper, appendix B) in place in memory: enough for trie
///         nodes and account records.
library RlpReader {
    /// @notice Lists longer than this are rejected: a trie branch has 17 items, an account 4.
    uint256 internal constant MAX_LIST_ITEMS = 32;

    error RLPTruncated();
    error RLPNotCanonical();
    error RLPNotList();
    error RLPNotString();
    error RLPTrailingBytes();
    error RLPTooManyItems();

    function toItem(bytes memory data) internal pure returns (RlpItem) {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(data, 32)
        }
        return _item(ptr, data.length);
    }

    function ptr(RlpItem item) internal pure returns (uint256) {
        return RlpItem.unwrap(item) >> 128;
    }

    function length(RlpItem item) internal pure returns (uint256) {
        return uint128(RlpItem.unwrap(item));
    }

    /// @notice Decodes the header at `start`, given `available` bytes there: the header's and the
    ///         payload's lengths, and whether it is a list. The whole value must fit in `available`.
    function decodeHeader(uint256 start, uint256 available)
        internal
        pure
        returns (uint256 headerLength, uint256 payloadLength, bool list)
    {
        if (available == 0) revert RLPTruncated();
        uint256 prefix;
        uint256 second;
        assembly ("memory-safe") {
            let word := mload(start)
            prefix := byte(0, word)
            second := byte(1, word)
        }
        if (prefix < 0x80) return (0, 1, false);
        if (prefix < 0xb8) {
            payloadLength = prefix - 0x80;
            if (payloadLength == 1 && (available < 2 || second < 0x80)) {
                if (available < 2) revert RLPTruncated();
                revert RLPNotCanonical();
            }
            headerLength = 1;
        } else if (prefix < 0xc0) {
            (headerLength, payloadLength) = _longLength(start, available, prefix - 0xb7, second);
        } else if (prefix < 0xf8) {
            payloadLength = prefix - 0xc0;
            headerLength = 1;
            list = true;
        } else {
            (headerLength, payloadLength) = _longLength(start, available, prefix - 0xf7, second);
            list = true;
        }
        if (headerLength + payloadLength > available) revert RLPTruncated();
    }

    function _longLength(uint256 start, uint256 available, uint256 lengthOfLength, uint256 firstByte)
        private
        pure
        returns (uint256 headerLength, uint256 payloadLength)
    {
        // Memory holds far less than 2^32 bytes; longer length fields cannot be honest.
        if (lengthOfLength > 4 || available < 1 + lengthOfLength) revert RLPTruncated();
        assembly ("memory-safe") {
            payloadLength := shr(sub(256, mul(8, lengthOfLength)), mload(add(start, 1)))
        }
        if (firstByte == 0 || payloadLength < 56) revert RLPNotCanonical();
        headerLength = 1 + lengthOfLength;
    }

    function isList(RlpItem item) internal pure returns (bool list) {
        (,, list) = decodeHeader(item.ptr(), item.length());
    }

    /// @notice The items of a list that spans exactly `item`.
    function readList(RlpItem item) internal pure returns (RlpItem[] memory items) {
        uint256 start = item.ptr();
        (uint256 headerLength, uint256 payloadLength, bool list) = decodeHeader(start, item.length());
        if (!list) revert RLPNotList();
        if (headerLength + payloadLength != item.length()) revert RLPTrailingBytes();
        items = new RlpItem[](MAX_LIST_ITEMS);
        uint256 count;
        uint256 cursor = start + headerLength;
        uint256 end = cursor + payloadLength;
        while (cursor < end) {
            if (count == MAX_LIST_ITEMS) revert RLPTooManyItems();
            (uint256 h, uint256 p,) = decodeHeader(cursor, end - cursor);
            items[count] = _item(cursor, h + p);
            cursor += h + p;
            count++;
        }
        assembly ("memory-safe") {
            mstore(items, count)
        }
    }

    /// @notice Where a string's payload is and how long it is, without copying it.
    function payload(RlpItem item) internal pure returns (uint256 payloadPtr, uint256 payloadLength) {
        uint256 headerLength;
        bool list;
        (headerLength, payloadLength, list) = decodeHeader(item.ptr(), item.length());
        if (list) revert RLPNotString();
        if (headerLength + payloadLength != item.length()) revert RLPTrailingBytes();
        payloadPtr = item.ptr() + headerLength;
    }

    /// @notice The payload of a string that spans exactly `item`, copied.
    function readBytes(RlpItem item) internal pure returns (bytes memory out) {
        (uint256 source, uint256 payloadLength) = payload(item);
        out = new bytes(payloadLength);
        assembly ("memory-safe") {
            mcopy(add(out, 32), source, payloadLength)
        }
    }

    /// @notice A 32-byte string's payload as a word.
    function readBytes32(RlpItem item) internal pure returns (bytes32 word) {
        (uint256 source, uint256 payloadLength) = payload(item);
        if (payloadLength != 32) revert RLPNotString();
        assembly ("memory-safe") {
            word := mload(source)
        }
    }

    /// @notice keccak256 of the item's whole encoding, header included.
    function hash(RlpItem item) internal pure returns (bytes32 digest) {
        uint256 start = item.ptr();
        uint256 size = item.length();
        assembly ("memory-safe") {
            digest := keccak256(start, size)
        }
    }

    function _item(uint256 start, uint256 size) private pure returns (RlpItem) {
        return RlpItem.wrap((start << 128) | size);
    }
}
