// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BetEngineBase} from "./BetEngineBase.sol";

/// @title BetEngineParlays
/// @notice Parlays and cash-out (issue 5, docs/decisions/0007). Part of the second half of the rules
///         (BetEngineExtension; docs/decisions/0008), so settleBet (first half) refuses a parlay with
///         NotASingleBet and settleParlay / settleBets settle it.
/// @dev A parlay is a bet (slot 6, ids from the same counter) of kind 1: base+0 bettor | marketId 0 |
///      legCount (the outcome byte) | status | kind; base+1 stake | odds | payout as a single's; legs at
///      base+2+i/2, two per word at bits (i%2)*128: marketId (uint64) | outcome (bits 64) | odds (bits 72).
///      A parlay counts in no outcome's liability: what it can cost the house is bounded by the cap on
///      its combined odds and the smallest maxStake of its legs' markets.
abstract contract BetEngineParlays is BetEngineBase {
    uint256 internal constant MIN_LEGS = 2;
    uint256 internal constant MAX_LEGS = 10;
    /// @notice Combined odds are capped at 10,000.0 (4 decimals).
    uint256 internal constant MAX_PARLAY_ODDS = 100_000_000;
    /// @notice What the house keeps of a bet's value at current odds when it buys the bet back.
    uint256 internal constant CASHOUT_MARGIN_BPS = 500;

    /// @notice Fewer than 2 or more than 10 legs, or not one outcome per market.
    error BadLegCount();
    /// @notice Two legs on one market.
    error DuplicateLeg();
    error NotAParlay();
    error NotBettor();
    error CashOutBelowMinimum(uint128 value);

    event ParlayPlaced(
        uint256 indexed betId, address indexed bettor, uint256[] marketIds, uint8[] outcomes, uint96 stake, uint32 odds, uint128 payout
    );
    event BetCashedOut(uint256 indexed betId, address indexed bettor, uint128 value);

    // ---------------------------------------------------------------- parlays

    /// @notice Backs one outcome on each of 2 to 10 different markets at once: the odds multiply
    ///         (each leg at its offered odds now, the product rounded down once, capped at 10,000.0),
    ///         the bet wins only if every leg wins (a void leg counts as 1.0) and loses as soon as
    ///         one leg loses. The payout is escrowed as a single bet's: the bettor pays the stake,
    ///         the house the rest.
    function placeParlay(uint256[] calldata marketIds, uint8[] calldata outcomes, uint96 stake, uint32 minOdds)
        external
        returns (uint256 betId)
    {
        Context memory ctx = _context();
        (uint256[MAX_LEGS] memory legs, uint32 odds) = _pricedLegs(marketIds, outcomes, stake, ctx.time);
        if (odds < minOdds) revert OddsBelowMinimum(odds);
        // stake < 2^96 and odds <= 10^8 < 2^27: the product fits in 123 bits.
        uint256 payout = (uint256(stake) * odds) / ODDS_SCALE;

        _debitStakes(ctx.sender, stake, payout);

        betId = _storeParlay(ctx.sender, legs, marketIds.length, uint256(stake) | (uint256(odds) << 96) | (payout << 128));
        emit ParlayPlaced(betId, ctx.sender, marketIds, outcomes, stake, odds, uint128(payout));
    }

    /// @dev Stores a new open parlay of `bettor` with its packed amounts word; returns its id.
    function _storeParlay(address bettor, uint256[MAX_LEGS] memory legs, uint256 legCount, uint256 amounts)
        internal
        returns (uint256 betId)
    {
        betId = _nextId(SLOT_NEXT_BET_ID);
        bytes32 betBase = _mappingSlot(betId, SLOT_BETS);
        _store(
            betBase,
            uint256(uint160(bettor)) | (legCount << 224) | (uint256(BET_OPEN) << 232) | (uint256(BET_KIND_PARLAY) << 240)
        );
        _store(_offset(betBase, 1), amounts);
        for (uint256 i = 0; i < legCount; i += 2) {
            _store(_offset(betBase, 2 + (i >> 1)), legs[i] | (legs[i + 1] << 128));
        }
    }

    /// @dev Checks a parlay's legs and stake as placeBet checks a bet's, leg by leg; returns the legs
    ///      packed as stored (marketId | outcome << 64 | odds << 72) and their combined odds.
    function _pricedLegs(uint256[] calldata marketIds, uint8[] calldata outcomes, uint96 stake, uint64 time)
        internal
        view
        returns (uint256[MAX_LEGS] memory legs, uint32 odds)
    {
        uint256 legCount = marketIds.length;
        if (legCount < MIN_LEGS || legCount > MAX_LEGS || outcomes.length != legCount) revert BadLegCount();
        uint256[MAX_LEGS] memory legOdds;
        uint256 maxStake = type(uint96).max;
        for (uint256 i = 0; i < legCount; ++i) {
            uint256 marketId = marketIds[i];
            for (uint256 j = 0; j < i; ++j) {
                if (marketIds[j] == marketId) revert DuplicateLeg();
            }
            bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
            uint256 head = _load(base);
            if (uint8(head) != MARKET_OPEN) revert MarketNotOpen();
            if (time >= uint64(head >> 24)) revert MarketClosed();
            uint8 outcome = outcomes[i];
            if (outcome >= uint8(head >> 8)) revert BadOutcome();
            if (uint96(head >> 88) < maxStake) maxStake = uint96(head >> 88);
            legOdds[i] = _offeredOdds(base, head, outcome);
            legs[i] = uint64(marketId) | (uint256(outcome) << 64) | (legOdds[i] << 72);
        }
        if (stake == 0) revert StakeZero();
        if (stake > maxStake) revert StakeTooHigh();
        odds = _parlayOdds(legOdds, legCount);
    }

    /// @notice Settles a parlay (anyone may call it): lost as soon as one leg's market has a final
    ///         result other than the leg's (the house gets the escrow back), else once every leg's
    ///         market is final: the bettor is paid stake * the odds of the won legs (void legs 1.0),
    ///         the house the rest of the escrow.
    function settleParlay(uint256 betId) external {
        bytes32 betBase = _mappingSlot(betId, SLOT_BETS);
        uint256 head = _load(betBase);
        if (uint8(head >> 232) != BET_OPEN) revert BetNotOpen();
        if (uint8(head >> 240) != BET_KIND_PARLAY) revert NotAParlay();
        _settleParlay(betId, betBase, head, true);
    }

    /// @dev settleBets' step: settles bet `betId`, single or parlay, when it can now and its weight
    ///      (a single 1, a parlay 1 + legs / 2: about the slots it touches, in singles) fits `room`.
    ///      Returns the weight it used, 0 if it settled nothing.
    function _settleWithin(uint256 betId, uint256 room) internal returns (uint256 weight) {
        if (room == 0) return 0;
        bytes32 betBase = _mappingSlot(betId, SLOT_BETS);
        uint256 head = _load(betBase);
        if (uint8(head >> 240) != BET_KIND_PARLAY) return _settle(betId, false) ? 1 : 0;
        weight = 1 + (uint8(head >> 224) >> 1);
        if (weight > room || uint8(head >> 232) != BET_OPEN || !_settleParlay(betId, betBase, head, false)) return 0;
    }

    /// @dev Settles open parlay `betId` (its head `head`) when a leg has lost or every leg is final;
    ///      otherwise reverts with MarketNotResolved if `strict`, else returns false and changes nothing
    ///      but the lazy resolution of markets whose proposal is final.
    function _settleParlay(uint256 betId, bytes32 betBase, uint256 head, bool strict) internal returns (bool) {
        (bool lost, bool pending, uint32 wonOdds) = _legResults(betBase, uint8(head >> 224));
        if (pending && !lost) {
            if (strict) revert MarketNotResolved();
            return false;
        }
        address bettor = address(uint160(head));
        uint256 amounts = _load(_offset(betBase, 1));
        uint256 payout = amounts >> 128;
        uint256 paid;
        if (!lost) {
            paid = (uint256(uint96(amounts)) * wonOdds) / ODDS_SCALE;
            // fewer factors never multiply to more, so this only guards the escrow
            if (paid > payout) paid = payout;
            _credit(bettor, paid);
        }
        _credit(_operator(), payout - paid);
        _store(betBase, (head & ~(uint256(0xff) << 232)) | (uint256(BET_SETTLED) << 232));
        emit BetSettled(betId, 0, bettor, uint128(paid));
        return true;
    }

    /// @dev Reads a parlay's legs against their markets (resolving those whose proposal is final), in
    ///      order up to the first lost leg: whether one lost, whether one is not final yet, and the
    ///      combined odds of the won legs (void legs count as 1.0).
    function _legResults(bytes32 betBase, uint256 legCount) internal returns (bool lost, bool pending, uint32 wonOdds) {
        uint256[MAX_LEGS] memory odds;
        uint256 won;
        uint256 word;
        for (uint256 i = 0; i < legCount; ++i) {
            if (i & 1 == 0) word = _load(_offset(betBase, 2 + (i >> 1)));
            uint256 leg = uint128(word >> ((i & 1) << 7));
            uint256 marketHead = _finalizedHead(uint64(leg));
            if (uint8(marketHead) != MARKET_RESOLVED) {
                pending = true;
                continue;
            }
            uint8 result = uint8(marketHead >> 16);
            if (result == RESULT_VOID) continue;
            if (result != uint8(leg >> 64)) return (true, pending, 0);
            odds[won++] = uint32(leg >> 72);
        }
        wonOdds = _parlayOdds(odds, won);
    }

    /// @dev The combined odds (4 decimals) of the first `count` of `odds`: their exact product
    ///      divided by 10^(4 * (count - 1)), rounded down once, capped at MAX_PARLAY_ODDS; 1.0 for none.
    function _parlayOdds(uint256[MAX_LEGS] memory odds, uint256 count) internal pure returns (uint32) {
        if (count == 0) return uint32(ODDS_SCALE);
        uint256 product = odds[0];
        uint256 scale = 1;
        for (uint256 i = 1; i < count; ++i) {
            // Odds are at least 1.0, so a partial product at the cap ends there; stopping keeps the
            // product below 10^8 * 10^32 * 2^32 < 2^256.
            if (product >= MAX_PARLAY_ODDS * scale) return uint32(MAX_PARLAY_ODDS);
            product *= odds[i];
            scale *= ODDS_SCALE;
        }
        product /= scale;
        return uint32(product < MAX_PARLAY_ODDS ? product : MAX_PARLAY_ODDS);
    }

    // ---------------------------------------------------------------- cash-out

    /// @notice What cashOut would pay now for open single bet `betId`: its payout at the current
    ///         odds of its outcome, less CASHOUT_MARGIN_BPS, rounded down, never above the payout.
    function cashOutQuote(uint256 betId) external view returns (uint128 value) {
        bytes32 betBase = _mappingSlot(betId, SLOT_BETS);
        (uint256 quoted,,,,) = _cashOutValue(betBase, _load(betBase));
        return uint128(quoted);
    }

    /// @notice Sells an open single bet back to the house (its bettor only) while its market is open
    ///         and before its close time, for cashOutQuote's value if that is at least `minValue`:
    ///         the bettor is credited the value, the house the rest of the escrow; the bet closes
    ///         (status 3) and its outcome's liability drops by its payout.
    function cashOut(uint256 betId, uint128 minValue) external {
        Context memory ctx = _context();
        bytes32 betBase = _mappingSlot(betId, SLOT_BETS);
        uint256 head = _load(betBase);
        if (address(uint160(head)) != ctx.sender) revert NotBettor();
        (uint256 value, uint256 payout, bytes32 marketBase, uint256 marketHead, uint32 oddsBefore) = _cashOutValue(betBase, head);
        if (value < minValue) revert CashOutBelowMinimum(uint128(value));

        uint8 outcome = uint8(head >> 224);
        bytes32 liabilitySlot = _offset(marketBase, 4 + (outcome >> 1));
        uint256 liabilityWord = _load(liabilitySlot);
        uint256 shift = (uint256(outcome) & 1) << 7;
        uint256 liability = uint128(liabilityWord >> shift);
        // placeBet added this payout, so the liability holds it
        liability = liability > payout ? liability - payout : 0;
        _store(liabilitySlot, (liabilityWord & ~(uint256(type(uint128).max) << shift)) | (liability << shift));

        _store(betBase, (head & ~(uint256(0xff) << 232)) | (uint256(BET_CASHED_OUT) << 232));
        _credit(ctx.sender, value);
        _credit(_operator(), payout - value);
        emit BetCashedOut(betId, ctx.sender, uint128(value));
        uint32 oddsAfter = _offeredOdds(marketBase, marketHead, outcome);
        if (oddsAfter != oddsBefore) emit OddsMoved(uint64(head >> 160), outcome, oddsAfter);
    }

    /// @dev Prices open single bet (head `head`) for a cash-out now; reverts if it cannot be cashed out.
    function _cashOutValue(bytes32 betBase, uint256 head)
        internal
        view
        returns (uint256 value, uint256 payout, bytes32 marketBase, uint256 marketHead, uint32 odds)
    {
        if (uint8(head >> 232) != BET_OPEN) revert BetNotOpen();
        if (uint8(head >> 240) != BET_KIND_SINGLE) revert NotASingleBet();
        marketBase = _mappingSlot(uint64(head >> 160), SLOT_MARKETS);
        marketHead = _load(marketBase);
        if (uint8(marketHead) != MARKET_OPEN) revert MarketNotOpen();
        if (_context().time >= uint64(marketHead >> 24)) revert MarketClosed();
        payout = _load(_offset(betBase, 1)) >> 128;
        odds = _offeredOdds(marketBase, marketHead, uint8(head >> 224));
        // payout * 10,000 / odds * (10,000 - margin) / 10,000, rounded down once; at most the payout
        value = odds <= ODDS_SCALE - CASHOUT_MARGIN_BPS ? payout : (payout * (ODDS_SCALE - CASHOUT_MARGIN_BPS)) / odds;
    }
}
