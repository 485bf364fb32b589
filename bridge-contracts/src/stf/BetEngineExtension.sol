// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BetEngineMarkets} from "./BetEngineMarkets.sol";
import {BetEngineParlays} from "./BetEngineParlays.sol";

/// @title BetEngineExtension
/// @notice The second half of Rollbook's betting rules (docs/decisions/0008): the L2 predeploy
///         holds both halves in one contract; on L1 each half is its own build, under EIP-170, and
///         BetEngineVerifier runs this one by delegatecall for the selectors it does not have.
///         Same rules as BetEngineLogic: storage only through `_load`/`_store`, bounded gas. It
///         gathers BetEngineMarkets (market management) and BetEngineParlays (parlays, cash-out),
///         and holds settleBets.
abstract contract BetEngineExtension is BetEngineMarkets, BetEngineParlays {
    /// @notice The most bets one settleBets call takes: each settled bet costs up to ~35k L2 gas
    ///         (within the protocol's 1M per tx) and, in a fraud proof, three witnessed slots.
    uint256 internal constant MAX_SETTLE_BATCH = 4;

    error TooManyBets(uint256 max);

    /// @notice Settles every listed bet that can be settled now (anyone may call it): a bet that
    ///         cannot (unknown, already settled, its market not final) is skipped, so a settler
    ///         racing a bettor's own settleBet wastes nothing. Returns how many were settled.
    ///         Parlays too: a parlay counts as 1 + legs / 2 of the MAX_SETTLE_BATCH (about the
    ///         slots it touches), and one that no longer fits is skipped.
    function settleBets(uint256[] calldata betIds) external returns (uint256 settled) {
        uint256 count = betIds.length;
        if (count > MAX_SETTLE_BATCH) revert TooManyBets(MAX_SETTLE_BATCH);
        uint256 room = MAX_SETTLE_BATCH;
        for (uint256 i = 0; i < count; ++i) {
            uint256 weight = _settleWithin(betIds[i], room);
            if (weight == 0) continue;
            room -= weight;
            ++settled;
        }
    }
}
