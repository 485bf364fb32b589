// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {RecordDecoder} from "../../src/L1/fraud/RecordDecoder.sol";
import {TxDecoder} from "../../src/L1/fraud/TxDecoder.sol";

/// @notice Exposes RecordDecoder.decodeFrom (the fraud verifier's entry: a known offset and chunk
///         base, no walk) with the same outcome shape as RecordDecoderHarness, so the tests compare
///         it with the TypeScript decoder through the same reference code.
contract RecordDecoderFromHarness {
    struct Outcome {
        RecordDecoder.Record record;
        TxDecoder.Tx tx;
        TxDecoder.TxStatus txStatus;
        address sender;
        bytes rawTx;
    }

    /// @notice Only here for its ABI (RecordDecoderHarness's): the outcomes come from decodeManyFrom.
    function decodeMany(bytes calldata, uint256[] calldata, uint256) external pure returns (Outcome[] memory) {
        revert("decodeManyFrom");
    }

    /// @notice The record at each offset, given the chunk base before it.
    function decodeManyFrom(
        bytes calldata chunk,
        uint256[] calldata offsets,
        bool[] calldata hasChunkBase,
        uint64[] calldata chunkBase,
        uint256 chainId
    ) external pure returns (Outcome[] memory outcomes) {
        outcomes = new Outcome[](offsets.length);
        for (uint256 i = 0; i < offsets.length; i++) {
            outcomes[i] = _decodeAndCheck(chunk, offsets[i], hasChunkBase[i], chunkBase[i], chainId);
        }
    }

    /// @notice Gas of decoding the record at `offset` and, for a tx record, rebuilding it and
    ///         recovering its sender (calldata copy included, the ABI return excluded).
    function measureFrom(bytes calldata chunk, uint256 offset, bool hasChunkBase, uint64 chunkBase, uint256 chainId)
        external
        view
        returns (uint256 gasUsed)
    {
        uint256 before = gasleft();
        Outcome memory outcome = _decodeAndCheck(chunk, offset, hasChunkBase, chunkBase, chainId);
        gasUsed = before - gasleft();
        require(outcome.record.status == RecordDecoder.Status.Record, "not a record");
    }

    function _decodeAndCheck(bytes calldata chunkData, uint256 offset, bool hasChunkBase, uint64 chunkBase, uint256 chainId)
        private
        pure
        returns (Outcome memory o)
    {
        bytes memory chunk = chunkData;
        o.record = RecordDecoder.decodeFrom(chunk, offset, hasChunkBase, chunkBase, chainId);
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
