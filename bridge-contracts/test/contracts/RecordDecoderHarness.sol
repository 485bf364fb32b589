// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {RecordDecoder} from "../../src/L1/fraud/RecordDecoder.sol";
import {TxDecoder} from "../../src/L1/fraud/TxDecoder.sol";

/// @notice Exposes RecordDecoder and TxDecoder to tests: the record at an offset, the tx it
///         carries (rebuilt or parsed), the stateless checks and the sender.
contract RecordDecoderHarness {
    struct Outcome {
        RecordDecoder.Record record;
        TxDecoder.Tx tx;
        TxDecoder.TxStatus txStatus;
        address sender;
        bytes rawTx;
    }

    /// @notice Several offsets of one chunk in one call (each decoded from the chunk's start).
    function decodeMany(bytes calldata chunk, uint256[] calldata offsets, uint256 chainId)
        external
        pure
        returns (Outcome[] memory outcomes)
    {
        outcomes = new Outcome[](offsets.length);
        for (uint256 i = 0; i < offsets.length; i++) {
            outcomes[i] = decodeAndCheck(chunk, offsets[i], chainId);
        }
    }

    /// @notice Gas of decoding the record at `offset` and, for a tx record, rebuilding it and
    ///         recovering its sender (calldata copy included, the ABI return excluded).
    function measure(bytes calldata chunk, uint256 offset, uint256 chainId) external view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        Outcome memory outcome = decodeAndCheck(chunk, offset, chainId);
        gasUsed = before - gasleft();
        require(outcome.record.status == RecordDecoder.Status.Record, "not a record");
    }

    function decodeAndCheck(bytes calldata chunkData, uint256 offset, uint256 chainId)
        internal
        pure
        returns (Outcome memory o)
    {
        bytes memory chunk = chunkData;
        o.record = RecordDecoder.decodeAt(chunk, offset, chainId);
        if (o.record.status != RecordDecoder.Status.Record) return o;
        if (o.record.kind == RecordDecoder.Kind.CompactBet) {
            (o.rawTx, o.tx) = TxDecoder.compactBetTx(o.record.bet, chainId);
        } else if (o.record.kind == RecordDecoder.Kind.SignedTx) {
            o.tx = o.record.signedTx;
            o.rawTx = chunkData[o.record.txOffset:o.record.end];
        } else {
            return o;
        }
        (o.txStatus, o.sender) = TxDecoder.check(o.tx);
    }
}
