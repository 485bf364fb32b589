// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BetEngineBase} from "./BetEngineBase.sol";

/// @title BetEngineMarkets
/// @notice The operator's market management beyond createMarket and setOdds (issue 5): market
///         type and line, suspension, early close, limits and the odds engine's pricing, and the
///         views over them (quote, getMarketConfig, getBettorStake). Part of the second half of the
///         rules (BetEngineExtension; docs/decisions/0008). Layout: BetEngineBase; the rules of a
///         priced or limited bet are in placeBet (BetEngineLogic) through `_offeredOdds` and
///         `_limitsAfter`, which quote shares.
abstract contract BetEngineMarkets is BetEngineBase {
    uint8 internal constant TYPE_UNSPECIFIED = 0;
    uint8 internal constant TYPE_1X2 = 1;
    uint8 internal constant TYPE_MONEYLINE = 2;
    uint8 internal constant TYPE_OVER_UNDER = 3;
    uint8 internal constant TYPE_HANDICAP = 4;
    /// @notice The odds engine's margin is at most 50%.
    uint256 internal constant MAX_MARGIN_BPS = 5_000;
    uint256 internal constant BPS = 10_000;

    /// @notice An unknown market type, or one whose outcome count the market does not have
    ///         (1X2: 3; moneyline and over/under: 2; handicap: 2 or 3).
    error BadMarketType();
    /// @notice A line the type does not take: over/under > 0, 1X2 / moneyline / unspecified 0.
    error BadLine();
    error MarketNotSuspended();
    /// @notice Not one probability per outcome, a zero one, or a sum other than 10,000 bps.
    error BadProbabilities();
    error BadMargin();
    /// @notice The floor must pay more than the stake (> 10,000) and stay within MAX_ODDS.
    error BadFloorOdds();

    event MarketInfoSet(uint256 indexed marketId, uint8 marketType, int16 line);
    event MarketSuspended(uint256 indexed marketId);
    event MarketReopened(uint256 indexed marketId);
    event MarketClosedEarly(uint256 indexed marketId, uint64 closeTime);
    event LimitsSet(uint256 indexed marketId, uint96 maxStakePerBettor, uint128 maxMarketLiability);
    event PricingSet(uint256 indexed marketId, uint16[] probabilitiesBps, uint16 marginBps, uint32 slope, uint32 floorOdds);

    struct MarketConfigView {
        /// 0 none, 1 open, 2 resolved, 3 suspended
        uint8 status;
        uint8 outcomeCount;
        uint64 closeTime;
        uint8 marketType;
        int16 line;
        uint96 maxStake;
        /// per outcome
        uint128 maxLiability;
        uint96 maxStakePerBettor;
        uint128 maxMarketLiability;
        /// the market counts stakes and its total payout (it has had limits)
        bool limited;
        bool priced;
        uint16[] probabilitiesBps;
        uint16 marginBps;
        uint32 slope;
        uint32 floorOdds;
        /// every outcome's offered odds now (what a bet would get)
        uint32[] odds;
        uint128[] liability;
        /// the sum of the outcomes' liabilities: every payout the market's bets escrowed
        uint256 totalLiability;
    }

    // ---------------------------------------------------------------- operator

    /// @notice Records a market's type and line (tenths of a point): 1 = 1X2 (3 outcomes: home,
    ///         draw, away), 2 = moneyline (2), 3 = over/under (2: over, under; line > 0), 4 =
    ///         handicap (2 or 3; any line, e.g. -15 = home -1.5), 0 = unspecified (line 0).
    ///         Metadata only: no rule reads it. Open or suspended, before the close time.
    function setMarketInfo(uint256 marketId, uint8 marketType, int16 line) external {
        (, uint256 head) = _managedMarket(marketId);
        uint8 count = uint8(head >> 8);
        if (marketType == TYPE_1X2) {
            if (count != 3) revert BadMarketType();
        } else if (marketType == TYPE_MONEYLINE || marketType == TYPE_OVER_UNDER) {
            if (count != 2) revert BadMarketType();
        } else if (marketType == TYPE_HANDICAP) {
            if (count != 2 && count != 3) revert BadMarketType();
        } else if (marketType != TYPE_UNSPECIFIED) {
            revert BadMarketType();
        }
        if (marketType == TYPE_OVER_UNDER ? line <= 0 : (marketType != TYPE_HANDICAP && line != 0)) revert BadLine();
        _store(_mappingSlot(marketId, SLOT_MARKET_INFO), uint256(marketType) | (uint256(uint16(line)) << 8));
        emit MarketInfoSet(marketId, marketType, line);
    }

    /// @notice Stops bets on an open market before its close time (status 3). The operator may
    ///         still set odds, pricing and limits; past the close time the committee resolves it.
    function suspendMarket(uint256 marketId) external {
        (bytes32 base, uint256 head) = _managedMarket(marketId);
        if (uint8(head) != MARKET_OPEN) revert MarketNotOpen();
        _store(base, (head & ~uint256(0xff)) | MARKET_SUSPENDED);
        emit MarketSuspended(marketId);
    }

    /// @notice Opens a suspended market to bets again, before its close time.
    function reopenMarket(uint256 marketId) external {
        (bytes32 base, uint256 head) = _managedMarket(marketId);
        if (uint8(head) != MARKET_SUSPENDED) revert MarketNotSuspended();
        _store(base, (head & ~uint256(0xff)) | MARKET_OPEN);
        emit MarketReopened(marketId);
    }

    /// @notice Closes an open or suspended market now (the event started early, or was called
    ///         off): its close time becomes this block's time and its status open, so no bet is
    ///         taken and the committee may vote at once.
    function closeMarket(uint256 marketId) external {
        (bytes32 base, uint256 head) = _managedMarket(marketId);
        uint64 now_ = _context().time;
        _store(base, (head & ~((uint256(type(uint64).max) << 24) | 0xff)) | MARKET_OPEN | (uint256(now_) << 24));
        emit MarketClosedEarly(marketId, now_);
    }

    /// @notice Sets a market's limits (0: no limit): the most one bettor may stake on it in all, and
    ///         the most its bets may escrow in all (the total payout over every outcome, next to
    ///         createMarket's cap per outcome). The first call that sets a limit starts the counting:
    ///         the total from the outcomes' liabilities, each bettor's sum from 0 (stakes placed
    ///         before it do not count; set limits at creation). The counting then goes on, limits or not.
    function setLimits(uint256 marketId, uint96 maxStakePerBettor, uint128 maxMarketLiability) external {
        (bytes32 base, uint256 head) = _managedMarket(marketId);
        _store(_offset(base, MARKET_LIMITS), uint256(maxStakePerBettor) | (uint256(maxMarketLiability) << 96));
        if (head & MARKET_LIMITED == 0 && (maxStakePerBettor != 0 || maxMarketLiability != 0)) {
            _store(base, head | MARKET_LIMITED);
            uint256 total = _totalLiability(base, uint8(head >> 8));
            if (total > type(uint128).max) total = type(uint128).max;
            bytes32 capSlot = _offset(base, 1);
            _store(capSlot, uint128(_load(capSlot)) | (total << 128));
        }
        emit LimitsSet(marketId, maxStakePerBettor, maxMarketLiability);
    }

    /// @notice Turns the odds engine on for a market (or re-prices it): fair probabilities in basis
    ///         points (one per outcome, each > 0, summing to 10,000), a margin (at most 5,000 bps),
    ///         a slope (odds units per whole token of an outcome's liability) and a floor (> 1.0).
    ///         The base odds of outcome i are min(MAX_ODDS, floor(10^4 * (10,000 - margin) / p_i))
    ///         (= 10^8 / p_i * (1 - margin) in 4-decimal fixed point, rounded down once), stored in
    ///         the market's odds words; the offered odds are `_shortenedOdds` of them. Emits
    ///         PricingSet and OddsChanged with every outcome's offered odds now.
    function setPricing(uint256 marketId, uint16[] calldata probabilitiesBps, uint16 marginBps, uint32 slope, uint32 floorOdds)
        external
    {
        (bytes32 base, uint256 head) = _managedMarket(marketId);
        uint256 count = uint8(head >> 8);
        if (probabilitiesBps.length != count) revert BadProbabilities();
        if (marginBps > MAX_MARGIN_BPS) revert BadMargin();
        if (floorOdds <= ODDS_SCALE || floorOdds > MAX_ODDS) revert BadFloorOdds();
        uint256 probabilities;
        uint256 sum;
        uint256 low;
        uint256 high;
        for (uint256 i = 0; i < count; ++i) {
            uint256 p = probabilitiesBps[i];
            if (p == 0) revert BadProbabilities();
            sum += p;
            probabilities |= p << (i << 4);
            uint256 odds = (ODDS_SCALE * (BPS - marginBps)) / p;
            if (odds > MAX_ODDS) odds = MAX_ODDS;
            if (i < 8) low |= odds << (i << 5);
            else high |= odds << ((i - 8) << 5);
        }
        if (sum != BPS) revert BadProbabilities();
        _store(_offset(base, 2), low);
        if (count > 8) _store(_offset(base, 3), high);
        _store(_offset(base, MARKET_PROBABILITIES), probabilities);
        _store(_offset(base, MARKET_PRICING), uint256(marginBps) | (uint256(slope) << 16) | (uint256(floorOdds) << 48));
        if (head & MARKET_PRICED == 0) _store(base, head | MARKET_PRICED);
        emit PricingSet(marketId, probabilitiesBps, marginBps, slope, floorOdds);
        emit OddsChanged(marketId, _allOfferedOdds(base, head | MARKET_PRICED));
    }

    // ---------------------------------------------------------------- views

    /// @notice Exactly the odds and payout placeBet would fix for the caller's bet now, with the same
    ///         checks in the same order and the same errors (market open and before its close, the
    ///         outcome, the stake and its cap, the outcome's liability cap, the bettor's and the
    ///         market's limits). Not checked: minOdds (the caller's own) and the bettor's and the
    ///         house's balances, which placeBet checks after these.
    function quote(uint256 marketId, uint8 outcome, uint96 stake) external view returns (uint32 odds, uint128 payout) {
        Context memory ctx = _context();
        bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
        uint256 head = _load(base);
        if (uint8(head) != MARKET_OPEN) revert MarketNotOpen();
        if (ctx.time >= uint64(head >> 24)) revert MarketClosed();
        if (outcome >= uint8(head >> 8)) revert BadOutcome();
        if (stake == 0) revert StakeZero();
        if (stake > uint96(head >> 88)) revert StakeTooHigh();
        odds = _offeredOdds(base, head, outcome);
        uint256 amount = (uint256(stake) * odds) / ODDS_SCALE;
        uint256 liability = uint128(_load(_offset(base, 4 + (outcome >> 1))) >> ((uint256(outcome) & 1) << 7)) + amount;
        uint256 capWord = _load(_offset(base, 1));
        if (liability > uint128(capWord)) revert LiabilityCapExceeded();
        if (head & MARKET_LIMITED != 0) _limitsAfter(marketId, base, capWord, ctx.sender, stake, amount);
        payout = uint128(amount);
    }

    function getMarketConfig(uint256 marketId) external view returns (MarketConfigView memory config) {
        bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
        uint256 head = _load(base);
        uint256 count = uint8(head >> 8);
        uint256 info = _load(_mappingSlot(marketId, SLOT_MARKET_INFO));
        uint256 limits = _load(_offset(base, MARKET_LIMITS));
        uint256 pricing = _load(_offset(base, MARKET_PRICING));
        uint256 probabilities = _load(_offset(base, MARKET_PROBABILITIES));
        config.status = uint8(head);
        config.outcomeCount = uint8(count);
        config.closeTime = uint64(head >> 24);
        config.marketType = uint8(info);
        config.line = int16(uint16(info >> 8));
        config.maxStake = uint96(head >> 88);
        config.maxLiability = uint128(_load(_offset(base, 1)));
        config.maxStakePerBettor = uint96(limits);
        config.maxMarketLiability = uint128(limits >> 96);
        config.limited = head & MARKET_LIMITED != 0;
        config.priced = head & MARKET_PRICED != 0;
        config.probabilitiesBps = new uint16[](config.priced ? count : 0);
        for (uint256 i = 0; i < config.probabilitiesBps.length; ++i) {
            config.probabilitiesBps[i] = uint16(probabilities >> (i << 4));
        }
        if (config.priced) {
            config.marginBps = uint16(pricing);
            config.slope = uint32(pricing >> 16);
            config.floorOdds = uint32(pricing >> 48);
        }
        config.odds = _allOfferedOdds(base, head);
        config.liability = new uint128[](count);
        for (uint256 i = 0; i < count; ++i) {
            config.liability[i] = uint128(_load(_offset(base, 4 + (i >> 1))) >> ((i & 1) << 7));
            config.totalLiability += config.liability[i];
        }
    }

    /// @notice What `bettor` has staked on the market since it first had limits (0 if it never had).
    function getBettorStake(uint256 marketId, address bettor) external view returns (uint256) {
        return _load(_mappingSlot(uint160(bettor), uint256(_mappingSlot(marketId, SLOT_BETTOR_STAKES))));
    }

    // ---------------------------------------------------------------- internals

    /// @dev A market the operator may manage now: the sender is the operator, the market open or
    ///      suspended and before its close time. Returns its base slot and head.
    function _managedMarket(uint256 marketId) private view returns (bytes32 base, uint256 head) {
        Context memory ctx = _context();
        if (ctx.sender != _operator()) revert NotOperator();
        base = _mappingSlot(marketId, SLOT_MARKETS);
        head = _load(base);
        if (!_live(head)) revert MarketNotOpen();
        if (ctx.time >= uint64(head >> 24)) revert MarketClosed();
    }

    /// @dev Every outcome's offered odds now (`head` decides whether the engine prices them).
    function _allOfferedOdds(bytes32 base, uint256 head) private view returns (uint32[] memory odds) {
        uint256 count = uint8(head >> 8);
        odds = new uint32[](count);
        for (uint256 i = 0; i < count; ++i) {
            odds[i] = _offeredOdds(base, head, uint8(i));
        }
    }

    /// @dev The sum of a market's outcome liabilities: the payouts its bets escrowed.
    function _totalLiability(bytes32 base, uint256 count) private view returns (uint256 total) {
        for (uint256 i = 0; i < count; ++i) {
            total += uint128(_load(_offset(base, 4 + (i >> 1))) >> ((i & 1) << 7));
        }
    }
}
