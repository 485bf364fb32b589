// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BetEngineViews} from "../stf/BetEngineViews.sol";
import {BetEngineExtension} from "../stf/BetEngineExtension.sol";

/// @title BetEngine
/// @notice The L2 bet engine predeploy. Genesis places its runtime code at BET_ENGINE_ADDRESS and
///         sets its storage (operator, oracle, counters, balances) directly, so it has no constructor.
///         Both halves of the rules (BetEngineLogic, BetEngineExtension) are in this one contract.
contract BetEngine is BetEngineViews, BetEngineExtension {
    function _load(bytes32 slot) internal view override returns (uint256 value) {
        assembly ("memory-safe") {
            value := sload(slot)
        }
    }

    function _store(bytes32 slot, uint256 value) internal override {
        assembly ("memory-safe") {
            sstore(slot, value)
        }
    }

    function _context() internal view override returns (Context memory) {
        return Context({sender: msg.sender, time: uint64(block.timestamp)});
    }
}
