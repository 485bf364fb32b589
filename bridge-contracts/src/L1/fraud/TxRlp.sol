// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice A read position in memory: the next item's address and the end of the enclosing list.
///         `ok` turns false at the first malformed item and stays false, so a caller reads every
///         field and checks once, never reverting on batch bytes.
struct RlpCursor {
    uint256 ptr;
    uint256 end;
    bool ok;
}

/// @title TxRlp
/// @notice Canonical RLP for transactions, without reverts: reads items in place (a bad encoding
///         makes the cursor not ok, as a bad record is an outcome, not a failed proof) and writes
///         the few shapes a signing hash or a rebuilt transaction needs.
library TxRlp {
    /// @notice The header of the item at `ptr`, which must end by `end`: where its payload is,
    ///         how long, and where the next item starts. Not ok for a non-canonical header.
    function header(uint256 ptr, uint256 end)
        internal
        pure
        returns (bool ok, bool list, uint256 payload, uint256 length, uint256 next)
    {
        if (ptr >= end) return (false, false, 0, 0, 0);
        uint256 prefix = byteAt(ptr);
        if (prefix < 0x80) return (true, false, ptr, 1, ptr + 1);
        uint256 headerLength = 1;
        if (prefix < 0xb8) {
            length = prefix - 0x80;
            // a single byte below 0x80 is its own encoding
            if (length == 1 && (ptr + 1 >= end || byteAt(ptr + 1) < 0x80)) return (false, false, 0, 0, 0);
        } else if (prefix < 0xc0) {
            (ok, length) = _longLength(ptr, end, prefix - 0xb7);
            if (!ok) return (false, false, 0, 0, 0);
            headerLength += prefix - 0xb7;
        } else if (prefix < 0xf8) {
            list = true;
            length = prefix - 0xc0;
        } else {
            list = true;
            (ok, length) = _longLength(ptr, end, prefix - 0xf7);
            if (!ok) return (false, false, 0, 0, 0);
            headerLength += prefix - 0xf7;
        }
        payload = ptr + headerLength;
        next = payload + length;
        if (next > end) return (false, false, 0, 0, 0);
        ok = true;
    }

    /// @notice The list that spans exactly [ptr, end), as a cursor over its items.
    function openList(uint256 ptr, uint256 end) internal pure returns (RlpCursor memory c) {
        (bool ok, bool list, uint256 payload, uint256 length, uint256 next) = header(ptr, end);
        c.ok = ok && list && next == end;
        c.ptr = payload;
        c.end = payload + length;
    }

    /// @notice The next item as a nested list cursor.
    function readList(RlpCursor memory c) internal pure returns (RlpCursor memory inner) {
        (bool ok, bool list, uint256 payload, uint256 length, uint256 next) = header(c.ptr, c.end);
        if (!c.ok || !ok || !list) {
            c.ok = false;
            return inner;
        }
        c.ptr = next;
        inner.ptr = payload;
        inner.end = payload + length;
        inner.ok = true;
    }

    /// @notice The next item's payload, which must be a string.
    function readString(RlpCursor memory c) internal pure returns (uint256 payload, uint256 length) {
        bool ok;
        bool list;
        uint256 next;
        (ok, list, payload, length, next) = header(c.ptr, c.end);
        if (!c.ok || !ok || list) {
            c.ok = false;
            return (0, 0);
        }
        c.ptr = next;
    }

    /// @notice The next item as an integer: a string with no leading zero (0 is the empty
    ///         string). `wide` when it has more than 32 bytes (its value is then 0).
    function readUint(RlpCursor memory c) internal pure returns (uint256 value, bool wide) {
        (uint256 payload, uint256 length) = readString(c);
        if (length == 0) return (0, false);
        if (byteAt(payload) == 0) {
            c.ok = false;
            return (0, false);
        }
        if (length > 32) return (0, true);
        assembly ("memory-safe") {
            value := shr(sub(256, shl(3, length)), mload(payload))
        }
    }

    /// @notice Skips the next item, checking that it is canonical all the way down; for a list,
    ///         how many items it has.
    function skipItem(RlpCursor memory c) internal pure returns (bool list, uint256 count) {
        (bool ok, bool isList, uint256 payload, uint256 length, uint256 next) = header(c.ptr, c.end);
        if (!c.ok || !ok) {
            c.ok = false;
            return (false, 0);
        }
        c.ptr = next;
        if (!isList) return (false, 0);
        RlpCursor memory inner = RlpCursor(payload, payload + length, true);
        while (inner.ok && inner.ptr < inner.end) {
            skipItem(inner);
            count++;
        }
        if (!inner.ok) c.ok = false;
        return (true, count);
    }

    /// @notice Whether the next item is a list (false at the end or on a bad header).
    function nextIsList(RlpCursor memory c) internal pure returns (bool) {
        return c.ptr < c.end && byteAt(c.ptr) >= 0xc0;
    }

    /// @notice Whether the cursor is ok and has read its list to the end.
    function done(RlpCursor memory c) internal pure returns (bool) {
        return c.ok && c.ptr == c.end;
    }

    function byteAt(uint256 ptr) internal pure returns (uint256 b) {
        assembly ("memory-safe") {
            b := byte(0, mload(ptr))
        }
    }

    /// @notice Bytes of `x` big-endian without leading zeros.
    function uintLength(uint256 x) internal pure returns (uint256 n) {
        // a binary search: r and s are 32 bytes, a loop would take 32 rounds
        for (uint256 bits = 128; bits >= 8; bits >>= 1) {
            if (x >> bits != 0) {
                n += bits / 8;
                x >>= bits;
            }
        }
        if (x != 0) n++;
    }

    /// @notice Writes rlp(x) at `ptr` (memory already allocated); returns the end.
    function writeUint(uint256 ptr, uint256 x) internal pure returns (uint256) {
        if (x != 0 && x < 0x80) {
            assembly ("memory-safe") {
                mstore8(ptr, x)
            }
            return ptr + 1;
        }
        uint256 n = uintLength(x);
        assembly ("memory-safe") {
            mstore8(ptr, add(0x80, n))
            if n { mstore(add(ptr, 1), shl(sub(256, shl(3, n)), x)) }
        }
        return ptr + 1 + n;
    }

    /// @notice Length of rlp(x).
    function uintEncodedLength(uint256 x) internal pure returns (uint256) {
        if (x != 0 && x < 0x80) return 1;
        return 1 + uintLength(x);
    }

    /// @notice Writes a list header for a payload of `length` bytes at `ptr`; returns the end.
    function writeListHeader(uint256 ptr, uint256 length) internal pure returns (uint256) {
        if (length < 56) {
            assembly ("memory-safe") {
                mstore8(ptr, add(0xc0, length))
            }
            return ptr + 1;
        }
        uint256 n = uintLength(length);
        assembly ("memory-safe") {
            mstore8(ptr, add(0xf7, n))
            mstore(add(ptr, 1), shl(sub(256, shl(3, n)), length))
        }
        return ptr + 1 + n;
    }

    function _longLength(uint256 ptr, uint256 end, uint256 lengthOfLength) private pure returns (bool, uint256 length) {
        // a chunk is far below 2^32 bytes: a longer length field cannot fit
        if (lengthOfLength > 4 || ptr + 1 + lengthOfLength > end) return (false, 0);
        if (byteAt(ptr + 1) == 0) return (false, 0);
        assembly ("memory-safe") {
            length := shr(sub(256, shl(3, lengthOfLength)), mload(add(ptr, 1)))
        }
        return (length >= 56, length);
    }
}
