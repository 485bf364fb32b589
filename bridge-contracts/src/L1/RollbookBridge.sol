// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20, SafeToken} from "../libraries/SafeToken.sol";
import {MerkleTrie} from "../libraries/MerkleTrie.sol";
import {RlpItem, RlpReader} from "../libraries/RlpReader.sol";
import {MessageQueue} from "./MessageQueue.sol";
import {OutputRoots} from "./OutputRoots.sol";

/// @title RollbookBridge
/// @notice Holds the L1 token that backs L2 balances (decision 8). A deposit pulls tokens and
///         queues a message for L2. A withdrawal is a record in L2 state, the bet engine's
///         `mapping(bytes32 withdrawalHash => uint256)` at slot 7 set to 1, with
///         withdrawalHash = keccak256(abi.encode(l2Sender, l1Recipient, amount, nonce)); once the
///         output holding it is final, anyone proves it with eth_getProof-form MPT proofs and the
///         bridge pays the recipient, once.
contract RollbookBridge {
    using SafeToken for IERC20;

    /// @notice The L2 bet engine predeploy (sdk/src/constants.ts BET_ENGINE_ADDRESS).
    address public constant BET_ENGINE = 0x4200000000000000000000000000000000000b37;
    uint256 public constant WITHDRAWALS_SLOT = 7;

    struct Withdrawal {
        address l2Sender;
        address l1Recipient;
        uint256 amount;
        uint256 nonce;
    }

    /// @notice The preimage of an output root and the two MPT proofs of the withdrawal record.
    struct WithdrawalProof {
        uint256 outputIndex;
        bytes32 stateRoot;
        bytes32 blockHash;
        bytes[] accountProof;
        bytes[] storageProof;
    }

    IERC20 public immutable token;
    MessageQueue public immutable queue;
    OutputRoots public immutable outputs;
    mapping(bytes32 withdrawalHash => bool) public finalizedWithdrawals;

    event DepositInitiated(
        uint256 indexed queueIndex, address indexed from, address indexed l2Recipient, uint256 amount
    );
    event WithdrawalFinalized(
        bytes32 indexed withdrawalHash,
        address indexed l2Sender,
        address indexed l1Recipient,
        uint256 amount,
        uint256 nonce,
        uint256 outputIndex
    );

    error ZeroAmount();
    error ZeroAddress();
    error OutputNotFinalized(uint256 outputIndex);
    error OutputRootMismatch(uint256 outputIndex);
    error WithdrawalAlreadyFinalized(bytes32 withdrawalHash);
    error BetEngineAccountMissing();
    error BadAccount();
    error WithdrawalNotInState(bytes32 withdrawalHash);

    constructor(IERC20 token_, MessageQueue queue_, OutputRoots outputs_) {
        token = token_;
        queue = queue_;
        outputs = outputs_;
    }

    /// @notice Pulls `amount` tokens (approve first) and queues a deposit crediting `l2Recipient`.
    ///         Payload: abi.encode(l2Recipient, amount); the queue message's sender is msg.sender.
    function deposit(address l2Recipient, uint256 amount) external returns (uint256 queueIndex) {
        if (amount == 0) revert ZeroAmount();
        if (l2Recipient == address(0)) revert ZeroAddress();
        token.safeTransferFrom(msg.sender, address(this), amount);
        queueIndex = queue.enqueue(queue.KIND_DEPOSIT(), msg.sender, abi.encode(l2Recipient, amount));
        emit DepositInitiated(queueIndex, msg.sender, l2Recipient, amount);
    }

    function finalizeWithdrawal(Withdrawal calldata withdrawal, WithdrawalProof calldata proof) external {
        if (!outputs.isFinalized(proof.outputIndex)) revert OutputNotFinalized(proof.outputIndex);
        bytes32 expected = keccak256(abi.encode(outputs.OUTPUT_VERSION(), proof.stateRoot, proof.blockHash));
        if (outputs.outputRootAt(proof.outputIndex) != expected) revert OutputRootMismatch(proof.outputIndex);

        bytes32 withdrawalHash = hashWithdrawal(withdrawal);
        if (finalizedWithdrawals[withdrawalHash]) revert WithdrawalAlreadyFinalized(withdrawalHash);
        if (!_provenInState(withdrawalHash, proof)) revert WithdrawalNotInState(withdrawalHash);

        finalizedWithdrawals[withdrawalHash] = true;
        emit WithdrawalFinalized(
            withdrawalHash,
            withdrawal.l2Sender,
            withdrawal.l1Recipient,
            withdrawal.amount,
            withdrawal.nonce,
            proof.outputIndex
        );
        token.safeTransfer(withdrawal.l1Recipient, withdrawal.amount);
    }

    function hashWithdrawal(Withdrawal calldata withdrawal) public pure returns (bytes32) {
        return keccak256(abi.encode(withdrawal.l2Sender, withdrawal.l1Recipient, withdrawal.amount, withdrawal.nonce));
    }

    /// @notice The bet engine storage slot of a withdrawal record: keccak256(abi.encode(hash, 7)).
    function withdrawalSlot(bytes32 withdrawalHash) public pure returns (bytes32) {
        return keccak256(abi.encode(withdrawalHash, WITHDRAWALS_SLOT));
    }

    function _provenInState(bytes32 withdrawalHash, WithdrawalProof calldata proof) private pure returns (bool) {
        (bool accountExists, bytes memory account) =
            MerkleTrie.getSecure(abi.encodePacked(BET_ENGINE), proof.accountProof, proof.stateRoot);
        if (!accountExists) revert BetEngineAccountMissing();
        RlpItem[] memory fields = RlpReader.toItem(account).readList();
        if (fields.length != 4) revert BadAccount();
        bytes32 storageRoot = fields[2].readBytes32();

        (bool slotExists, bytes memory encodedValue) =
            MerkleTrie.getSecure(abi.encode(withdrawalSlot(withdrawalHash)), proof.storageProof, storageRoot);
        if (!slotExists) return false;
        // A storage leaf holds rlp(value) with the value's minimal big-endian bytes: 1 is 0x01.
        return encodedValue.length == 1 && encodedValue[0] == 0x01;
    }
}
