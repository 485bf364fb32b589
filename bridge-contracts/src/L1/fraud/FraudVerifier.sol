// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BetEngineVerifier} from "./BetEngineVerifier.sol";
import {RecordDecoder} from "./RecordDecoder.sol";
import {TxDecoder} from "./TxDecoder.sol";
import {MessageQueue} from "../MessageQueue.sol";
import {OutputRoots} from "../OutputRoots.sol";
import {RollbookInbox} from "../RollbookInbox.sol";

/// @title FraudVerifier
/// @notice The single-step fraud proof of docs/decisions/0006 ("One step"). An output's trace is
///         the list of step states after every record of its batch; the proposer posted their
///         leaves, so anyone can show leaf `i` (agreed) and leaf `i + 1` against the output's trace
///         root. This contract recomputes step `i` from leaf `i` and what L1 holds (the batch's
///         chunks as the inbox committed them, the queue message a record names, the L2 state
///         through an MPT witness) exactly as derivation (node/derive/deriver.ts) applies the
///         record, and deletes the output and every later one when the posted leaf differs, or
///         when the trace stops early or runs long. Half of the slashed bonds go to the prover;
///         the rest stays here, where no key can move it.
/// @dev Nothing about the batch is trusted from the prover: each chunk is checked against its
///      inbox commitment (batch, place in the batch, data hash, L1 block number and timestamp),
///      the queue message against the queue's hash chain, the witness by hash inside
///      BetEngineVerifier. Leaf `i` is trusted because the challenger agrees with it: were it wrong,
///      an earlier step would be provable (leaf 0 is enforced by OutputRoots.proposeOutput).
///      Left out, as the decision says: queue messages forced in by the sequencer window.
contract FraudVerifier {
    /// @notice sdk/src/constants.ts MAX_TIMESTAMP_DRIFT_SECONDS: a block start further ahead of
    ///         the L1 block carrying its chunk only closes the block (derivation skips it).
    uint256 public constant MAX_TIMESTAMP_DRIFT_SECONDS = 3600;
    /// @notice abi.encode of a step state v2: nine words.
    uint256 public constant STEP_STATE_BYTES = 288;
    /// @notice A queue message record runs at most its relay tx and the forced tx (node/l1/relay.ts).
    uint256 internal constant MAX_TXS_PER_MESSAGE = 2;
    uint8 internal constant KIND_DEPOSIT = 0;
    uint8 internal constant KIND_FORCED_TX = 1;

    OutputRoots public immutable outputs;
    RollbookInbox public immutable inbox;
    MessageQueue public immutable queue;
    BetEngineVerifier public immutable engineVerifier;
    /// @notice The L2 chain id: compact bets are rebuilt and generic txs accepted for it only.
    uint256 public immutable chainId;
    /// @notice The genesis' maxTxsPerBlock: the block-full rule.
    uint256 public immutable maxTxsPerBlock;

    /// @notice The derivation state after a step (docs/decisions/0006, step state v2). The leaf is
    ///         keccak256(abi.encode(the nine fields in this order)).
    struct StepState {
        bytes32 stateRoot;
        uint64 parentTimestamp;
        uint64 blockTimestamp;
        bool blockOpen;
        uint32 txCount;
        uint32 chunkIndex;
        uint32 offset;
        bool hasChunkBase;
        uint64 chunkBase;
    }

    /// @notice A chunk of the output's batch with the fields the inbox committed with it. Its batch
    ///         and chunk index are not given: they are the output's batch and the step's position.
    struct Chunk {
        /// @dev the chunk's number in the inbox (0, 1, 2, ... over the whole chain)
        uint256 n;
        bytes data;
        bool isLast;
        uint64 l1BlockNumber;
        uint64 l1Timestamp;
    }

    /// @notice Queue message `q` (the index the record names), as MessageQueue hashed it;
    ///         `previousHash` is queueHash(q - 1), zero for q = 0.
    struct QueueMessage {
        uint8 kind;
        address sender;
        bytes payload;
        uint64 l1BlockNumber;
        uint64 timestamp;
        bytes32 previousHash;
    }

    /// @notice Everything one step's proof carries.
    struct StepProof {
        uint256 outputIndex;
        /// @dev step i: from leaf i to leaf i + 1
        uint256 step;
        /// @dev leaf i's preimage (288 bytes) and its siblings, bottom first
        bytes preState;
        bytes32[] preProof;
        /// @dev leaf i + 1 and its siblings; both ignored when i + 1 is the output's leaf count
        bytes32 postLeaf;
        bytes32[] postProof;
        /// @dev the chunks the step reads, in order: the one at leaf i's position, then each next
        ///      one while the chunk before it has no record left
        Chunk[] chunks;
        /// @dev only read when the record is a queue message that is on L1
        QueueMessage message;
        /// @dev MPT nodes of the pre-state: the tx's (or the relay tx's) sender and bet engine paths
        bytes[] witness;
        /// @dev MPT nodes of the state after a relay tx, for the forced tx it relays
        bytes[] forcedWitness;
    }

    event FraudProven(
        uint256 indexed outputIndex,
        uint256 indexed step,
        address indexed challenger,
        bool recordFound,
        bytes32 trueLeaf,
        bytes32 postedLeaf,
        uint256 slashed,
        uint256 reward
    );

    error NoFraud(uint256 outputIndex, uint256 step);
    error OutputFinalized(uint256 outputIndex);
    error StepOutOfRange(uint256 step, uint256 leafCount);
    error BadStepState(uint256 length);
    error BadLeafProof(uint256 index);
    error MissingChunk(uint256 chunkIndex);
    error UnusedChunks(uint256 given, uint256 read);
    error WrongChunk(uint256 n, uint256 chunkIndex);
    error BadQueueMessage(uint256 queueIndex);
    error NotOutputRoots(address caller);
    error TransferFailed();

    constructor(
        OutputRoots outputs_,
        RollbookInbox inbox_,
        BetEngineVerifier engineVerifier_,
        uint256 chainId_,
        uint256 maxTxsPerBlock_
    ) {
        outputs = outputs_;
        inbox = inbox_;
        queue = inbox_.queue();
        engineVerifier = engineVerifier_;
        chainId = chainId_;
        maxTxsPerBlock = maxTxsPerBlock_;
    }

    /// @notice The slashed bonds come from OutputRoots.deleteOutputsFrom; nothing else pays in.
    receive() external payable {
        if (msg.sender != address(outputs)) revert NotOutputRoots(msg.sender);
    }

    /// @notice Proves that step `p.step` of output `p.outputIndex` is wrong: deletes the output and
    ///         every later one and pays half of their bonds to the caller. Reverts NoFraud when the
    ///         posted leaf i + 1 is the true one (or, with no record left, when there is none).
    function proveStep(StepProof calldata p) external returns (uint256 reward) {
        bool hasPost = _checkLeaves(p);
        (bool found, StepState memory post) = _computeStep(p);
        bytes32 trueLeaf = found ? leafOf(post) : bytes32(0);
        bytes32 postedLeaf = hasPost ? p.postLeaf : bytes32(0);
        bool fraud = found ? (!hasPost || trueLeaf != postedLeaf) : hasPost;
        if (!fraud) revert NoFraud(p.outputIndex, p.step);
        uint256 slashed = _slash(p.outputIndex);
        reward = slashed / 2;
        emit FraudProven(p.outputIndex, p.step, msg.sender, found, trueLeaf, postedLeaf, slashed, reward);
        if (reward > 0) {
            (bool ok,) = msg.sender.call{value: reward}("");
            if (!ok) revert TransferFailed();
        }
    }

    /// @notice Leaf i's preimage and leaf i + 1 (when the trace has one) against the output's trace
    ///         root, each proof exactly as deep as the output's padded tree; whether leaf i + 1 exists.
    function _checkLeaves(StepProof calldata p) private view returns (bool hasPost) {
        uint256 k = p.outputIndex;
        if (outputs.isFinalized(k)) revert OutputFinalized(k);
        OutputRoots.Output memory output = outputs.getOutput(k);
        uint256 leafCount = output.leafCount;
        if (p.step >= leafCount) revert StepOutOfRange(p.step, leafCount);
        uint256 depth = _depth(leafCount);
        if (!_provesLeaf(keccak256(p.preState), p.step, p.preProof, depth, output.traceRoot)) revert BadLeafProof(p.step);
        hasPost = p.step + 1 < leafCount;
        if (hasPost && !_provesLeaf(p.postLeaf, p.step + 1, p.postProof, depth, output.traceRoot)) {
            revert BadLeafProof(p.step + 1);
        }
    }

    /// @notice Deletes output `k` and every later one; the bonds OutputRoots sends here.
    function _slash(uint256 k) private returns (uint256 slashed) {
        uint256 balanceBefore = address(this).balance;
        outputs.deleteOutputsFrom(k);
        slashed = address(this).balance - balanceBefore;
    }

    /// @notice The true state after step `p.step` from `p.preState`, with every L1 input checked
    ///         but neither leaf (for a challenger's dry run and for tests): `found` false when the
    ///         batch has no record left at leaf i's position (then leaf i must be the last).
    function computeStep(StepProof calldata p) external returns (bool found, StepState memory post) {
        return _computeStep(p);
    }

    /// @notice keccak256(abi.encode(s)): the trace leaf of a step state.
    function leafOf(StepState memory s) public pure returns (bytes32) {
        return keccak256(abi.encode(s));
    }

    // ---------------------------------------------------------------- the step

    function _computeStep(StepProof calldata p) private returns (bool found, StepState memory s) {
        s = decodeStepState(p.preState);
        // the batch's first record step closes the block the previous batch left open
        if (p.step == 0) _closeBlock(s);
        (uint256 firstChunk, uint256 count) = inbox.batchChunks(uint64(p.outputIndex));
        uint256 used;
        uint256 chunkIndex = s.chunkIndex;
        uint256 offset = s.offset == 0 ? 1 : s.offset;
        while (chunkIndex < count) {
            if (used == p.chunks.length) revert MissingChunk(chunkIndex);
            Chunk calldata chunk = p.chunks[used++];
            bytes memory data = _checkedChunk(p.outputIndex, firstChunk, chunkIndex, chunk);
            RecordDecoder.Record memory r = RecordDecoder.decodeFrom(data, offset, s.hasChunkBase, s.chunkBase, chainId);
            if (r.status != RecordDecoder.Status.NoRecord) {
                found = true;
                s.chunkIndex = uint32(chunkIndex);
                s.offset = uint32(r.end);
                if (r.status == RecordDecoder.Status.Record) _apply(s, r, chunk, p);
                break;
            }
            // the chunk has no record left: the next chunk of the batch, from its first record
            chunkIndex++;
            offset = 1;
            s.hasChunkBase = false;
            s.chunkBase = 0;
        }
        if (used != p.chunks.length) revert UnusedChunks(p.chunks.length, used);
    }

    /// @notice Applies a decoded record to `s` (its position already set): Deriver.applyRecord.
    function _apply(StepState memory s, RecordDecoder.Record memory r, Chunk calldata chunk, StepProof calldata p) private {
        if (r.kind == RecordDecoder.Kind.BlockStart) {
            // decoded, so the next block start's delta counts from it, whatever derivation does with it
            s.hasChunkBase = true;
            s.chunkBase = r.timestamp;
            if (uint256(r.timestamp) > uint256(chunk.l1Timestamp) + MAX_TIMESTAMP_DRIFT_SECONDS) {
                _closeBlock(s);
            } else {
                _seal(s);
                s.blockTimestamp = r.timestamp;
                s.blockOpen = true;
            }
        } else if (r.kind == RecordDecoder.Kind.QueueMessage) {
            _applyMessage(s, r.queueIndex, chunk, p);
        } else {
            // a compact bet or generic tx (Deriver.applyTxRecord): a no-op without an open block
            // with room (checked first: a no-op step then builds no tx), for a tx checkRawTx
            // refuses, or for a nonce that is not the sender's
            if (!s.blockOpen || s.txCount >= maxTxsPerBlock) return;
            TxDecoder.Tx memory t;
            if (r.kind == RecordDecoder.Kind.CompactBet) (, t) = TxDecoder.compactBetTx(r.bet, chainId);
            else t = r.signedTx;
            if (_runTx(s, t, p.witness)) s.txCount += 1;
        }
    }

    /// @notice Runs `t` on `s.stateRoot` when it passes the stateless checks (the L1 messenger as
    ///         sender included) and carries its sender's nonce; whether it ran.
    function _runTx(StepState memory s, TxDecoder.Tx memory t, bytes[] calldata witness) private returns (bool) {
        (TxDecoder.TxStatus status, address sender) = TxDecoder.check(t);
        if (status != TxDecoder.TxStatus.Valid) return false;
        return _execute(s, witness, sender, t.nonce, t.data);
    }

    /// @notice Runs one tx's bet engine call on `s.stateRoot` when `nonce` is the sender's nonce
    ///         there (the witness hashed once for both); whether it ran.
    function _execute(StepState memory s, bytes[] calldata witness, address sender, uint256 nonce, bytes memory data)
        private
        returns (bool ran)
    {
        (ran, s.stateRoot) = engineVerifier.executeWithNonce(s.stateRoot, witness, sender, nonce, _time(s), data);
    }

    /// @notice A queue-message record (Deriver.applyMessageRecord, node/l1/relay.ts
    ///         applyQueueMessage): a no-op without an open block with room for two txs, when the
    ///         message is not on L1 by the chunk's L1 block, or is not the one due (the L1
    ///         messenger's nonce); else its relay tx, then for a forced tx the tx itself when valid.
    function _applyMessage(StepState memory s, uint64 q, Chunk calldata chunk, StepProof calldata p) private {
        if (!s.blockOpen) return;
        // as the Deriver: the room check applies to a block that holds a tx (with maxTxsPerBlock 1,
        // a message's two txs still go into an empty block)
        if (s.txCount != 0 && s.txCount + MAX_TXS_PER_MESSAGE > maxTxsPerBlock) return;
        // not queued even now, so not by the chunk's L1 block either
        if (q >= queue.queueLength()) return;
        QueueMessage calldata m = p.message;
        _checkMessage(q, m);
        if (m.l1BlockNumber > chunk.l1BlockNumber) return;
        if (!_execute(s, p.witness, TxDecoder.L1_MESSENGER, q, _relayCalldata(q, m))) return;
        s.txCount += 1;
        if (m.kind != KIND_FORCED_TX) return;
        bytes memory payload = m.payload;
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(payload, 32)
        }
        // checkSignedTx's acceptance is checkRawTx's decoding plus the canonical encoding that
        // relay.ts asks of a forced tx (its hash must be keccak256 of the payload)
        (bool accepted, TxDecoder.Tx memory t) = TxDecoder.parseSignedTx(ptr, payload.length, chainId);
        if (accepted && _runTx(s, t, p.forcedWitness)) s.txCount += 1;
    }

    /// @notice relayDeposit(queueIndex, l1Sender, recipient, amount) or
    ///         relayForcedTx(queueIndex, l1Sender, keccak256(payload)), as node/l1/messages.ts
    ///         relayCalldata builds them.
    function _relayCalldata(uint64 q, QueueMessage calldata m) private pure returns (bytes memory) {
        if (m.kind == KIND_DEPOSIT) {
            (address recipient, uint256 amount) = _decodeDeposit(m.payload);
            return abi.encodeWithSignature("relayDeposit(uint256,address,address,uint256)", uint256(q), m.sender, recipient, amount);
        }
        return abi.encodeWithSignature("relayForcedTx(uint256,address,bytes32)", uint256(q), m.sender, keccak256(m.payload));
    }

    /// @notice decodeDeposit (node/l1/messages.ts) with viem's decoder: two words at least, the
    ///         address the low 20 bytes of the first (its high bytes are not checked), the amount
    ///         the second; a shorter payload credits recipient 0 with 0.
    function _decodeDeposit(bytes calldata payload) private pure returns (address recipient, uint256 amount) {
        if (payload.length < 64) return (address(0), 0);
        recipient = address(uint160(uint256(bytes32(payload[0:32]))));
        amount = uint256(bytes32(payload[32:64]));
    }

    // ---------------------------------------------------------------- checks of L1 data

    /// @notice The chunk at `chunkIndex` of batch `batchIndex`, checked against its commitment.
    function _checkedChunk(uint256 batchIndex, uint256 firstChunk, uint256 chunkIndex, Chunk calldata chunk)
        private
        view
        returns (bytes memory data)
    {
        data = chunk.data;
        bytes32 commitment = inbox.commitmentOf(
            uint64(batchIndex), uint32(chunkIndex), chunk.isLast, keccak256(data), chunk.l1BlockNumber, chunk.l1Timestamp
        );
        if (chunk.n != firstChunk + chunkIndex || inbox.chunkCommitment(chunk.n) != commitment) {
            revert WrongChunk(chunk.n, chunkIndex);
        }
    }

    /// @notice Message `q` against the queue's hash chain (MessageQueue.enqueue's formula).
    function _checkMessage(uint256 q, QueueMessage calldata m) private view {
        bytes32 previous = q == 0 ? bytes32(0) : queue.queueHash(q - 1);
        bytes32 hash = keccak256(abi.encode(m.previousHash, m.kind, m.sender, m.payload, m.l1BlockNumber, m.timestamp));
        if (m.previousHash != previous || hash != queue.queueHash(q)) revert BadQueueMessage(q);
    }

    // ---------------------------------------------------------------- step state

    /// @notice The nine words of a leaf preimage. Read leniently (each word cut to its field's
    ///         width, a bool true when non-zero): an honest leaf is canonical, and a leaf that is not
    ///         can never be a step's true result, so the step before it is provable anyway.
    function decodeStepState(bytes calldata encoded) public pure returns (StepState memory s) {
        if (encoded.length != STEP_STATE_BYTES) revert BadStepState(encoded.length);
        s.stateRoot = bytes32(encoded[0:32]);
        s.parentTimestamp = uint64(uint256(bytes32(encoded[32:64])));
        s.blockTimestamp = uint64(uint256(bytes32(encoded[64:96])));
        s.blockOpen = uint256(bytes32(encoded[96:128])) != 0;
        s.txCount = uint32(uint256(bytes32(encoded[128:160])));
        s.chunkIndex = uint32(uint256(bytes32(encoded[160:192])));
        s.offset = uint32(uint256(bytes32(encoded[192:224])));
        s.hasChunkBase = uint256(bytes32(encoded[224:256])) != 0;
        s.chunkBase = uint64(uint256(bytes32(encoded[256:288])));
    }

    /// @notice Seals the block being filled, if it holds a tx: its time becomes the parent's.
    function _seal(StepState memory s) private pure {
        if (s.txCount == 0) return;
        s.parentTimestamp = _time(s);
        s.txCount = 0;
    }

    /// @notice Seals, then no block is open until the next block start (Deriver.endBlock).
    function _closeBlock(StepState memory s) private pure {
        _seal(s);
        s.blockOpen = false;
        s.blockTimestamp = 0;
    }

    /// @notice The block's txs run at max(blockTimestamp, parentTimestamp), as the Deriver opens blocks.
    function _time(StepState memory s) private pure returns (uint64) {
        return s.blockTimestamp > s.parentTimestamp ? s.blockTimestamp : s.parentTimestamp;
    }

    // ---------------------------------------------------------------- trace tree (node/trace/merkle.ts)

    /// @notice log2 of the padded width: the length of every proof in a tree of `leafCount` leaves.
    function _depth(uint256 leafCount) private pure returns (uint256 depth) {
        while ((uint256(1) << depth) < leafCount) depth++;
    }

    /// @notice Whether `leaf` at `index` with `siblings` (bottom first) hashes up to `root`.
    function _provesLeaf(bytes32 leaf, uint256 index, bytes32[] calldata siblings, uint256 depth, bytes32 root)
        private
        pure
        returns (bool)
    {
        if (siblings.length != depth) return false;
        bytes32 node = leaf;
        for (uint256 level = 0; level < depth; level++) {
            bytes32 sibling = siblings[level];
            bool left = (index >> level) & 1 == 0;
            assembly ("memory-safe") {
                switch left
                case 1 {
                    mstore(0x00, node)
                    mstore(0x20, sibling)
                }
                default {
                    mstore(0x00, sibling)
                    mstore(0x20, node)
                }
                node := keccak256(0x00, 0x40)
            }
        }
        return node == root;
    }
}
