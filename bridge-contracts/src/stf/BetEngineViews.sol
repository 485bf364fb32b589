// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BetEngineLogic} from "./BetEngineLogic.sol";

/// @title BetEngineViews
/// @notice The bet engine's views over the layout of BetEngineLogic. Only the L2 predeploy has them:
///         a view writes nothing, so a tx calling one leaves the same state whether it runs (L2) or
///         finds no such function (the L1 verifier, BetEngineVerifier), and leaving them out keeps
///         the verifier within EIP-170's 24,576 bytes. No rule lives here.
abstract contract BetEngineViews is BetEngineLogic {
    struct MarketView {
        uint8 status;
        uint8 outcomeCount;
        uint8 result;
        uint64 closeTime;
        uint96 maxStake;
        uint128 maxLiability;
        uint32[] odds;
        uint128[] liability;
    }

    /// @notice A market's oracle vote (docs/decisions/0007): the current round's votes, as the
    ///         members of the current committee who voted (in seat order) and their results.
    struct ResultStateView {
        uint32 round;
        bool proposed;
        uint8 proposedResult;
        uint64 finalAt;
        /// proposed and past its dispute window (the market may still await finalizeResult)
        bool isFinal;
        /// this round began with a flag and nothing is proposed yet
        bool flagged;
        address[] voters;
        uint8[] votes;
    }

    struct BetView {
        address bettor;
        uint64 marketId;
        uint8 outcome;
        uint8 status;
        uint96 stake;
        uint32 odds;
        uint128 payout;
        /// 0 a single bet, 1 a parlay (marketId 0, outcome its leg count: getParlay has its legs)
        uint8 kind;
    }

    /// @notice A parlay's legs (docs/decisions/0007): each leg's market, outcome and the odds it was placed at.
    struct ParlayView {
        address bettor;
        uint8 status;
        uint96 stake;
        uint32 odds;
        uint128 payout;
        uint64[] marketIds;
        uint8[] outcomes;
        uint32[] legOdds;
    }

    function withdrawalInitiated(bytes32 withdrawalHash) external view returns (bool) {
        return _load(_mappingSlot(uint256(withdrawalHash), SLOT_WITHDRAWALS)) == 1;
    }

    function nextWithdrawalNonce() external view returns (uint256) {
        return _load(bytes32(SLOT_NEXT_WITHDRAWAL_NONCE));
    }

    function l1Messenger() external pure returns (address) {
        return L1_MESSENGER;
    }

    function operator() external view returns (address) {
        return _operator();
    }

    function oracle() external view returns (address) {
        return address(uint160(_load(bytes32(SLOT_ORACLE))));
    }

    function nextMarketId() external view returns (uint256) {
        return _orOne(_load(bytes32(SLOT_NEXT_MARKET_ID)));
    }

    function nextBetId() external view returns (uint256) {
        return _orOne(_load(bytes32(SLOT_NEXT_BET_ID)));
    }

    function getMarket(uint256 marketId) external view returns (MarketView memory market) {
        bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
        uint256 head = _load(base);
        uint8 count = uint8(head >> 8);
        market.status = uint8(head);
        market.outcomeCount = count;
        market.result = uint8(head >> 16);
        market.closeTime = uint64(head >> 24);
        market.maxStake = uint96(head >> 88);
        market.maxLiability = uint128(_load(_offset(base, 1)));
        market.odds = new uint32[](count);
        market.liability = new uint128[](count);
        for (uint256 i = 0; i < count; ++i) {
            market.odds[i] = uint32(_load(_offset(base, 2 + (i >> 3))) >> ((i & 7) << 5));
            market.liability[i] = uint128(_load(_offset(base, 4 + (i >> 1))) >> ((i & 1) << 7));
        }
    }

    function getCommittee() external view returns (address[] memory members, uint8 threshold, uint32 disputeWindowSeconds) {
        uint256 committee = _load(bytes32(SLOT_COMMITTEE));
        threshold = uint8(committee);
        disputeWindowSeconds = uint32(committee >> 8);
        members = new address[](_load(bytes32(SLOT_MEMBERS)));
        bytes32 first = _arraySlot(SLOT_MEMBERS);
        for (uint256 i = 0; i < members.length; ++i) {
            members[i] = address(uint160(_load(_offset(first, i))));
        }
    }

    function getResultState(uint256 marketId) external view returns (ResultStateView memory view_) {
        bytes32 base = _mappingSlot(marketId, SLOT_RESOLUTIONS);
        uint256 state = _load(base);
        view_.round = uint32(state);
        view_.proposed = uint8(state >> 32) != 0;
        view_.proposedResult = uint8(state >> 40);
        view_.finalAt = uint64(state >> 48);
        view_.isFinal = view_.proposed && _context().time >= view_.finalAt;
        view_.flagged = !view_.proposed && view_.round != 0;
        uint256 votes = _load(_offset(base, 1));
        // votes of an earlier round or committee count for nothing
        if (uint96(votes) != _votesTag(state, _load(bytes32(SLOT_COMMITTEE)))) votes = 0;
        uint256 count;
        for (uint256 i = 0; i < MAX_MEMBERS; ++i) {
            if ((votes >> (96 + i)) & 1 != 0) ++count;
        }
        view_.voters = new address[](count);
        view_.votes = new uint8[](count);
        bytes32 first = _arraySlot(SLOT_MEMBERS);
        count = 0;
        for (uint256 i = 0; i < MAX_MEMBERS; ++i) {
            if ((votes >> (96 + i)) & 1 == 0) continue;
            view_.voters[count] = address(uint160(_load(_offset(first, i))));
            view_.votes[count++] = uint8(votes >> (112 + (i << 3)));
        }
    }

    function getBet(uint256 betId) external view returns (BetView memory bet) {
        bytes32 betBase = _mappingSlot(betId, SLOT_BETS);
        uint256 head = _load(betBase);
        uint256 amounts = _load(_offset(betBase, 1));
        bet.bettor = address(uint160(head));
        bet.marketId = uint64(head >> 160);
        bet.outcome = uint8(head >> 224);
        bet.status = uint8(head >> 232);
        bet.stake = uint96(amounts);
        bet.odds = uint32(amounts >> 96);
        bet.payout = uint128(amounts >> 128);
        bet.kind = uint8(head >> 240);
    }

    /// @notice A parlay and its legs; a bet that is not a parlay reads as no legs and status 0.
    function getParlay(uint256 betId) external view returns (ParlayView memory parlay) {
        bytes32 betBase = _mappingSlot(betId, SLOT_BETS);
        uint256 head = _load(betBase);
        if (uint8(head >> 240) != BET_KIND_PARLAY) return parlay;
        uint256 amounts = _load(_offset(betBase, 1));
        uint256 legCount = uint8(head >> 224);
        parlay.bettor = address(uint160(head));
        parlay.status = uint8(head >> 232);
        parlay.stake = uint96(amounts);
        parlay.odds = uint32(amounts >> 96);
        parlay.payout = uint128(amounts >> 128);
        parlay.marketIds = new uint64[](legCount);
        parlay.outcomes = new uint8[](legCount);
        parlay.legOdds = new uint32[](legCount);
        for (uint256 i = 0; i < legCount; ++i) {
            uint256 leg = uint128(_load(_offset(betBase, 2 + (i >> 1))) >> ((i & 1) << 7));
            parlay.marketIds[i] = uint64(leg);
            parlay.outcomes[i] = uint8(leg >> 64);
            parlay.legOdds[i] = uint32(leg >> 72);
        }
    }
}
