// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BetEngineBase} from "../../stf/BetEngineBase.sol";

/// @title BetEngineWitnessFrame
/// @notice The bet engine's storage and context hooks for the L1 verifier's inner frame, over
///         transient storage that the outer frame (BetEngineVerifier) fills from the witness. Both
///         L1 halves (BetEngineVerifier, and BetEngineExtensionVerifier, which runs in its
///         context by delegatecall) use these, so they share one view of the call's state.
abstract contract BetEngineWitnessFrame is BetEngineBase {
    uint256 internal constant OFFERED = 1;
    uint256 internal constant WRITTEN = 2;
    /// @dev Transient layout: context = sender | time << 160 | 1 << 224; writes = count, then the
    ///      written slots at writes + 1 + i; per slot, its state (OFFERED or WRITTEN) and its value.
    bytes32 internal constant T_CONTEXT = keccak256("rollbook.betEngineVerifier.context");
    bytes32 internal constant T_WRITES = keccak256("rollbook.betEngineVerifier.writes");
    bytes32 internal constant T_SLOT_STATE = keccak256("rollbook.betEngineVerifier.slotState");
    bytes32 internal constant T_SLOT_VALUE = keccak256("rollbook.betEngineVerifier.slotValue");

    /// @notice Inner frame to outer frame: prove this slot and run again.
    error SlotNotInWitness(bytes32 slot);
    error NotVerifierCall();

    // ---------------------------------------------------------------- BetEngineLogic over the witness

    function _load(bytes32 slot) internal view override returns (uint256) {
        if (msg.sender != address(this)) revert NotVerifierCall();
        if (_tload(_slotKey(T_SLOT_STATE, slot)) == 0) revert SlotNotInWitness(slot);
        return _tload(_slotKey(T_SLOT_VALUE, slot));
    }

    function _store(bytes32 slot, uint256 value) internal override {
        if (msg.sender != address(this)) revert NotVerifierCall();
        bytes32 stateKey = _slotKey(T_SLOT_STATE, slot);
        if (_tload(stateKey) != WRITTEN) {
            _tstore(stateKey, WRITTEN);
            uint256 count = _tload(T_WRITES);
            _tstore(bytes32(uint256(T_WRITES) + 1 + count), uint256(slot));
            _tstore(T_WRITES, count + 1);
        }
        _tstore(_slotKey(T_SLOT_VALUE, slot), value);
    }

    function _context() internal view override returns (Context memory) {
        if (msg.sender != address(this)) revert NotVerifierCall();
        uint256 packed = _tload(T_CONTEXT);
        return Context({sender: address(uint160(packed)), time: uint64(packed >> 160)});
    }

    function _slotKey(bytes32 table, bytes32 slot) internal pure returns (bytes32 key) {
        assembly ("memory-safe") {
            mstore(0x00, table)
            mstore(0x20, slot)
            key := keccak256(0x00, 0x40)
        }
    }

    function _tload(bytes32 key) internal view returns (uint256 value) {
        assembly ("memory-safe") {
            value := tload(key)
        }
    }

    function _tstore(bytes32 key, uint256 value) internal {
        assembly ("memory-safe") {
            tstore(key, value)
        }
    }
}
