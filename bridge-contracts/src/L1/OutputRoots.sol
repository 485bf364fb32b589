// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title OutputRoots
/// @notice The proposer's L2 output roots, one per batch in batch order, each with a bond. An
///         output finalizes `challengeWindow` seconds after it is proposed. Until then the fraud
///         verifier may delete it and every later one (decision 6); their bonds go to the verifier,
///         which pays the challenger. Bonds of finalized outputs go back to the proposer.
///
///         outputRoot = keccak256(abi.encode(uint256(0), stateRoot, blockHash)): version 0, then the
///         L2 state root and block hash after the batch's last block. traceRoot is the Merkle root
///         of the state roots after every record of the batch.
contract OutputRoots {
    uint256 public constant OUTPUT_VERSION = 0;

    struct Output {
        bytes32 outputRoot;
        bytes32 traceRoot;
        uint64 l2BlockNumber;
        uint64 proposedAt;
        /// @dev Sum of the bonds of outputs 0..this one, so slashing a suffix costs O(1).
        uint128 cumulativeBond;
    }

    address public immutable owner;
    address public immutable proposer;
    uint256 public immutable challengeWindow;
    uint256 public immutable minBond;
    address public fraudVerifier;

    Output[] private _outputs;
    /// @notice Outputs below this index have had their bonds returned.
    uint256 public bondsReturnedThrough;

    event OutputProposed(
        uint256 indexed batchIndex,
        bytes32 indexed outputRoot,
        bytes32 traceRoot,
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
    error EmptyOutputRoot();
    error L2BlockNotAfterPrevious(uint64 l2BlockNumber, uint64 previous);
    error OutputNotFound(uint256 index);
    error OutputAlreadyFinalized(uint256 index);
    error OutputNotFinalized(uint256 index);
    error NothingToReturn();
    error TransferFailed();

    constructor(address owner_, address proposer_, uint256 challengeWindow_, uint256 minBond_) {
        if (proposer_ == address(0)) revert ZeroAddress();
        owner = owner_;
        proposer = proposer_;
        challengeWindow = challengeWindow_;
        minBond = minBond_;
    }

    /// @notice Names the fraud verifier: once, by the owner.
    function setFraudVerifier(address verifier) external {
        if (msg.sender != owner) revert NotOwner();
        if (fraudVerifier != address(0)) revert FraudVerifierAlreadySet();
        if (verifier == address(0)) revert ZeroAddress();
        fraudVerifier = verifier;
        emit FraudVerifierSet(verifier);
    }

    function proposeOutput(uint256 batchIndex, bytes32 outputRoot, bytes32 traceRoot, uint64 l2BlockNumber)
        external
        payable
    {
        if (msg.sender != proposer) revert NotProposer(msg.sender);
        if (msg.value < minBond) revert BondTooSmall(msg.value, minBond);
        if (msg.value > type(uint96).max) revert BondTooLarge();
        uint256 count = _outputs.length;
        if (batchIndex != count) revert WrongBatchIndex(batchIndex, count);
        if (outputRoot == bytes32(0)) revert EmptyOutputRoot();
        uint128 previousBond;
        if (count > 0) {
            Output storage previous = _outputs[count - 1];
            if (l2BlockNumber <= previous.l2BlockNumber) {
                revert L2BlockNotAfterPrevious(l2BlockNumber, previous.l2BlockNumber);
            }
            previousBond = previous.cumulativeBond;
        }
        uint64 proposedAt = uint64(block.timestamp);
        _outputs.push(
            Output({
                outputRoot: outputRoot,
                traceRoot: traceRoot,
                l2BlockNumber: l2BlockNumber,
                proposedAt: proposedAt,
                cumulativeBond: previousBond + uint128(msg.value)
            })
        );
        emit OutputProposed(batchIndex, outputRoot, traceRoot, l2BlockNumber, proposedAt, msg.value);
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

    function isFinalized(uint256 index) external view returns (bool) {
        return index < _outputs.length && _isFinal(_outputs[index]);
    }

    function _isFinal(Output storage output) private view returns (bool) {
        return block.timestamp >= uint256(output.proposedAt) + challengeWindow;
    }

    function _bondsBefore(uint256 index) private view returns (uint256) {
        return index == 0 ? 0 : _outputs[index - 1].cumulativeBond;
    }

    function _send(address to, uint256 amount) private {
        if (amount == 0) return;
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
