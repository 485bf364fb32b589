// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {BetEngineBase} from "./BetEngineBase.sol";

/// @title BetEngineLogic
/// @notice The first half of Rollbook's betting rules: markets, single bets, the oracle committee
///         and the bridge. Written once and compiled into both the L2 predeploy (sload/sstore) and
///         the L1 fraud-proof verifier (witness map); the layout is in BetEngineBase. See DESIGN.md
///         decision 4 and docs/decisions/0008 for the two halves.
abstract contract BetEngineLogic is BetEngineBase {
    // ---------------------------------------------------------------- operator

    function createMarket(
        uint8 outcomeCount,
        uint32[] calldata odds,
        uint64 closeTime,
        uint96 maxStake,
        uint128 maxLiability
    ) external returns (uint256 marketId) {
        Context memory ctx = _context();
        if (ctx.sender != _operator()) revert NotOperator();
        if (outcomeCount < MIN_OUTCOMES || outcomeCount > MAX_OUTCOMES) revert BadOutcomeCount();
        if (closeTime <= ctx.time) revert CloseTimeInPast();
        if (maxStake == 0) revert MaxStakeZero();

        marketId = _nextId(SLOT_NEXT_MARKET_ID);
        bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
        _storeOdds(base, outcomeCount, odds);
        _store(
            base,
            uint256(MARKET_OPEN) | (uint256(outcomeCount) << 8) | (uint256(closeTime) << 24)
                | (uint256(maxStake) << 88)
        );
        if (maxLiability != 0) _store(_offset(base, 1), maxLiability);
        emit MarketCreated(marketId, outcomeCount, closeTime, maxStake, maxLiability, odds);
    }

    /// @notice Sets a market's odds (open or suspended, before its close). On a priced market it
    ///         turns the odds engine off: these odds hold until the next setPricing.
    function setOdds(uint256 marketId, uint32[] calldata odds) external {
        Context memory ctx = _context();
        if (ctx.sender != _operator()) revert NotOperator();
        bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
        uint256 head = _load(base);
        if (!_live(head)) revert MarketNotOpen();
        if (ctx.time >= uint64(head >> 24)) revert MarketClosed();
        _storeOdds(base, uint8(head >> 8), odds);
        if (head & MARKET_PRICED != 0) _store(base, head & ~MARKET_PRICED);
        emit OddsChanged(marketId, odds);
    }

    // ---------------------------------------------------------------- bettors

    /// @dev The hot path: 8 storage reads (market head, maxLiability, odds word, liability word,
    ///      operator, two balances, nextBetId) and 6 writes; no loops, no memory arrays. A priced
    ///      market reads its pricing word (and the liability word twice) and emits OddsMoved; a
    ///      limited one reads its limits and the bettor's stake sum and writes both sums.
    function placeBet(uint256 marketId, uint8 outcome, uint96 stake, uint32 minOdds)
        external
        returns (uint256 betId)
    {
        Context memory ctx = _context();
        bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
        uint256 head = _load(base);
        if (uint8(head) != MARKET_OPEN) revert MarketNotOpen();
        if (ctx.time >= uint64(head >> 24)) revert MarketClosed();
        if (outcome >= uint8(head >> 8)) revert BadOutcome();
        if (stake == 0) revert StakeZero();
        if (stake > uint96(head >> 88)) revert StakeTooHigh();

        uint32 odds;
        uint256 payout;
        unchecked {
            odds = _offeredOdds(base, head, outcome);
            if (odds < minOdds) revert OddsBelowMinimum(odds);
            // stake < 2^96 and odds <= 10^7 < 2^24: the product fits in 120 bits.
            payout = (uint256(stake) * odds) / ODDS_SCALE;

            bytes32 liabilitySlot = _offset(base, 4 + (outcome >> 1));
            uint256 liabilityWord = _load(liabilitySlot);
            uint256 shift = (uint256(outcome) & 1) << 7;
            uint256 liability = uint128(liabilityWord >> shift) + payout;
            if (liability > uint128(_load(_offset(base, 1)))) revert LiabilityCapExceeded();
            if (head & MARKET_LIMITED != 0) _countLimits(marketId, base, ctx.sender, stake, payout);
            _store(liabilitySlot, (liabilityWord & ~(uint256(type(uint128).max) << shift)) | (liability << shift));
        }

        _debitStakes(ctx.sender, stake, payout);

        betId = _nextId(SLOT_NEXT_BET_ID);
        bytes32 betBase = _mappingSlot(betId, SLOT_BETS);
        _store(
            betBase,
            uint256(uint160(ctx.sender)) | (uint256(uint64(marketId)) << 160) | (uint256(outcome) << 224)
                | (uint256(BET_OPEN) << 232)
        );
        _store(_offset(betBase, 1), uint256(stake) | (uint256(odds) << 96) | (payout << 128));
        emit BetPlaced(betId, marketId, ctx.sender, outcome, stake, odds, uint128(payout));
        // the bet lengthened the outcome's liability: its price now, in the same block as the bet
        if (head & MARKET_PRICED != 0) emit OddsMoved(marketId, outcome, _offeredOdds(base, head, outcome));
    }

    /// @notice Pays out a bet of a resolved market; anyone may call it.
    function settleBet(uint256 betId) external {
        _settle(betId, true);
    }

    // ---------------------------------------------------------------- oracle committee

    /// @notice Seats a new oracle committee (operator only): 1 to 16 distinct non-zero members, of
    ///         whom `threshold` must agree on a result to propose it; a proposal is final after
    ///         `disputeWindowSeconds` without a flag. Votes cast under the old committee no longer
    ///         count (the epoch changes); a result already proposed keeps its finalAt.
    function setCommittee(address[] calldata members, uint8 threshold, uint32 disputeWindowSeconds) external {
        if (_context().sender != _operator()) revert NotOperator();
        uint256 size = members.length;
        if (size == 0 || size > MAX_MEMBERS) revert BadCommitteeSize();
        if (threshold == 0 || threshold > size) revert BadThreshold();
        uint256 epoch = uint64(_load(bytes32(SLOT_COMMITTEE)) >> 40) + 1;
        uint256 oldSize = _load(bytes32(SLOT_MEMBERS));
        bytes32 first = _arraySlot(SLOT_MEMBERS);
        for (uint256 i = 0; i < size; ++i) {
            address member = members[i];
            if (member == address(0)) revert BadCommitteeMember(member);
            for (uint256 j = 0; j < i; ++j) {
                if (members[j] == member) revert BadCommitteeMember(member);
            }
            _store(_offset(first, i), uint160(member));
            _store(_mappingSlot(uint160(member), SLOT_SEATS), i | (epoch << 8));
        }
        // Members past the new length are cleared, as Solidity shrinks an array.
        for (uint256 i = size; i < oldSize; ++i) {
            _store(_offset(first, i), 0);
        }
        if (oldSize != size) _store(bytes32(SLOT_MEMBERS), size);
        _store(bytes32(SLOT_COMMITTEE), uint256(threshold) | (uint256(disputeWindowSeconds) << 8) | (epoch << 40));
        emit CommitteeSet(members, threshold, disputeWindowSeconds);
    }

    /// @notice A member's vote on a closed market's result: an outcome index or 255 (void: every
    ///         bet refunded). The member may change it within the round; once `threshold` members
    ///         of the round agree, the result is proposed, and with a dispute window of 0 it is
    ///         final and the market resolved in the same call.
    function voteResult(uint256 marketId, uint8 result) external {
        _vote(marketId, result);
    }

    /// @notice The single-oracle name of voteResult, kept for the SDK and the genesis committee.
    function reportResult(uint256 marketId, uint8 result) external {
        _vote(marketId, result);
    }

    /// @notice Drops a proposed result inside its dispute window (a member or the operator) and
    ///         starts a new round: every vote is void, and settlement waits for a new proposal.
    function flagResult(uint256 marketId) external {
        Context memory ctx = _context();
        if (ctx.sender != _operator() && _seat(ctx.sender, _load(bytes32(SLOT_COMMITTEE))) == MAX_MEMBERS) {
            revert NotOracleOrOperator();
        }
        bytes32 stateSlot = _mappingSlot(marketId, SLOT_RESOLUTIONS);
        uint256 state = _load(stateSlot);
        if (uint8(state >> 32) == 0) revert NoProposedResult();
        uint64 finalAt = uint64(state >> 48);
        if (ctx.time >= finalAt) revert DisputeWindowOver(finalAt);
        uint32 round = uint32(state);
        _store(stateSlot, uint256(round + 1));
        emit ResultFlagged(marketId, round, ctx.sender);
    }

    /// @notice Resolves a market whose proposed result is past its dispute window; anyone may call
    ///         it (settleBet does the same on its own).
    function finalizeResult(uint256 marketId) external {
        bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
        uint256 head = _load(base);
        if (!_live(head)) revert MarketNotOpen();
        uint256 state = _load(_mappingSlot(marketId, SLOT_RESOLUTIONS));
        if (uint8(state >> 32) == 0) revert NoProposedResult();
        uint64 finalAt = uint64(state >> 48);
        if (_context().time < finalAt) revert ResultNotFinal(finalAt);
        _resolve(marketId, base, head, uint8(state >> 40));
    }

    // ---------------------------------------------------------------- bridge

    /// @notice Credits an L1 deposit (queue message `queueIndex`): only the L1 messenger.
    function relayDeposit(uint256 queueIndex, address l1Sender, address recipient, uint256 amount) external {
        if (_context().sender != L1_MESSENGER) revert NotL1Messenger();
        bytes32 slot = _balanceSlot(recipient);
        _store(slot, _load(slot) + amount);
        emit DepositRelayed(queueIndex, l1Sender, recipient, amount);
    }

    /// @notice Marks where a forced L1 transaction (queue message `queueIndex`) runs: the next
    ///         transaction of the block, when it is valid. Only the L1 messenger.
    function relayForcedTx(uint256 queueIndex, address l1Sender, bytes32 txHash) external {
        if (_context().sender != L1_MESSENGER) revert NotL1Messenger();
        emit ForcedTxRelayed(queueIndex, l1Sender, txHash);
    }

    /// @notice Debits `amount` and records a withdrawal that the L1 bridge pays to `l1Recipient`
    ///         once an output root holding it is final:
    ///         withdrawals[keccak256(abi.encode(sender, l1Recipient, amount, nonce))] = 1.
    function withdraw(address l1Recipient, uint256 amount) external returns (bytes32 withdrawalHash) {
        Context memory ctx = _context();
        if (amount == 0) revert AmountZero();
        if (l1Recipient == address(0)) revert RecipientZero();
        bytes32 slot = _balanceSlot(ctx.sender);
        uint256 balance = _load(slot);
        if (balance < amount) revert InsufficientBalance();
        unchecked {
            _store(slot, balance - amount);
        }
        uint256 nonce = _load(bytes32(SLOT_NEXT_WITHDRAWAL_NONCE));
        unchecked {
            _store(bytes32(SLOT_NEXT_WITHDRAWAL_NONCE), nonce + 1);
        }
        withdrawalHash = keccak256(abi.encode(ctx.sender, l1Recipient, amount, nonce));
        _store(_mappingSlot(uint256(withdrawalHash), SLOT_WITHDRAWALS), 1);
        emit WithdrawalInitiated(withdrawalHash, ctx.sender, l1Recipient, amount, nonce);
    }

    // ---------------------------------------------------------------- views (the others: BetEngineViews)

    /// @dev The one view the L1 verifier keeps: it is refused there outside execute, like every rule.
    function balanceOf(address account) external view returns (uint256) {
        return _load(_balanceSlot(account));
    }

    // ---------------------------------------------------------------- internals

    function _vote(uint256 marketId, uint8 result) private {
        Context memory ctx = _context();
        uint256 committee = _load(bytes32(SLOT_COMMITTEE));
        uint256 seat = _seat(ctx.sender, committee);
        if (seat == MAX_MEMBERS) revert NotOracle();
        bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
        uint256 head = _load(base);
        // a market still suspended at its close time is voted on as an open one
        if (!_live(head)) revert MarketNotOpen();
        if (ctx.time < uint64(head >> 24)) revert MarketNotClosed();
        if (result >= uint8(head >> 8) && result != RESULT_VOID) revert BadOutcome();
        bytes32 stateSlot = _mappingSlot(marketId, SLOT_RESOLUTIONS);
        uint256 state = _load(stateSlot);
        if (uint8(state >> 32) != 0) revert ResultAlreadyProposed(uint64(state >> 48));

        uint32 round = uint32(state);
        emit ResultVoted(marketId, round, ctx.sender, result);
        if (_recordVote(stateSlot, _votesTag(state, committee), seat, result) < uint8(committee)) return;
        uint64 finalAt = ctx.time + uint32(committee >> 8);
        _store(stateSlot, uint256(round) | (1 << 32) | (uint256(result) << 40) | (uint256(finalAt) << 48));
        emit ResultProposed(marketId, round, result, finalAt);
        if (finalAt == ctx.time) _resolve(marketId, base, head, result);
    }

    /// @dev Writes seat `seat`'s vote into the market's votes word; returns how many seats agree with it.
    function _recordVote(bytes32 stateSlot, uint256 tag, uint256 seat, uint8 result) private returns (uint256 agreeing) {
        bytes32 votesSlot = _offset(stateSlot, 1);
        uint256 votes = _load(votesSlot);
        // Votes of an earlier round (before a flag) or of an earlier committee count for nothing.
        if (uint96(votes) != tag) votes = tag;
        uint256 shift = 112 + (seat << 3);
        votes = (votes & ~(uint256(0xff) << shift)) | (uint256(result) << shift) | (uint256(1) << (96 + seat));
        _store(votesSlot, votes);
        for (uint256 i = 0; i < MAX_MEMBERS; ++i) {
            if ((votes >> (96 + i)) & 1 != 0 && uint8(votes >> (112 + (i << 3))) == result) ++agreeing;
        }
    }

    /// @dev Counts a bet against a limited market's per-bettor and total limits, or reverts.
    function _countLimits(uint256 marketId, bytes32 base, address bettor, uint256 stake, uint256 payout) private {
        uint256 capWord = _load(_offset(base, 1));
        (bytes32 stakeSlot, uint256 bettorStake, uint256 total) = _limitsAfter(marketId, base, capWord, bettor, stake, payout);
        _store(stakeSlot, bettorStake);
        _store(_offset(base, 1), uint128(capWord) | (total << 128));
    }

    /// @dev Packs and stores a market's odds; `count` is the market's outcome count.
    function _storeOdds(bytes32 base, uint8 count, uint32[] calldata odds) private {
        if (odds.length != count) revert BadOdds();
        uint256 low;
        uint256 high;
        for (uint256 i = 0; i < count; ++i) {
            uint256 o = odds[i];
            if (o <= ODDS_SCALE || o > MAX_ODDS) revert BadOdds();
            if (i < 8) low |= o << (i << 5);
            else high |= o << ((i - 8) << 5);
        }
        _store(_offset(base, 2), low);
        if (count > 8) _store(_offset(base, 3), high);
    }
}
