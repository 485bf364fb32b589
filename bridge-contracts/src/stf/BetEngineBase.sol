// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title BetEngineBase
/// @notice What every part of the bet engine shares: the storage layout, constants, errors,
///         events, the storage and context hooks, and the internal rules more than one part uses.
///         The rules themselves are in BetEngineLogic and BetEngineExtension (two halves, so
///         that each L1 build stays under EIP-170; docs/decisions/0008). See DESIGN.md decision 4.
/// @dev Storage is touched ONLY through `_load` / `_store`; slots are where Solidity itself would
///      place these conceptual declarations, so eth_getStorageAt and eth_getProof read as expected:
///
///      slot 0  address operator                          (its balance is the HOUSE)
///      slot 1  address oracle                            (genesis's oracle, seated alone as the genesis committee)
///      slot 2  uint256 nextMarketId                      (genesis sets 1; 0 is read as 1)
///      slot 3  uint256 nextBetId                         (genesis sets 1; 0 is read as 1)
///      slot 4  mapping(address => uint256) balances      keccak256(abi.encode(account, 4))
///      slot 5  mapping(uint256 => Market) markets        base = keccak256(abi.encode(marketId, 5))
///      slot 6  mapping(uint256 => Bet) bets              base = keccak256(abi.encode(betId, 6))
///      slot 7  mapping(bytes32 => uint256) withdrawals   keccak256(abi.encode(withdrawalHash, 7)): 1 once initiated
///      slot 8  uint256 nextWithdrawalNonce
///      slot 9  uint256 committee                         threshold (bits 0) | disputeWindowSeconds (bits 8, uint32)
///                                                        | epoch (bits 40, uint64; +1 on each setCommittee, 1 at genesis)
///      slot 10 address[] members                         length at 10, members[i] at keccak256(abi.encode(10)) + i
///      slot 11 mapping(address => uint256) seats         keccak256(abi.encode(member, 11)): seat (bits 0) | epoch (bits 8);
///                                                        a seat counts only while its epoch is the committee's, so a
///                                                        new committee needs no clearing of the old one's seats
///      slot 12 mapping(uint256 => Resolution) resolutions base = keccak256(abi.encode(marketId, 12))
///      slot 13 mapping(uint256 => MarketInfo) marketInfo  keccak256(abi.encode(marketId, 13)): marketType (bits 0)
///                                                        | line (bits 8, int16 tenths of a point, two's complement)
///      slot 14 mapping(uint256 => mapping(address => uint256)) bettorStakes
///                                                        keccak256(abi.encode(bettor, keccak256(abi.encode(marketId, 14)))):
///                                                        the bettor's stakes on the market since it first had limits
///
///      struct Market {                                   first member in the lowest-order bytes
///        uint8 status; uint8 outcomeCount; uint8 result; uint64 closeTime; uint96 maxStake;
///                                                        base+0: bits 0, 8, 16, 24, 88
///        bool priced; bool limited;                      base+0: bits 184, 185 (flags; 186..255 free)
///        uint128 maxLiability; uint128 totalLiability;   base+1: bits 0, 128 (totalLiability kept only while limited)
///        uint32[16] odds;                                base+2+i/8, bits (i%8)*32 (a priced market: the engine's base odds)
///        uint128[16] liability;                          base+4+i/2, bits (i%2)*128
///        uint16[16] probabilitiesBps;                    base+12, bits i*16 (the odds engine's fair probabilities)
///        uint16 marginBps; uint32 slope; uint32 floorOdds; base+13: bits 0, 16, 48 (the odds engine)
///        uint96 maxStakePerBettor; uint128 maxMarketLiability;
///                                                        base+14: bits 0, 96 (0: no limit)
///      }
///      struct Bet {
///        address bettor; uint64 marketId; uint8 outcome; uint8 status; uint8 kind;
///                                                        base+0: bits 0, 160, 224, 232, 240 (kind 0 single, 1 parlay:
///                                                        marketId 0, outcome = its leg count)
///        uint96 stake; uint32 odds; uint128 payout;      base+1: bits 0, 96, 128 (a parlay: its combined odds)
///        Leg[10] legs;                                   a parlay's: base+2+i/2, bits (i%2)*128
///      }
///      struct Leg { uint64 marketId; uint8 outcome; uint32 odds; }  bits 0, 64, 72 of its 128 bits
///      struct Resolution {                               a market's oracle committee vote (docs/decisions/0007)
///        uint32 round; bool proposed; uint8 result; uint64 finalAt;
///                                                        base+0: bits 0, 32, 40, 48 (a flag: round + 1, the rest 0)
///        uint32 votesRound; uint64 votesEpoch; uint16 voted; uint8[16] votes;
///                                                        base+1: bits 0, 32, 96, 112 + 8 * seat; the votes count only
///                                                        while votesRound and votesEpoch are the current ones
///      }
///
///      Market status: 0 none, 1 open, 2 resolved, 3 suspended (no bets; the committee may still vote once
///      it is past its close time). Bet status: 0 none, 1 open, 2 settled, 3 cashed out. A market stays open (or
///      suspended) while its result is voted on and proposed; it is resolved when the proposal is final.
///      A priced market's offered odds are the odds engine's (`_offeredOdds`); a limited one counts each
///      bettor's stakes (slot 14) and its total escrowed payout (base+1, upper half) against base+14.
///      Money invariant: sum(balances) + sum(payout of open bets) = deposits relayed - withdrawals
///      initiated (genesis balances count as deposits). Deposits and forced transactions come
///      from L1 through the L1 messenger system account (docs/decisions/0004).
abstract contract BetEngineBase {
    struct Context {
        address sender;
        uint64 time;
    }

    uint256 internal constant SLOT_OPERATOR = 0;
    uint256 internal constant SLOT_ORACLE = 1;
    uint256 internal constant SLOT_NEXT_MARKET_ID = 2;
    uint256 internal constant SLOT_NEXT_BET_ID = 3;
    uint256 internal constant SLOT_BALANCES = 4;
    uint256 internal constant SLOT_MARKETS = 5;
    uint256 internal constant SLOT_BETS = 6;
    uint256 internal constant SLOT_WITHDRAWALS = 7;
    uint256 internal constant SLOT_NEXT_WITHDRAWAL_NONCE = 8;
    uint256 internal constant SLOT_COMMITTEE = 9;
    uint256 internal constant SLOT_MEMBERS = 10;
    uint256 internal constant SLOT_SEATS = 11;
    uint256 internal constant SLOT_RESOLUTIONS = 12;
    uint256 internal constant SLOT_MARKET_INFO = 13;
    uint256 internal constant SLOT_BETTOR_STAKES = 14;

    /// @dev Offsets from a market's base slot beyond the head, maxLiability, odds and liability words.
    uint256 internal constant MARKET_PROBABILITIES = 12;
    uint256 internal constant MARKET_PRICING = 13;
    uint256 internal constant MARKET_LIMITS = 14;
    /// @dev Flags in a market's head word (bits 184..255 are free after maxStake).
    uint256 internal constant MARKET_PRICED = 1 << 184;
    uint256 internal constant MARKET_LIMITED = 1 << 185;

    /// @notice The system account that relays L1 queue messages: its key is public
    ///         (keccak256("rollbook/l1-messenger/v1")), so nodes refuse its txs from outside and
    ///         sign them only themselves, one per queue message, with nonce = queue index.
    address internal constant L1_MESSENGER = 0xEC8aE85D5fe850B89f7738Be39038c0d32b10600;

    uint8 internal constant MARKET_OPEN = 1;
    uint8 internal constant MARKET_RESOLVED = 2;
    uint8 internal constant MARKET_SUSPENDED = 3;
    uint8 internal constant BET_OPEN = 1;
    uint8 internal constant BET_SETTLED = 2;
    uint8 internal constant BET_CASHED_OUT = 3;
    uint8 internal constant BET_KIND_SINGLE = 0;
    uint8 internal constant BET_KIND_PARLAY = 1;

    uint8 internal constant RESULT_VOID = 255;
    uint8 internal constant MIN_OUTCOMES = 2;
    uint8 internal constant MAX_OUTCOMES = 16;
    uint256 internal constant ODDS_SCALE = 10_000;
    uint256 internal constant MAX_ODDS = 10_000_000;
    uint256 internal constant MAX_MEMBERS = 16;

    error NotOperator();
    /// @notice The sender holds no seat on the current oracle committee.
    error NotOracle();
    error NotOracleOrOperator();
    error BadCommitteeSize();
    /// @notice A member is the zero address or listed twice.
    error BadCommitteeMember(address member);
    error BadThreshold();
    /// @notice This round already proposed a result: a member who disagrees flags it (before finalAt).
    error ResultAlreadyProposed(uint64 finalAt);
    error NoProposedResult();
    error DisputeWindowOver(uint64 finalAt);
    error ResultNotFinal(uint64 finalAt);
    error BadOutcomeCount();
    error BadOdds();
    error CloseTimeInPast();
    error MaxStakeZero();
    error MarketNotOpen();
    error MarketClosed();
    error MarketNotClosed();
    error BadOutcome();
    error StakeZero();
    error StakeTooHigh();
    error OddsBelowMinimum(uint32 current);
    error LiabilityCapExceeded();
    /// @notice The bet would take the bettor's stakes on this market over its per-bettor limit.
    error BettorLimitExceeded();
    /// @notice The bet would take the market's total escrowed payout over its cap.
    error MarketLiabilityCapExceeded();
    error InsufficientBalance();
    error HouseInsufficient();
    error BetNotOpen();
    /// @notice A parlay where only a single bet is taken: settleParlay or settleBets settle it.
    error NotASingleBet();
    error MarketNotResolved();
    error NotL1Messenger();
    error AmountZero();
    error RecipientZero();

    event MarketCreated(
        uint256 indexed marketId, uint8 outcomeCount, uint64 closeTime, uint96 maxStake, uint128 maxLiability, uint32[] odds
    );
    event OddsChanged(uint256 indexed marketId, uint32[] odds);
    /// @notice One outcome's offered odds moved without an operator call (the odds engine after a
    ///         bet or a cash-out changed its liability).
    event OddsMoved(uint256 indexed marketId, uint8 outcome, uint32 odds);
    event BetPlaced(
        uint256 indexed betId,
        uint256 indexed marketId,
        address indexed bettor,
        uint8 outcome,
        uint96 stake,
        uint32 odds,
        uint128 payout
    );
    event MarketResolved(uint256 indexed marketId, uint8 result);
    event CommitteeSet(address[] members, uint8 threshold, uint32 disputeWindowSeconds);
    event ResultVoted(uint256 indexed marketId, uint32 round, address indexed member, uint8 result);
    event ResultProposed(uint256 indexed marketId, uint32 round, uint8 result, uint64 finalAt);
    event ResultFlagged(uint256 indexed marketId, uint32 round, address indexed by);
    event BetSettled(uint256 indexed betId, uint256 indexed marketId, address indexed bettor, uint128 paid);
    event DepositRelayed(uint256 indexed queueIndex, address indexed l1Sender, address indexed recipient, uint256 amount);
    event ForcedTxRelayed(uint256 indexed queueIndex, address indexed l1Sender, bytes32 txHash);
    event WithdrawalInitiated(
        bytes32 indexed withdrawalHash, address indexed l2Sender, address indexed l1Recipient, uint256 amount, uint256 nonce
    );

    function _load(bytes32 slot) internal view virtual returns (uint256);

    function _store(bytes32 slot, uint256 value) internal virtual;

    function _context() internal view virtual returns (Context memory);

    // ---------------------------------------------------------------- shared internals

    /// @dev Settles single bet `betId` once its market's result is final (finalizing a proposal
    ///      past its dispute window). When it cannot (not an open bet, no final result) it reverts
    ///      if `strict`, else returns false and changes nothing.
    function _settle(uint256 betId, bool strict) internal returns (bool) {
        bytes32 betBase = _mappingSlot(betId, SLOT_BETS);
        uint256 betHead = _load(betBase);
        if (uint8(betHead >> 232) != BET_OPEN) {
            if (strict) revert BetNotOpen();
            return false;
        }
        // a parlay's settlement is in the second half (BetEngineParlays), which the first half's
        // L1 build has no room for
        if (uint8(betHead >> 240) != BET_KIND_SINGLE) {
            if (strict) revert NotASingleBet();
            return false;
        }
        uint256 marketId = uint64(betHead >> 160);
        uint256 marketHead = _finalizedHead(marketId);
        if (uint8(marketHead) != MARKET_RESOLVED) {
            if (strict) revert MarketNotResolved();
            return false;
        }

        address bettor = address(uint160(betHead));
        uint256 amounts = _load(_offset(betBase, 1));
        uint256 stake = uint96(amounts);
        uint256 payout = amounts >> 128;
        uint8 result = uint8(marketHead >> 16);
        uint256 paid;
        if (result == RESULT_VOID) {
            paid = stake;
            _credit(bettor, stake);
            _credit(_operator(), payout - stake);
        } else if (result == uint8(betHead >> 224)) {
            paid = payout;
            _credit(bettor, payout);
        } else {
            _credit(_operator(), payout);
        }
        _store(betBase, (betHead & ~(uint256(0xff) << 232)) | (uint256(BET_SETTLED) << 232));
        emit BetSettled(betId, marketId, bettor, uint128(paid));
        return true;
    }

    /// @dev The odds a single bet on `outcome` of the market at `base` (its head word `head`) gets now,
    ///      before the bet: what placeBet fixes, what quote, parlay legs and cash-out price from. The
    ///      stored odds word, or on a priced market the odds engine's price from it (the base odds),
    ///      the pricing word and the outcome's current liability (docs/decisions/0007).
    function _offeredOdds(bytes32 base, uint256 head, uint8 outcome) internal view returns (uint32) {
        uint256 odds = uint32(_load(_offset(base, 2 + (outcome >> 3))) >> ((uint256(outcome) & 7) << 5));
        if (head & MARKET_PRICED == 0) return uint32(odds);
        uint256 liability = uint128(_load(_offset(base, 4 + (outcome >> 1))) >> ((uint256(outcome) & 1) << 7));
        return _shortenedOdds(odds, _load(_offset(base, MARKET_PRICING)), liability);
    }

    /// @dev The odds engine: max(floorOdds, baseOdds - ceil(slope * liability / 10^6)). The cut is
    ///      rounded up, so the odds round down (towards the house); slope is in odds units per whole
    ///      token (10^6 base units) of the outcome's liability. Never above baseOdds, never below the floor.
    function _shortenedOdds(uint256 baseOdds, uint256 pricing, uint256 liability) internal pure returns (uint32) {
        uint256 floorOdds = uint32(pricing >> 48);
        unchecked {
            // slope < 2^32 and liability < 2^128: no overflow
            uint256 cut = (uint256(uint32(pricing >> 16)) * liability + 999_999) / 1_000_000;
            return uint32(baseOdds > floorOdds + cut ? baseOdds - cut : floorOdds);
        }
    }

    /// @dev A bet of `stake` paying `payout` on a limited market, counted against its limits (base+14):
    ///      returns the bettor's stake slot, their new stake sum and the market's new total escrowed
    ///      payout; reverts with BettorLimitExceeded or MarketLiabilityCapExceeded. `capWord` is base+1.
    function _limitsAfter(uint256 marketId, bytes32 base, uint256 capWord, address bettor, uint256 stake, uint256 payout)
        internal
        view
        returns (bytes32 stakeSlot, uint256 bettorStake, uint256 total)
    {
        uint256 limits = _load(_offset(base, MARKET_LIMITS));
        stakeSlot = _mappingSlot(uint160(bettor), uint256(_mappingSlot(marketId, SLOT_BETTOR_STAKES)));
        bettorStake = _load(stakeSlot) + stake;
        uint256 maxPerBettor = uint96(limits);
        if (maxPerBettor != 0 && bettorStake > maxPerBettor) revert BettorLimitExceeded();
        total = (capWord >> 128) + payout;
        uint256 maxTotal = uint128(limits >> 96);
        // the total is stored in 128 bits: past that (no token supply gets there) the cap is reached
        if ((maxTotal != 0 && total > maxTotal) || total > type(uint128).max) revert MarketLiabilityCapExceeded();
    }

    /// @dev Open or suspended: a market the operator may still manage and, after its close time,
    ///      the committee may resolve.
    function _live(uint256 head) internal pure returns (bool) {
        uint8 status = uint8(head);
        return status == MARKET_OPEN || status == MARKET_SUSPENDED;
    }

    /// @dev The head of market `marketId`, resolved first if its proposed result is past its dispute
    ///      window: a proposal is final then, so a bet settles on it at once and a winner never waits
    ///      on anyone's finalizeResult.
    function _finalizedHead(uint256 marketId) internal returns (uint256 head) {
        bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
        head = _load(base);
        if (uint8(head) == MARKET_RESOLVED) return head;
        uint256 state = _load(_mappingSlot(marketId, SLOT_RESOLUTIONS));
        if (uint8(state >> 32) != 0 && _context().time >= uint64(state >> 48)) {
            head = _resolve(marketId, base, head, uint8(state >> 40));
        }
    }

    /// @dev Marks the market resolved with `result`; returns its new head.
    function _resolve(uint256 marketId, bytes32 base, uint256 head, uint8 result) internal returns (uint256 resolved) {
        resolved = (head & ~uint256(0xff00ff)) | uint256(MARKET_RESOLVED) | (uint256(result) << 16);
        _store(base, resolved);
        emit MarketResolved(marketId, result);
    }

    /// @dev `account`'s seat on the committee whose packed word is `committee`, or MAX_MEMBERS if none.
    function _seat(address account, uint256 committee) internal view returns (uint256) {
        uint256 seat = _load(_mappingSlot(uint160(account), SLOT_SEATS));
        // The epoch is at least 1, so an empty slot never matches.
        return seat >> 8 == uint64(committee >> 40) ? uint8(seat) : MAX_MEMBERS;
    }

    /// @dev The round and epoch a market's votes word must carry to count: round | epoch << 32.
    function _votesTag(uint256 state, uint256 committee) internal pure returns (uint256) {
        return uint32(state) | (uint256(uint64(committee >> 40)) << 32);
    }

    /// @dev The bettor pays `stake`, the house pays `payout - stake`; the bet escrows `payout`.
    function _debitStakes(address bettor, uint256 stake, uint256 payout) internal {
        address house = _operator();
        bytes32 bettorSlot = _balanceSlot(bettor);
        uint256 bettorBalance = _load(bettorSlot);
        if (bettorBalance < stake) revert InsufficientBalance();
        unchecked {
            // odds > 1.0, so payout >= stake.
            uint256 houseShare = payout - stake;
            if (bettor == house) {
                if (bettorBalance < payout) revert HouseInsufficient();
                _store(bettorSlot, bettorBalance - payout);
                return;
            }
            bytes32 houseSlot = _balanceSlot(house);
            uint256 houseBalance = _load(houseSlot);
            if (houseBalance < houseShare) revert HouseInsufficient();
            _store(bettorSlot, bettorBalance - stake);
            if (houseShare != 0) _store(houseSlot, houseBalance - houseShare);
        }
    }

    function _credit(address account, uint256 amount) internal {
        if (amount == 0) return;
        bytes32 slot = _balanceSlot(account);
        _store(slot, _load(slot) + amount);
    }

    function _nextId(uint256 counterSlot) internal returns (uint256 id) {
        id = _orOne(_load(bytes32(counterSlot)));
        unchecked {
            _store(bytes32(counterSlot), id + 1);
        }
    }

    function _operator() internal view returns (address) {
        return address(uint160(_load(bytes32(SLOT_OPERATOR))));
    }

    function _balanceSlot(address account) internal pure returns (bytes32) {
        return _mappingSlot(uint256(uint160(account)), SLOT_BALANCES);
    }

    function _orOne(uint256 value) internal pure returns (uint256) {
        return value == 0 ? 1 : value;
    }

    function _offset(bytes32 base, uint256 delta) internal pure returns (bytes32) {
        unchecked {
            return bytes32(uint256(base) + delta);
        }
    }

    /// @dev keccak256(abi.encode(arraySlot)): where Solidity places a dynamic array's first element.
    function _arraySlot(uint256 arraySlot) internal pure returns (bytes32 slot) {
        assembly ("memory-safe") {
            mstore(0x00, arraySlot)
            slot := keccak256(0x00, 0x20)
        }
    }

    /// @dev keccak256(abi.encode(key, mappingSlot)), as Solidity places mapping values.
    function _mappingSlot(uint256 key, uint256 mappingSlot) internal pure returns (bytes32 slot) {
        assembly ("memory-safe") {
            mstore(0x00, key)
            mstore(0x20, mappingSlot)
            slot := keccak256(0x00, 0x40)
        }
    }
}
