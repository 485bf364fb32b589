// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {TxDecoder} from "./TxDecoder.sol";

/// @title RecordDecoder
/// @notice Reads the batch record at an offset of a chunk exactly as `decodeChunk`
///         (sdk/src/batch/decode.ts) does, per docs/batch-format.md: a record, a skipped record
///         (still a step, a no-op) or no record (the chunk ended before, or the offset is not
///         where a record starts). Never reverts on chunk bytes.
library RecordDecoder {
    uint256 internal constant FORMAT_VERSION = 0x01;
    uint256 private constant TAG_BLOCK_START = 0x01;
    uint256 private constant TAG_QUEUE_MESSAGE = 0x02;
    uint256 private constant TAG_COMPACT_BET = 0x03;
    uint256 private constant TAG_SIGNED_TX = 0x04;
    uint256 private constant SIGNATURE_RS_BYTES = 64;
    /// @notice No block start read yet in the chunk: the next one is absolute.
    uint256 private constant NO_TIMESTAMP = type(uint256).max;

    enum Kind {
        None,
        BlockStart,
        QueueMessage,
        CompactBet,
        SignedTx
    }

    enum Status {
        Record,
        Skipped,
        NoRecord
    }

    /// @notice Why a record was skipped (Status.Skipped) or why there is none (Status.NoRecord).
    enum Reason {
        None,
        EmptyChunk,
        UnknownVersion,
        NotRecordStart,
        UnknownRecordType,
        Truncated,
        BadLength,
        NonMinimalVarint,
        VarintOutOfRange,
        TimestampOutOfRange,
        BadYParity,
        BadSignedTx
    }

    enum VarintStatus {
        Ok,
        NonMinimal,
        OutOfRange,
        Truncated
    }

    /// @notice One record. `end` is the next record's offset (for Record and Skipped). A block
    ///         start's `timestamp` is absolute. A generic record's tx is parsed in `signedTx` (its
    ///         bytes are chunk[txOffset:end]); its sender is recovered by TxDecoder.check.
    struct Record {
        Status status;
        Reason reason;
        Kind kind;
        uint256 offset;
        uint256 end;
        uint64 timestamp;
        uint64 queueIndex;
        TxDecoder.CompactBet bet;
        uint256 txOffset;
        TxDecoder.Tx signedTx;
    }

    /// @notice The record at `offset`. Walks the chunk from its start: that proves `offset` starts
    ///         a record, and a block start's delta needs every block start read before it.
    function decodeAt(bytes memory chunk, uint256 offset, uint256 chainId) internal pure returns (Record memory r) {
        if (!_headerOk(chunk, offset, r)) return r;
        (uint256 cursor, uint256 timestamp) = _walkTo(chunk, offset);
        if (offset == 0 || cursor != offset || offset >= chunk.length) {
            r.reason = Reason.NotRecordStart;
            return r;
        }
        _read(chunk, offset, timestamp, chainId, r);
    }

    /// @notice The record at `offset` (at least 1) when the caller already knows that a record
    ///         starts there and the chunk base, the timestamp of the last block start decoded
    ///         before it in the chunk (`hasChunkBase` false: none, the next block start is
    ///         absolute). No walk: the fraud verifier takes both from the agreed step state
    ///         (docs/decisions/0006, step state v2), so a record costs the same anywhere in its chunk.
    ///         An offset at or past the chunk's end is NoRecord (the chunk ended).
    function decodeFrom(bytes memory chunk, uint256 offset, bool hasChunkBase, uint64 chunkBase, uint256 chainId)
        internal
        pure
        returns (Record memory r)
    {
        if (!_headerOk(chunk, offset, r)) return r;
        if (offset == 0 || offset >= chunk.length) {
            r.reason = Reason.NotRecordStart;
            return r;
        }
        _read(chunk, offset, hasChunkBase ? chunkBase : NO_TIMESTAMP, chainId, r);
    }

    /// @notice Starts `r` as no record at `offset`; false (with the reason) for an empty chunk or
    ///         one of another format version, whose bytes are not read at all.
    function _headerOk(bytes memory chunk, uint256 offset, Record memory r) private pure returns (bool) {
        r.offset = offset;
        r.status = Status.NoRecord;
        if (chunk.length == 0) {
            r.reason = Reason.EmptyChunk;
            return false;
        }
        if (uint8(chunk[0]) != FORMAT_VERSION) {
            r.reason = Reason.UnknownVersion;
            return false;
        }
        return true;
    }

    /// @notice Frames records from the chunk's first up to `offset`: where the walk stopped (0
    ///         when the chunk ended before) and the timestamp of the last block start read.
    function _walkTo(bytes memory chunk, uint256 offset) private pure returns (uint256 cursor, uint256 timestamp) {
        timestamp = NO_TIMESTAMP;
        uint256 limit = offset < chunk.length ? offset : chunk.length;
        cursor = 1;
        while (cursor < limit) {
            cursor = _skipRecords(chunk, cursor, limit);
            // the chunk ended, or the walk reached the offset: either way no block start here
            if (cursor == 0 || cursor >= limit) break;
            (cursor, timestamp) = _frameBlockStart(chunk, cursor, timestamp);
            if (cursor == 0) break;
        }
    }

    /// @notice The end of the block start at `cursor` (0 when truncated) and the timestamp after it.
    function _frameBlockStart(bytes memory chunk, uint256 cursor, uint256 timestamp) private pure returns (uint256, uint256) {
        (uint256 delta, uint256 end, VarintStatus status) = readVarint(chunk, cursor + 1, 64);
        if (status == VarintStatus.Truncated) return (0, timestamp);
        if (status == VarintStatus.Ok) {
            uint256 absolute = (timestamp == NO_TIMESTAMP ? 0 : timestamp) + delta;
            // a skipped block start opens nothing: the next delta counts from the last one read
            if (absolute <= type(uint64).max) timestamp = absolute;
        }
        return (end, timestamp);
    }

    /// @notice Frames queue messages, compact bets and generic records from `cursor` until a block
    ///         start or `limit`: where it stopped, 0 when the chunk ends first (truncated, a bad
    ///         generic length, an unknown type). The walk's hot path: one pass, nothing decoded.
    function _skipRecords(bytes memory chunk, uint256 cursor, uint256 limit) private pure returns (uint256) {
        assembly ("memory-safe") {
            let data := add(chunk, 32)
            let length := mload(chunk)
            // the end of the varint at i, 0 when it runs off the chunk. Its first five bytes at
            // once: m has bit 39, 31, 23, 15 or 7 set where byte 0 to 4 is below 0x80 (an end)
            function skipVarint(d, len, i) -> e {
                let m := and(not(shr(216, mload(add(d, i)))), 0x8080808080)
                switch gt(m, 0x7fffffffff)
                case 1 { e := add(i, 1) }
                default {
                    switch gt(m, 0x7fffffff)
                    case 1 { e := add(i, 2) }
                    default {
                        switch gt(m, 0x7fffff)
                        case 1 { e := add(i, 3) }
                        default {
                            switch gt(m, 0x7fff)
                            case 1 { e := add(i, 4) }
                            default {
                                if m { e := add(i, 5) }
                                // longer: byte by byte (bytes read past the chunk are not its own)
                                if iszero(m) {
                                    for { i := add(i, 5) } lt(i, len) { i := add(i, 1) } {
                                        if lt(byte(0, mload(add(d, i))), 0x80) {
                                            e := add(i, 1)
                                            leave
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                // an end found past the chunk's last byte: the varint runs off the chunk
                if gt(e, len) { e := 0 }
            }
            // the end of the generic record's tx at i: its length minimal, 1 to 2^32-1, in the chunk
            function skipSized(d, len, i) -> e {
                let value := 0
                for { let shift := 0 } and(lt(i, len), lt(shift, 35)) { shift := add(shift, 7) } {
                    let b := byte(0, mload(add(d, i)))
                    value := or(value, shl(shift, and(b, 0x7f)))
                    i := add(i, 1)
                    if lt(b, 0x80) {
                        if and(iszero(b), gt(shift, 0)) { leave }
                        e := add(i, value)
                        if or(or(iszero(value), gt(value, 0xffffffff)), gt(e, len)) { e := 0 }
                        leave
                    }
                }
            }
            for {} lt(cursor, limit) {} {
                let tag := byte(0, mload(add(data, cursor)))
                if eq(tag, 1) { break }
                let end := 0
                switch tag
                case 2 { end := skipVarint(data, length, add(cursor, 1)) }
                case 3 {
                    // nonce, marketId, outcome byte, stake, minOdds, yParity byte, r, s; most
                    // nonces and market ids are below 128, one byte each (an end past the chunk
                    // is caught by the next skipVarint)
                    let w := mload(add(data, add(cursor, 1)))
                    switch and(lt(byte(0, w), 0x80), lt(byte(1, w), 0x80))
                    case 1 { end := add(cursor, 3) }
                    default {
                        end := skipVarint(data, length, add(cursor, 1))
                        if end { end := skipVarint(data, length, end) }
                    }
                    if end { end := skipVarint(data, length, add(end, 1)) }
                    if end { end := skipVarint(data, length, end) }
                    if end {
                        end := add(end, 65)
                        if gt(end, length) { end := 0 }
                    }
                }
                case 4 { end := skipSized(data, length, add(cursor, 1)) }
                cursor := end
                if iszero(end) { break }
            }
        }
        return cursor;
    }

    /// @notice Decodes the record at `offset` into `r`, as decode.ts's readRecord.
    function _read(bytes memory chunk, uint256 offset, uint256 timestamp, uint256 chainId, Record memory r) private pure {
        uint256 tag = uint8(chunk[offset]);
        if (tag == TAG_BLOCK_START) {
            r.kind = Kind.BlockStart;
            (uint256 delta, uint256 end, VarintStatus status) = readVarint(chunk, offset + 1, 64);
            if (status == VarintStatus.Truncated) return _stop(r, Reason.Truncated);
            r.end = end;
            if (status != VarintStatus.Ok) return _skip(r, _varintReason(status));
            uint256 absolute = (timestamp == NO_TIMESTAMP ? 0 : timestamp) + delta;
            if (absolute > type(uint64).max) return _skip(r, Reason.TimestampOutOfRange);
            r.timestamp = uint64(absolute);
            r.status = Status.Record;
        } else if (tag == TAG_QUEUE_MESSAGE) {
            r.kind = Kind.QueueMessage;
            (uint256 index, uint256 end, VarintStatus status) = readVarint(chunk, offset + 1, 64);
            if (status == VarintStatus.Truncated) return _stop(r, Reason.Truncated);
            r.end = end;
            if (status != VarintStatus.Ok) return _skip(r, _varintReason(status));
            r.queueIndex = uint64(index);
            r.status = Status.Record;
        } else if (tag == TAG_COMPACT_BET) {
            r.kind = Kind.CompactBet;
            _readCompactBet(chunk, offset, r);
        } else if (tag == TAG_SIGNED_TX) {
            r.kind = Kind.SignedTx;
            (uint256 length, uint256 start, VarintStatus status) = readVarint(chunk, offset + 1, 32);
            if (status != VarintStatus.Ok || length == 0 || start + length > chunk.length) return _stop(r, Reason.BadLength);
            r.txOffset = start;
            r.end = start + length;
            uint256 ptr;
            assembly ("memory-safe") {
                ptr := add(add(chunk, 32), start)
            }
            bool accepted;
            (accepted, r.signedTx) = TxDecoder.parseSignedTx(ptr, length, chainId);
            if (!accepted) return _skip(r, Reason.BadSignedTx);
            r.status = Status.Record;
        } else {
            _stop(r, Reason.UnknownRecordType);
        }
    }

    /// @notice nonce, marketId, outcome, stake, minOdds, yParity, r, s. As decode.ts's FieldReader,
    ///         the first bad varint is remembered and reading goes on, so the record's end is known.
    function _readCompactBet(bytes memory chunk, uint256 offset, Record memory r) private pure {
        VarintStatus bad = VarintStatus.Ok;
        VarintStatus status;
        uint256 value;
        uint256 cursor;
        (value, cursor, status) = readVarint(chunk, offset + 1, 64);
        if (status == VarintStatus.Truncated) return _stop(r, Reason.Truncated);
        if (bad == VarintStatus.Ok) bad = status;
        r.bet.nonce = uint64(value);
        (value, cursor, status) = readVarint(chunk, cursor, 256);
        if (status == VarintStatus.Truncated) return _stop(r, Reason.Truncated);
        if (bad == VarintStatus.Ok) bad = status;
        r.bet.marketId = value;
        if (cursor >= chunk.length) return _stop(r, Reason.Truncated);
        r.bet.outcome = uint8(chunk[cursor]);
        (value, cursor, status) = readVarint(chunk, cursor + 1, 96);
        if (status == VarintStatus.Truncated) return _stop(r, Reason.Truncated);
        if (bad == VarintStatus.Ok) bad = status;
        r.bet.stake = uint96(value);
        (value, cursor, status) = readVarint(chunk, cursor, 32);
        if (status == VarintStatus.Truncated) return _stop(r, Reason.Truncated);
        if (bad == VarintStatus.Ok) bad = status;
        r.bet.minOdds = uint32(value);
        if (cursor + 1 + SIGNATURE_RS_BYTES > chunk.length) return _stop(r, Reason.Truncated);
        uint256 yParity = uint8(chunk[cursor]);
        bytes32 sigR;
        bytes32 sigS;
        assembly ("memory-safe") {
            let ptr := add(add(chunk, 33), cursor)
            sigR := mload(ptr)
            sigS := mload(add(ptr, 32))
        }
        r.end = cursor + 1 + SIGNATURE_RS_BYTES;
        if (bad != VarintStatus.Ok) return _skip(r, _varintReason(bad));
        if (yParity > 1) return _skip(r, Reason.BadYParity);
        r.bet.yParity = uint8(yParity);
        r.bet.r = sigR;
        r.bet.s = sigS;
        r.status = Status.Record;
    }

    /// @notice The unsigned LEB128 varint at `offset`, which must be below 2^maxBits: its value,
    ///         its end, and whether it is minimal and in range. A bad varint is still framed (its
    ///         end is its first byte below 0x80); one that runs off the chunk is Truncated.
    function readVarint(bytes memory chunk, uint256 offset, uint256 maxBits)
        internal
        pure
        returns (uint256 value, uint256 end, VarintStatus status)
    {
        uint256 length = chunk.length;
        bool overflow;
        uint256 shift;
        for (uint256 i = offset; i < length; i++) {
            uint256 b;
            assembly ("memory-safe") {
                b := byte(0, mload(add(add(chunk, 32), i)))
            }
            uint256 group = b & 0x7f;
            // a group reaches 2^maxBits when any of its bits lands at or above maxBits
            if (group != 0 && (shift >= maxBits || group >> (maxBits - shift) != 0)) overflow = true;
            else if (shift < 256) value |= group << shift;
            shift += 7;
            if (b < 0x80) {
                if (b == 0 && i > offset) return (0, i + 1, VarintStatus.NonMinimal);
                if (overflow) return (0, i + 1, VarintStatus.OutOfRange);
                return (value, i + 1, VarintStatus.Ok);
            }
        }
        return (0, 0, VarintStatus.Truncated);
    }

    function _varintReason(VarintStatus status) private pure returns (Reason) {
        return status == VarintStatus.NonMinimal ? Reason.NonMinimalVarint : Reason.VarintOutOfRange;
    }

    function _skip(Record memory r, Reason reason) private pure {
        r.status = Status.Skipped;
        r.reason = reason;
    }

    function _stop(Record memory r, Reason reason) private pure {
        r.status = Status.NoRecord;
        r.reason = reason;
        r.end = 0;
    }
}
