// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MessageQueue} from "./MessageQueue.sol";

/// @title RollbookInbox
/// @notice Batches arrive here as calldata, chunk by chunk (decision 5). The inbox stores one
///         commitment per chunk in posting order, chunk n of the whole chain, so a fraud proof can
///         show any one chunk with its place and the L1 block that carried it (docs/decisions/0006):
///
///         chunkCommitment[n] = keccak256(abi.encode(uint64 batchIndex, uint32 chunkIndex, bool isLast,
///                                                   bytes32 keccak256(data), uint64 block.number, uint64 block.timestamp))
///
///         Chunks come in order: the chain starts with batch 0, chunk 0; then the next chunk of the
///         open batch, or, once a chunk with isLast closed it, chunk 0 of the next batch. A closed
///         batch's chunks are known (batchChunks). Anyone may force a signed L2 tx into the message
///         queue, which the sequencer must include like a deposit (decision 7).
contract RollbookInbox {
    /// @notice A signed L2 tx is a few hundred bytes; the cap bounds what derivation must read.
    uint256 public constant MAX_FORCED_TX_BYTES = 4096;

    /// @dev Where a closed batch's chunks are; count is never 0, so a zero entry means not closed.
    struct BatchSpan {
        uint64 firstChunk;
        uint32 count;
    }

    address public immutable sequencer;
    MessageQueue public immutable queue;

    bytes32[] private _chunkCommitments;
    mapping(uint64 batchIndex => BatchSpan) private _batches;
    /// @notice The batch and chunk index of the last chunk posted, and whether it closed its batch
    ///         (meaningless while no chunk is): where the batcher resumes after a restart.
    uint64 public lastBatchIndex;
    uint32 public lastChunkIndex;
    bool public lastChunkIsLast;

    event ChunkPosted(
        uint256 indexed n,
        uint64 indexed batchIndex,
        uint32 chunkIndex,
        bool isLast,
        bytes32 dataHash,
        uint64 l1BlockNumber,
        uint64 l1Timestamp,
        bytes32 commitment
    );

    error NotSequencer(address caller);
    error EmptyChunk();
    error ChunkOutOfOrder(uint64 batchIndex, uint32 chunkIndex, uint64 expectedBatchIndex, uint32 expectedChunkIndex);
    error ForcedTxSize(uint256 length);
    error IndexOutOfRange(uint256 index, uint256 length);
    error BatchNotClosed(uint64 batchIndex);

    constructor(address sequencer_, MessageQueue queue_) {
        sequencer = sequencer_;
        queue = queue_;
    }

    function postChunk(uint64 batchIndex, uint32 chunkIndex, bool isLast, bytes calldata data) external {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        if (data.length == 0) revert EmptyChunk();
        uint256 n = _chunkCommitments.length;
        (uint64 expectedBatch, uint32 expectedChunk) = _nextPosition(n);
        if (batchIndex != expectedBatch || chunkIndex != expectedChunk) {
            revert ChunkOutOfOrder(batchIndex, chunkIndex, expectedBatch, expectedChunk);
        }
        bytes32 dataHash = keccak256(data);
        uint64 l1BlockNumber = uint64(block.number);
        uint64 l1Timestamp = uint64(block.timestamp);
        bytes32 commitment = commitmentOf(batchIndex, chunkIndex, isLast, dataHash, l1BlockNumber, l1Timestamp);
        _chunkCommitments.push(commitment);
        lastBatchIndex = batchIndex;
        lastChunkIndex = chunkIndex;
        lastChunkIsLast = isLast;
        if (isLast) _batches[batchIndex] = BatchSpan({firstChunk: uint64(n - chunkIndex), count: chunkIndex + 1});
        emit ChunkPosted(n, batchIndex, chunkIndex, isLast, dataHash, l1BlockNumber, l1Timestamp, commitment);
    }

    /// @notice Queues a signed L2 transaction; its L2 sender comes from its signature, not msg.sender.
    function forceTransaction(bytes calldata signedTx) external returns (uint256 queueIndex) {
        if (signedTx.length == 0 || signedTx.length > MAX_FORCED_TX_BYTES) revert ForcedTxSize(signedTx.length);
        return queue.enqueue(queue.KIND_FORCED_TX(), msg.sender, signedTx);
    }

    /// @notice What chunk n commits to; the fraud verifier recomputes it from a chunk's fields.
    function commitmentOf(
        uint64 batchIndex,
        uint32 chunkIndex,
        bool isLast,
        bytes32 dataHash,
        uint64 l1BlockNumber,
        uint64 l1Timestamp
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(batchIndex, chunkIndex, isLast, dataHash, l1BlockNumber, l1Timestamp));
    }

    function chunkCount() external view returns (uint256) {
        return _chunkCommitments.length;
    }

    function chunkCommitment(uint256 n) external view returns (bytes32) {
        if (n >= _chunkCommitments.length) revert IndexOutOfRange(n, _chunkCommitments.length);
        return _chunkCommitments[n];
    }

    /// @notice The chunks of a closed batch: chunk numbers firstChunk .. firstChunk + count - 1.
    function batchChunks(uint64 batchIndex) external view returns (uint256 firstChunk, uint32 count) {
        BatchSpan memory span = _batches[batchIndex];
        if (span.count == 0) revert BatchNotClosed(batchIndex);
        return (span.firstChunk, span.count);
    }

    /// @notice Whether the batch's last chunk (isLast) is posted; false while it is open or not started.
    function batchClosed(uint64 batchIndex) external view returns (bool) {
        return _batches[batchIndex].count != 0;
    }

    /// @dev The only (batch, chunk) chunk n may have.
    function _nextPosition(uint256 n) private view returns (uint64 batchIndex, uint32 chunkIndex) {
        if (n == 0) return (0, 0);
        if (lastChunkIsLast) return (lastBatchIndex + 1, 0);
        return (lastBatchIndex, lastChunkIndex + 1);
    }
}
