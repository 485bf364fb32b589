// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {RlpCursor, TxRlp} from "./TxRlp.sol";

/// @title TxDecoder
/// @notice The transactions of batch records, as L1 re-executes them: a compact bet rebuilt to
///         its signed EIP-1559 transaction (sdk/src/batch/compactBet.ts), a generic record's
///         signed legacy EIP-155, EIP-2930 or EIP-1559 transaction parsed with the acceptance
///         rule of `checkSignedTx` (sdk/src/batch/txs.ts), and the stateless checks of
///         `checkRawTx` (node/chain/txValidation.ts). Nothing here reverts on batch bytes: an
///         invalid transaction is a no-op step, not a failed proof.
library TxDecoder {
    using TxRlp for RlpCursor;

    address internal constant BET_ENGINE = 0x4200000000000000000000000000000000000b37;
    address internal constant L1_MESSENGER = 0xEC8aE85D5fe850B89f7738Be39038c0d32b10600;
    uint256 internal constant TX_GAS_LIMIT = 1_000_000;
    /// @notice The node's raw tx size limit (maxTxBytes of the sequencer and derivation).
    uint256 internal constant MAX_TX_BYTES = 32 * 1024;
    bytes4 internal constant PLACE_BET_SELECTOR = bytes4(keccak256("placeBet(uint256,uint8,uint96,uint32)"));
    /// @notice EIP-2: a larger s is refused (ethereumjs, as geth).
    uint256 internal constant SECP256K1N_HALF = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    /// @notice viem reads nonces and chain ids as JavaScript numbers: Number.MAX_SAFE_INTEGER.
    uint256 private constant MAX_SAFE_INTEGER = 2 ** 53 - 1;
    uint256 private constant COMPACT_CALLDATA_BYTES = 4 + 4 * 32;

    enum TxType {
        Legacy,
        AccessList,
        FeeMarket
    }

    /// @notice The outcome of checkRawTx's stateless checks, in its order; Valid or the reason.
    enum TxStatus {
        Valid,
        Oversized,
        Decode,
        Signature,
        ReservedSender,
        Target,
        Value,
        Fees,
        GasLimit
    }

    /// @notice A signed transaction's fields. `gasPrice` is the max fee of an EIP-1559 tx.
    ///         `overwide`: a field ethereumjs refuses at decoding (value, r or s over 256 bits, gas
    ///         over 64, gas times fee over 256), which viem still parses.
    struct Tx {
        TxType txType;
        uint256 chainId;
        uint256 nonce;
        uint256 gasPrice;
        uint256 maxPriorityFeePerGas;
        uint256 gasLimit;
        bool isCreate;
        address to;
        uint256 value;
        bytes data;
        uint256 yParity;
        uint256 r;
        uint256 s;
        bool overwide;
        bytes32 signingHash;
        uint256 rawLength;
    }

    /// @notice A compact bet record's fields (docs/batch-format.md, record 0x03).
    struct CompactBet {
        uint64 nonce;
        uint256 marketId;
        uint8 outcome;
        uint96 stake;
        uint32 minOdds;
        uint8 yParity;
        bytes32 r;
        bytes32 s;
    }

    /// @notice Parses the signed transaction of `length` bytes at memory `ptr`. `accepted` is
    ///         false exactly where checkSignedTx refuses it: not a signed legacy EIP-155, EIP-2930
    ///         or EIP-1559 tx for `chainId` in canonical encoding (the generic record is then bad).
    function parseSignedTx(uint256 ptr, uint256 length, uint256 chainId)
        internal
        pure
        returns (bool accepted, Tx memory t)
    {
        t.rawLength = length;
        if (length == 0) return (false, t);
        uint256 end = ptr + length;
        uint256 kind = TxRlp.byteAt(ptr);
        if (kind == 0x02) {
            t.txType = TxType.FeeMarket;
            accepted = _parseTyped(ptr + 1, end, chainId, t);
        } else if (kind == 0x01) {
            t.txType = TxType.AccessList;
            accepted = _parseTyped(ptr + 1, end, chainId, t);
        } else if (kind >= 0xc0) {
            t.txType = TxType.Legacy;
            accepted = _parseLegacy(ptr, end, chainId, t);
        }
    }

    /// @notice checkRawTx's stateless checks, in its order, and the sender (zero unless recovered).
    function check(Tx memory t) internal pure returns (TxStatus status, address sender) {
        if (t.rawLength > MAX_TX_BYTES) return (TxStatus.Oversized, address(0));
        // EIP-2681: ethereumjs refuses a nonce of 2^64-1 while decoding (a compact bet may carry one)
        if (t.overwide || t.nonce >= type(uint64).max) return (TxStatus.Decode, address(0));
        // ethereumjs refuses a high s while decoding a typed tx, and only at recovery for a legacy one
        if (t.txType != TxType.Legacy && t.s > SECP256K1N_HALF) return (TxStatus.Decode, address(0));
        sender = recoverSender(t);
        if (sender == address(0)) return (TxStatus.Signature, address(0));
        if (sender == L1_MESSENGER) return (TxStatus.ReservedSender, sender);
        if (t.isCreate || t.to != BET_ENGINE) return (TxStatus.Target, sender);
        if (t.value != 0) return (TxStatus.Value, sender);
        if (t.gasPrice != 0 || t.maxPriorityFeePerGas != 0) return (TxStatus.Fees, sender);
        if (t.gasLimit != TX_GAS_LIMIT) return (TxStatus.GasLimit, sender);
        return (TxStatus.Valid, sender);
    }

    /// @notice The sender by ecrecover over the signing hash; zero for a signature that
    ///         recovers none (r or s zero or at least n, s above n/2, no point for r).
    function recoverSender(Tx memory t) internal pure returns (address) {
        if (t.r == 0 || t.s == 0 || t.s > SECP256K1N_HALF || t.yParity > 1) return address(0);
        return ecrecover(t.signingHash, uint8(27 + t.yParity), bytes32(t.r), bytes32(t.s));
    }

    /// @notice The signed EIP-1559 transaction a compact bet stands for, byte for byte, and its
    ///         fields (the same shape as a parsed generic tx, so `check` applies to both).
    function compactBetTx(CompactBet memory bet, uint256 chainId) internal pure returns (bytes memory raw, Tx memory t) {
        t.txType = TxType.FeeMarket;
        t.chainId = chainId;
        t.nonce = bet.nonce;
        t.gasLimit = TX_GAS_LIMIT;
        t.to = BET_ENGINE;
        t.data = abi.encodeWithSelector(PLACE_BET_SELECTOR, bet.marketId, bet.outcome, bet.stake, bet.minOdds);
        t.yParity = bet.yParity;
        t.r = uint256(bet.r);
        t.s = uint256(bet.s);
        // chain id, nonce, 2 zero fees, gas, to, zero value, calldata, empty access list
        uint256 unsignedLength = TxRlp.uintEncodedLength(chainId) + TxRlp.uintEncodedLength(bet.nonce) + 2 + 4 + 21 + 1
            + 2 + COMPACT_CALLDATA_BYTES + 1;
        uint256 signedLength =
            unsignedLength + TxRlp.uintEncodedLength(t.yParity) + TxRlp.uintEncodedLength(t.r) + TxRlp.uintEncodedLength(t.s);
        // type byte, list header, payload, and a word of slack for the writers' full-word stores
        raw = new bytes(1 + 3 + signedLength + 32);
        uint256 start;
        assembly ("memory-safe") {
            start := add(raw, 32)
            mstore8(start, 0x02)
        }
        // each writer stores whole words past its end: write front to back
        uint256 fields = TxRlp.writeListHeader(start + 1, signedLength);
        uint256 cursor = _writeCompactFields(fields, chainId, bet.nonce, t.data);
        t.signingHash = _hashTyped(0x02, fields, unsignedLength);
        cursor = TxRlp.writeUint(cursor, t.yParity);
        cursor = TxRlp.writeUint(cursor, t.r);
        cursor = TxRlp.writeUint(cursor, t.s);
        t.rawLength = cursor - start;
        assembly ("memory-safe") {
            mstore(raw, sub(cursor, start))
        }
    }

    function _writeCompactFields(uint256 ptr, uint256 chainId, uint256 nonce, bytes memory data)
        private
        pure
        returns (uint256 end)
    {
        ptr = TxRlp.writeUint(ptr, chainId);
        ptr = TxRlp.writeUint(ptr, nonce);
        ptr = TxRlp.writeUint(ptr, 0);
        ptr = TxRlp.writeUint(ptr, 0);
        ptr = TxRlp.writeUint(ptr, TX_GAS_LIMIT);
        address engine = BET_ENGINE;
        assembly ("memory-safe") {
            mstore8(ptr, 0x94)
            mstore(add(ptr, 1), shl(96, engine))
            mstore8(add(ptr, 21), 0x80)
            mstore8(add(ptr, 22), 0xb8)
            mstore8(add(ptr, 23), mload(data))
            mcopy(add(ptr, 24), add(data, 32), mload(data))
            end := add(add(ptr, 25), mload(data))
            mstore8(sub(end, 1), 0xc0)
        }
    }

    /// @notice keccak256(txType || rlp(list with this payload)): a typed tx's signing hash.
    function _hashTyped(uint256 txType, uint256 payload, uint256 length) private pure returns (bytes32 digest) {
        uint256 buffer;
        assembly ("memory-safe") {
            buffer := mload(0x40)
            mstore8(buffer, txType)
        }
        uint256 cursor = TxRlp.writeListHeader(buffer + 1, length);
        assembly ("memory-safe") {
            mcopy(cursor, payload, length)
            digest := keccak256(buffer, sub(add(cursor, length), buffer))
        }
    }

    /// @notice EIP-2930 and EIP-1559 bodies: rlp([chainId, nonce, (maxPriorityFee,) fee, gas,
    ///         to, value, data, accessList, yParity, r, s]) spanning [ptr, end).
    function _parseTyped(uint256 ptr, uint256 end, uint256 chainId, Tx memory t) private pure returns (bool) {
        RlpCursor memory c = TxRlp.openList(ptr, end);
        uint256 unsignedStart = c.ptr;
        bool wide;
        (t.chainId, wide) = c.readUint();
        if (wide || t.chainId != chainId) return false;
        (t.nonce, wide) = c.readUint();
        if (wide || t.nonce > MAX_SAFE_INTEGER) return false;
        if (t.txType == TxType.FeeMarket) {
            (t.maxPriorityFeePerGas, wide) = c.readUint();
            if (wide) return false;
        }
        (t.gasPrice, wide) = c.readUint();
        // viem caps the fee at 2^256-1 and the tip at the fee
        if (wide || t.maxPriorityFeePerGas > t.gasPrice) return false;
        if (!_readCommon(c, t)) return false;
        if (!_readAccessList(c, t)) return false;
        uint256 unsignedLength = c.ptr - unsignedStart;
        (t.yParity, wide) = c.readUint();
        if (wide || t.yParity > 1) return false;
        bool wideR;
        (t.r, wideR) = c.readUint();
        (t.s, wide) = c.readUint();
        if (wideR || wide || !c.done()) return false;
        t.signingHash = _hashTyped(t.txType == TxType.FeeMarket ? 0x02 : 0x01, unsignedStart, unsignedLength);
        return true;
    }

    /// @notice A legacy EIP-155 tx: rlp([nonce, gasPrice, gas, to, value, data, v, r, s]) with
    ///         v = chainId * 2 + 35 + yParity, spanning [ptr, end).
    function _parseLegacy(uint256 ptr, uint256 end, uint256 chainId, Tx memory t) private pure returns (bool) {
        RlpCursor memory c = TxRlp.openList(ptr, end);
        uint256 unsignedStart = c.ptr;
        bool wide;
        (t.nonce, wide) = c.readUint();
        if (wide || t.nonce > MAX_SAFE_INTEGER) return false;
        (t.gasPrice, wide) = c.readUint();
        if (wide) return false;
        if (!_readCommon(c, t)) return false;
        uint256 fieldsLength = c.ptr - unsignedStart;
        (uint256 v, bool wideV) = c.readUint();
        bool wideR;
        bool wideS;
        (t.r, wideR) = _readLegacySignatureValue(c);
        (t.s, wideS) = _readLegacySignatureValue(c);
        if (!c.done() || wideV) return false;
        // both empty is an unsigned tx (RLP integers are minimal: empty is zero)
        if (t.r == 0 && !wideR && t.s == 0 && !wideS) return false;
        // pre-EIP-155 (27, 28) and other chains' txs are refused
        if (v != chainId * 2 + 35 && v != chainId * 2 + 36) return false;
        t.chainId = chainId;
        t.yParity = v - (chainId * 2 + 35);
        // viem keeps a legacy r or s of any length, even a list; ethereumjs refuses them
        if (wideR || wideS) t.overwide = true;
        t.signingHash = _hashLegacy(unsignedStart, fieldsLength, chainId);
        return true;
    }

    /// @notice A legacy r or s: viem keeps it as read and re-serializes it as is, so any canonical
    ///         item passes its round trip, even a list (then `wide`, as ethereumjs refuses it).
    function _readLegacySignatureValue(RlpCursor memory c) private pure returns (uint256 value, bool wide) {
        if (!c.nextIsList()) return c.readUint();
        c.skipItem();
        return (0, true);
    }

    /// @notice gas, to, value, data: the fields every type shares, in that order.
    function _readCommon(RlpCursor memory c, Tx memory t) private pure returns (bool) {
        bool wideGas;
        bool wideValue;
        (t.gasLimit, wideGas) = c.readUint();
        (uint256 toPayload, uint256 toLength) = c.readString();
        (t.value, wideValue) = c.readUint();
        (uint256 dataPayload, uint256 dataLength) = c.readString();
        if (!c.ok || (toLength != 0 && toLength != 20)) return false;
        t.isCreate = toLength == 0;
        if (!t.isCreate) {
            address to;
            assembly ("memory-safe") {
                to := shr(96, mload(toPayload))
            }
            t.to = to;
        }
        bytes memory data = new bytes(dataLength);
        assembly ("memory-safe") {
            mcopy(add(data, 32), dataPayload, dataLength)
        }
        t.data = data;
        // ethereumjs: value <= 2^256-1, gas <= 2^64-1, gas * fee <= 2^256-1
        if (wideGas || wideValue || t.gasLimit > type(uint64).max) {
            t.overwide = true;
        } else if (t.gasPrice != 0 && t.gasLimit > type(uint256).max / t.gasPrice) {
            t.overwide = true;
        }
        return true;
    }

    /// @notice [[address, [storageKey, ...]], ...]: 20-byte addresses and 32-byte keys. viem
    ///         checks a key's size as `key.length - 2 == 64`, so a list of 66 items passes too, and
    ///         an address with a regex on its string form, so [address] (nested) passes too; both
    ///         make the tx overwide (ethereumjs refuses them).
    function _readAccessList(RlpCursor memory c, Tx memory t) private pure returns (bool) {
        RlpCursor memory list = c.readList();
        while (list.ok && list.ptr < list.end) {
            RlpCursor memory entry = list.readList();
            if (entry.nextIsList()) {
                if (!_isWrappedAddress(entry)) return false;
                t.overwide = true;
            } else {
                (, uint256 addressLength) = entry.readString();
                if (addressLength != 20) return false;
            }
            RlpCursor memory keys = entry.readList();
            if (!entry.done()) return false;
            while (keys.ok && keys.ptr < keys.end) {
                if (keys.nextIsList()) {
                    (, uint256 count) = keys.skipItem();
                    if (count != 66) return false;
                    t.overwide = true;
                } else {
                    (, uint256 keyLength) = keys.readString();
                    if (keyLength != 32) return false;
                }
            }
            if (!keys.ok) return false;
        }
        return list.ok;
    }

    /// @notice Whether the next item is a list of one item that is a 20-byte string or, again,
    ///         such a list (its JavaScript string form is then the address).
    function _isWrappedAddress(RlpCursor memory c) private pure returns (bool) {
        RlpCursor memory inner = c.readList();
        if (!inner.ok) return false;
        if (inner.nextIsList()) {
            if (!_isWrappedAddress(inner)) return false;
        } else {
            (, uint256 length) = inner.readString();
            if (length != 20) return false;
        }
        return inner.done();
    }

    /// @notice EIP-155: keccak256(rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0])).
    function _hashLegacy(uint256 fields, uint256 fieldsLength, uint256 chainId) private pure returns (bytes32 digest) {
        uint256 length = fieldsLength + TxRlp.uintEncodedLength(chainId) + 2;
        uint256 buffer;
        assembly ("memory-safe") {
            buffer := mload(0x40)
        }
        uint256 cursor = TxRlp.writeListHeader(buffer, length);
        assembly ("memory-safe") {
            mcopy(cursor, fields, fieldsLength)
        }
        cursor = TxRlp.writeUint(cursor + fieldsLength, chainId);
        assembly ("memory-safe") {
            mstore8(cursor, 0x80)
            mstore8(add(cursor, 1), 0x80)
            digest := keccak256(buffer, sub(add(cursor, 2), buffer))
        }
    }
}
