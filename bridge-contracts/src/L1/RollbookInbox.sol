// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {MessageQueue} from "./MessageQueue.sol";

/// @title RollbookInbox
/// @notice Batches arrive here as calldata, chunk by chunk (decision 5). The inbox stores each
///         chunk's keccak256 in posting order, chunk n of the whole chain, so a fraud proof can show
///         any one chunk. Chunks come in order: the next chunk of the current batch, or chunk 0 of
///         the next batch (the chain starts with batch 0, chunk 0). Anyone may force a signed L2 tx
///         into the message queue, which the sequencer must include like a deposit (decision 7).
contract RollbookInbox {
    /// @notice A signed L2 tx is a few hundred bytes; the cap bounds what derivation must read.
    uint256 public constant MAX_FORCED_TX_BYTES = 4096;

    address public immutable sequencer;
    MessageQueue public immutable queue;

    bytes32[] private _chunkHashes;
    /// @notice The batch and chunk index of the last chunk posted (meaningless while no chunk is).
    uint64 public lastBatchIndex;
    uint32 public lastChunkIndex;

    event ChunkPosted(uint256 indexed n, uint64 indexed batchIndex, uint32 chunkIndex, bytes32 hash);

    error NotSequencer(address caller);
    error EmptyChunk();
    error ChunkOutOfOrder(uint64 batchIndex, uint32 chunkIndex, uint64 expectedBatchIndex, uint32 expectedChunkIndex);
    error ForcedTxSize(uint256 length);
    error IndexOutOfRange(uint256 index, uint256 length);

    constructor(address sequencer_, MessageQueue queue_) {
        sequencer = sequencer_;
        queue = queue_;
    }

    function postChunk(uint64 batchIndex, uint32 chunkIndex, bytes calldata data) external {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        if (data.length == 0) revert EmptyChunk();
        uint256 n = _chunkHashes.length;
        if (n == 0) {
            if (batchIndex != 0 || chunkIndex != 0) revert ChunkOutOfOrder(batchIndex, chunkIndex, 0, 0);
        } else {
            bool nextChunk = batchIndex == lastBatchIndex && chunkIndex == lastChunkIndex + 1;
            bool nextBatch = batchIndex == lastBatchIndex + 1 && chunkIndex == 0;
            if (!nextChunk && !nextBatch) {
                revert ChunkOutOfOrder(batchIndex, chunkIndex, lastBatchIndex, lastChunkIndex + 1);
            }
        }
        bytes32 hash = keccak256(data);
        _chunkHashes.push(hash);
        lastBatchIndex = batchIndex;
        lastChunkIndex = chunkIndex;
        emit ChunkPosted(n, batchIndex, chunkIndex, hash);
    }

    /// @notice Queues a signed L2 transaction; its L2 sender comes from its signature, not msg.sender.
    function forceTransaction(bytes calldata signedTx) external returns (uint256 queueIndex) {
        if (signedTx.length == 0 || signedTx.length > MAX_FORCED_TX_BYTES) revert ForcedTxSize(signedTx.length);
        return queue.enqueue(queue.KIND_FORCED_TX(), msg.sender, signedTx);
    }

    function chunkCount() external view returns (uint256) {
        return _chunkHashes.length;
    }

    function chunkHash(uint256 n) external view returns (bytes32) {
        if (n >= _chunkHashes.length) revert IndexOutOfRange(n, _chunkHashes.length);
        return _chunkHashes[n];
    }
}
