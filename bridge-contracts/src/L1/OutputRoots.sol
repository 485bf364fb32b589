// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {RollbookInbox} from "./RollbookInbox.sol";

/// @title OutputRoots
/// @notice The proposer's L2 output roots, one per batch in batch order, each with a bond. An
///         output finalizes `challengeWindow` seconds after it is proposed. Until then the fraud
///         verifier may delete it and every later one (decision 6); their bonds go to the verifier,
///         which pays the challenger. Bonds of finalized outputs go back to the proposer.
///
///         outputRoot = keccak256(abi.encode(uint256(0), stateRoot, blockHash)): version 0, then the
///         L2 state root and block hash after the batch's last block (blockHash is informational:
///         no proof covers it). The proposer posts the batch's trace leaves (docs/decisions/0006:
///         a challenger needs the proposer's tree, not only its root), and the contract computes
///         traceRoot from them, so the root is right by construction. What a dishonest proposer
///         could otherwise get wrong without a step to prove is checked here: the first leaf is
///         where the previous batch ended (the genesis leaf for batch 0), and the last leaf's
///         preimage carries the output's state root.
contract OutputRoots {
    uint256 public constant OUTPUT_VERSION = 0;
    /// @notice Leaves of one batch's trace at most: keeps a proposal under the 128 KiB of calldata
    ///         L1 clients accept for one transaction (the batch planner caps its batches to fit).
    uint256 public constant MAX_TRACE_LEAVES = 3584;
    /// @notice abi.encode of a step state (v2): nine 32-byte words.
    uint256 public constant STEP_STATE_BYTES = 288;
    /// @dev Words 5..8 of a step state (chunkIndex, offset, hasChunkBase, chunkBase): the position
    ///      in the batch, which the next batch's first leaf starts from zero.
    uint256 private constant POSITION_OFFSET = 160;

    struct Output {
        bytes32 outputRoot;
        bytes32 traceRoot;
        /// @dev The leaf the next batch's trace must start with: this batch's last step state at
        ///      position zero.
        bytes32 nextFirstLeaf;
        uint64 l2BlockNumber;
        uint64 proposedAt;
        uint32 leafCount;
        /// @dev Sum of the bonds of outputs 0..this one, so slashing a suffix costs O(1).
        uint128 cumulativeBond;
    }

    address public immutable owner;
    address public immutable proposer;
    uint256 public immutable challengeWindow;
    uint256 public immutable minBond;
    RollbookInbox public immutable inbox;
    /// @notice Leaf 0 of batch 0: the L2 genesis block's state root and timestamp, nothing open, position zero.
    bytes32 public immutable genesisLeaf;
    address public fraudVerifier;

    Output[] private _outputs;
    /// @notice Outputs below this index have had their bonds returned.
    uint256 public bondsReturnedThrough;

    event OutputProposed(
        uint256 indexed batchIndex,
        bytes32 indexed outputRoot,
        bytes32 stateRoot,
        bytes32 blockHash,
        bytes32 traceRoot,
        uint32 leafCount,
        uint64 l2BlockNumber,
        uint64 proposedAt,
        uint256 bond
    );
    event OutputsDeleted(uint256 indexed fromIndex, uint256 previousCount, uint256 slashedBond);
    event FraudVerifierSet(address verifier);
    event BondsReturned(uint256 throughIndex, uint256 amount);

    error NotOwner();
    error NotProposer(address caller);
    error NotFraudVerifier(address caller);
    error FraudVerifierAlreadySet();
    error ZeroAddress();
    error BondTooSmall(uint256 bond, uint256 minBond);
    error BondTooLarge();
    error WrongBatchIndex(uint256 batchIndex, uint256 expected);
    error BatchNotClosed(uint256 batchIndex);
    error WrongLeafCount(uint256 count);
    error WrongFirstLeaf(bytes32 leaf, bytes32 expected);
    error LastLeafMismatch(bytes32 lastLeafHash, bytes32 leaf);
    error StateRootMismatch(bytes32 stateRoot, bytes32 lastLeafStateRoot);
    error L2BlockNotAfterPrevious(uint64 l2BlockNumber, uint64 previous);
    error OutputNotFound(uint256 index);
    error OutputAlreadyFinalized(uint256 index);
    error OutputNotFinalized(uint256 index);
    error NothingToReturn();
    error TransferFailed();

    constructor(
        address owner_,
        address proposer_,
        uint256 challengeWindow_,
        uint256 minBond_,
        RollbookInbox inbox_,
        bytes32 genesisLeaf_
    ) {
        if (proposer_ == address(0) || address(inbox_) == address(0)) revert ZeroAddress();
        owner = owner_;
        proposer = proposer_;
        challengeWindow = challengeWindow_;
        minBond = minBond_;
        inbox = inbox_;
        genesisLeaf = genesisLeaf_;
    }

    /// @notice Names the fraud verifier: once, by the owner.
    function setFraudVerifier(address verifier) external {
        if (msg.sender != owner) revert NotOwner();
        if (fraudVerifier != address(0)) revert FraudVerifierAlreadySet();
        if (verifier == address(0)) revert ZeroAddress();
        fraudVerifier = verifier;
        emit FraudVerifierSet(verifier);
    }

    /// @notice Proposes the output of batch `batchIndex` (closed in the inbox) with its trace:
    ///         `leaves` are the step leaves 0..n (0 is the state before the batch's first step),
    ///         `lastLeaf` the preimage of leaf n (abi.encode of a step state, 288 bytes).
    function proposeOutput(
        uint256 batchIndex,
        bytes32 stateRoot,
        bytes32 blockHash,
        uint64 l2BlockNumber,
        bytes calldata lastLeaf,
        bytes32[] calldata leaves
    ) external payable {
        if (msg.sender != proposer) revert NotProposer(msg.sender);
        if (msg.value < minBond) revert BondTooSmall(msg.value, minBond);
        if (msg.value > type(uint96).max) revert BondTooLarge();
        uint256 count = _outputs.length;
        if (batchIndex != count) revert WrongBatchIndex(batchIndex, count);
        if (!inbox.batchClosed(uint64(batchIndex))) revert BatchNotClosed(batchIndex);
        _checkTrace(count, stateRoot, lastLeaf, leaves);
        uint128 previousBond;
        if (count > 0) {
            Output storage previous = _outputs[count - 1];
            if (l2BlockNumber <= previous.l2BlockNumber) {
                revert L2BlockNotAfterPrevious(l2BlockNumber, previous.l2BlockNumber);
            }
            previousBond = previous.cumulativeBond;
        }
        Output memory output = Output({
            outputRoot: keccak256(abi.encode(OUTPUT_VERSION, stateRoot, blockHash)),
            traceRoot: _traceRoot(leaves),
            nextFirstLeaf: keccak256(bytes.concat(lastLeaf[:POSITION_OFFSET], new bytes(STEP_STATE_BYTES - POSITION_OFFSET))),
            l2BlockNumber: l2BlockNumber,
            proposedAt: uint64(block.timestamp),
            leafCount: uint32(leaves.length),
            cumulativeBond: previousBond + uint128(msg.value)
        });
        _outputs.push(output);
        _emitProposed(batchIndex, stateRoot, blockHash, output);
    }

    /// @notice Deletes output `index` and every later one, and sends their bonds to the verifier.
    ///         A finalized output cannot be deleted.
    function deleteOutputsFrom(uint256 index) external {
        if (msg.sender != fraudVerifier || msg.sender == address(0)) revert NotFraudVerifier(msg.sender);
        uint256 count = _outputs.length;
        if (index >= count) revert OutputNotFound(index);
        if (_isFinal(_outputs[index])) revert OutputAlreadyFinalized(index);
        uint256 slashed = _outputs[count - 1].cumulativeBond - _bondsBefore(index);
        // Outputs are never read past the length, so popping the array is enough.
        assembly ("memory-safe") {
            sstore(_outputs.slot, index)
        }
        emit OutputsDeleted(index, count, slashed);
        _send(msg.sender, slashed);
    }

    /// @notice Returns the bonds of every output before `throughIndex` (all finalized) to the proposer.
    function returnBonds(uint256 throughIndex) external {
        if (throughIndex == 0 || throughIndex > _outputs.length) revert OutputNotFound(throughIndex);
        if (!_isFinal(_outputs[throughIndex - 1])) revert OutputNotFinalized(throughIndex - 1);
        uint256 from = bondsReturnedThrough;
        if (throughIndex <= from) revert NothingToReturn();
        uint256 amount = _outputs[throughIndex - 1].cumulativeBond - _bondsBefore(from);
        bondsReturnedThrough = throughIndex;
        emit BondsReturned(throughIndex, amount);
        _send(proposer, amount);
    }

    function outputCount() external view returns (uint256) {
        return _outputs.length;
    }

    function getOutput(uint256 index) external view returns (Output memory) {
        if (index >= _outputs.length) revert OutputNotFound(index);
        return _outputs[index];
    }

    /// @notice The output root at `index`; reverts for an output that does not exist (or was deleted).
    function outputRootAt(uint256 index) external view returns (bytes32) {
        if (index >= _outputs.length) revert OutputNotFound(index);
        return _outputs[index].outputRoot;
    }

    /// @notice The leaf batch `batchIndex`'s trace must start with: the genesis leaf for batch 0,
    ///         else the previous output's last step state at position zero.
    function expectedFirstLeaf(uint256 batchIndex) external view returns (bytes32) {
        if (batchIndex == 0) return genesisLeaf;
        if (batchIndex > _outputs.length) revert OutputNotFound(batchIndex - 1);
        return _outputs[batchIndex - 1].nextFirstLeaf;
    }

    function isFinalized(uint256 index) external view returns (bool) {
        return index < _outputs.length && _isFinal(_outputs[index]);
    }

    function _isFinal(Output storage output) private view returns (bool) {
        return block.timestamp >= uint256(output.proposedAt) + challengeWindow;
    }

    function _bondsBefore(uint256 index) private view returns (uint256) {
        return index == 0 ? 0 : _outputs[index - 1].cumulativeBond;
    }

    /// @dev The leaves start where the previous batch ended and end in a step state with `stateRoot`.
    function _checkTrace(uint256 count, bytes32 stateRoot, bytes calldata lastLeaf, bytes32[] calldata leaves) private view {
        if (leaves.length < 2 || leaves.length > MAX_TRACE_LEAVES) revert WrongLeafCount(leaves.length);
        bytes32 firstLeaf = count == 0 ? genesisLeaf : _outputs[count - 1].nextFirstLeaf;
        if (leaves[0] != firstLeaf) revert WrongFirstLeaf(leaves[0], firstLeaf);
        bytes32 lastLeafHash = keccak256(lastLeaf);
        bytes32 last = leaves[leaves.length - 1];
        if (lastLeaf.length != STEP_STATE_BYTES || lastLeafHash != last) revert LastLeafMismatch(lastLeafHash, last);
        if (bytes32(lastLeaf[:32]) != stateRoot) revert StateRootMismatch(stateRoot, bytes32(lastLeaf[:32]));
    }

    function _emitProposed(uint256 batchIndex, bytes32 stateRoot, bytes32 blockHash, Output memory output) private {
        emit OutputProposed(
            batchIndex,
            output.outputRoot,
            stateRoot,
            blockHash,
            output.traceRoot,
            output.leafCount,
            output.l2BlockNumber,
            output.proposedAt,
            msg.value
        );
    }

    /// @dev The root of the binary keccak Merkle tree over `leaves` padded on the right with
    ///      bytes32(0) to the next power of two, inner node keccak256(left ‖ right) (node/trace/merkle.ts).
    ///      Built level by level in place, in scratch memory past the free memory pointer: nothing
    ///      is allocated and each inner node is one keccak256 over 64 bytes of memory.
    function _traceRoot(bytes32[] calldata leaves) private pure returns (bytes32 root) {
        uint256 length = leaves.length;
        uint256 width = 1;
        while (width < length) width <<= 1;
        assembly ("memory-safe") {
            let base := mload(0x40)
            calldatacopy(base, leaves.offset, shl(5, length))
            // memory past the free pointer may hold earlier scratch data: pad explicitly
            for { let p := add(base, shl(5, length)) let end := add(base, shl(5, width)) } lt(p, end) { p := add(p, 32) } {
                mstore(p, 0)
            }
            for {} gt(width, 1) {} {
                width := shr(1, width)
                // node i of the level above overwrites word i, which no later pair of this level reads
                for { let i := 0 } lt(i, width) { i := add(i, 1) } {
                    mstore(add(base, shl(5, i)), keccak256(add(base, shl(6, i)), 64))
                }
            }
            root := mload(base)
        }
    }

    function _send(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
