// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title MessageQueue
/// @notice The L1 message queue of decision 7: deposits (from the bridge) and forced transactions
///         (from the inbox) in one hash chain, which derivation reads in order and the sequencer
///         must include within the sequencer window.
///         queueHash[n] = keccak256(abi.encode(queueHash[n-1], kind, sender, payload, l1BlockNumber,
///         timestamp)), with queueHash[-1] = 0 and kind, l1BlockNumber, timestamp as uint8, uint64, uint64.
contract MessageQueue {
    uint8 public constant KIND_DEPOSIT = 0;
    uint8 public constant KIND_FORCED_TX = 1;

    address public immutable owner;
    address public bridge;
    address public inbox;
    bytes32[] private _hashes;

    /// @notice Everything derivation needs to rebuild the message and check the chain.
    event MessageQueued(
        uint256 indexed index,
        uint8 indexed kind,
        address indexed sender,
        bytes payload,
        uint64 l1BlockNumber,
        uint64 timestamp,
        bytes32 queueHash
    );
    event EnqueuersSet(address bridge, address inbox);

    error NotOwner();
    error AlreadyInitialized();
    error ZeroAddress();
    error NotEnqueuer(address caller);
    error IndexOutOfRange(uint256 index, uint256 length);

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Names the two contracts allowed to enqueue; once, by the owner, right after deploy.
    function setEnqueuers(address bridge_, address inbox_) external {
        if (msg.sender != owner) revert NotOwner();
        if (bridge != address(0)) revert AlreadyInitialized();
        if (bridge_ == address(0) || inbox_ == address(0)) revert ZeroAddress();
        bridge = bridge_;
        inbox = inbox_;
        emit EnqueuersSet(bridge_, inbox_);
    }

    /// @notice Appends a message: deposits only from the bridge, forced txs only from the inbox.
    function enqueue(uint8 kind, address sender, bytes calldata payload) external returns (uint256 index) {
        address allowed = kind == KIND_DEPOSIT ? bridge : kind == KIND_FORCED_TX ? inbox : address(0);
        if (msg.sender != allowed || allowed == address(0)) revert NotEnqueuer(msg.sender);
        index = _hashes.length;
        bytes32 previous = index == 0 ? bytes32(0) : _hashes[index - 1];
        uint64 l1BlockNumber = uint64(block.number);
        uint64 timestamp = uint64(block.timestamp);
        bytes32 next = keccak256(abi.encode(previous, kind, sender, payload, l1BlockNumber, timestamp));
        _hashes.push(next);
        emit MessageQueued(index, kind, sender, payload, l1BlockNumber, timestamp, next);
    }

    function queueLength() external view returns (uint256) {
        return _hashes.length;
    }

    function queueHash(uint256 index) external view returns (bytes32) {
        if (index >= _hashes.length) revert IndexOutOfRange(index, _hashes.length);
        return _hashes[index];
    }
}
