// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title BetEngineLogic
/// @notice Every betting rule of Rollbook, written once and compiled into both the L2 predeploy
///         (sload/sstore) and the L1 fraud-proof verifier (witness map). See DESIGN.md decision 4.
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
///
///      struct Market {                                   first member in the lowest-order bytes
///        uint8 status; uint8 outcomeCount; uint8 result; uint64 closeTime; uint96 maxStake;
///                                                        base+0: bits 0, 8, 16, 24, 88
///        uint128 maxLiability;                           base+1
///        uint32[16] odds;                                base+2+i/8, bits (i%8)*32
///        uint128[16] liability;                          base+4+i/2, bits (i%2)*128
///      }
///      struct Bet {
///        address bettor; uint64 marketId; uint8 outcome; uint8 status;
///                                                        base+0: bits 0, 160, 224, 232
///        uint96 stake; uint32 odds; uint128 payout;      base+1: bits 0, 96, 128
///      }
///      struct Resolution {                               a market's oracle committee vote (docs/decisions/0007)
///        uint32 round; bool proposed; uint8 result; uint64 finalAt;
///                                                        base+0: bits 0, 32, 40, 48 (a flag: round + 1, the rest 0)
///        uint32 votesRound; uint64 votesEpoch; uint16 voted; uint8[16] votes;
///                                                        base+1: bits 0, 32, 96, 112 + 8 * seat; the votes count only
///                                                        while votesRound and votesEpoch are the current ones
///      }
///
///      Market status: 0 none, 1 open, 2 resolved. Bet status: 0 none, 1 open, 2 settled. A market stays
///      open while its result is voted on and proposed; it is resolved when the proposal is final.
///      Money invariant: sum(balances) + sum(payout of open bets) = deposits relayed - withdrawals
///      initiated (genesis balances count as deposits). Deposits and forced transactions come
///      from L1 through the L1 messenger system account (docs/decisions/0004).
abstract contract BetEngineLogic {
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

    /// @notice The system account that relays L1 queue messages: its key is public
    ///         (keccak256("rollbook/l1-messenger/v1")), so nodes refuse its txs from outside and
    ///         sign them only themselves, one per queue message, with nonce = queue index.
    address internal constant L1_MESSENGER = 0xEC8aE85D5fe850B89f7738Be39038c0d32b10600;

    uint8 internal constant MARKET_OPEN = 1;
    uint8 internal constant MARKET_RESOLVED = 2;
    uint8 internal constant BET_OPEN = 1;
    uint8 internal constant BET_SETTLED = 2;

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
    error InsufficientBalance();
    error HouseInsufficient();
    error BetNotOpen();
    error MarketNotResolved();
    error NotL1Messenger();
    error AmountZero();
    error RecipientZero();

    event MarketCreated(
        uint256 indexed marketId, uint8 outcomeCount, uint64 closeTime, uint96 maxStake, uint128 maxLiability, uint32[] odds
    );
    event OddsChanged(uint256 indexed marketId, uint32[] odds);
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

    function setOdds(uint256 marketId, uint32[] calldata odds) external {
        Context memory ctx = _context();
        if (ctx.sender != _operator()) revert NotOperator();
        bytes32 base = _mappingSlot(marketId, SLOT_MARKETS);
        uint256 head = _load(base);
        if (uint8(head) != MARKET_OPEN) revert MarketNotOpen();
        if (ctx.time >= uint64(head >> 24)) revert MarketClosed();
        _storeOdds(base, uint8(head >> 8), odds);
        emit OddsChanged(marketId, odds);
    }

    // ---------------------------------------------------------------- bettors

    /// @dev The hot path: 8 storage reads (market head, maxLiability, odds word, liability word,
    ///      operator, two balances, nextBetId) and 6 writes; no loops, no memory arrays.
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
            odds = uint32(_load(_offset(base, 2 + (outcome >> 3))) >> ((uint256(outcome) & 7) << 5));
            if (odds < minOdds) revert OddsBelowMinimum(odds);
            // stake < 2^96 and odds <= 10^7 < 2^24: the product fits in 120 bits.
            payout = (uint256(stake) * odds) / ODDS_SCALE;

            bytes32 liabilitySlot = _offset(base, 4 + (outcome >> 1));
            uint256 liabilityWord = _load(liabilitySlot);
            uint256 shift = (uint256(outcome) & 1) << 7;
            uint256 liability = uint128(liabilityWord >> shift) + payout;
            if (liability > uint128(_load(_offset(base, 1)))) revert LiabilityCapExceeded();
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
    }

    /// @notice Pays out a bet of a resolved market; anyone may call it.
    function settleBet(uint256 betId) external {
        bytes32 betBase = _mappingSlot(betId, SLOT_BETS);
        uint256 betHead = _load(betBase);
        if (uint8(betHead >> 232) != BET_OPEN) revert BetNotOpen();
        uint256 marketId = uint64(betHead >> 160);
        bytes32 marketBase = _mappingSlot(marketId, SLOT_MARKETS);
        uint256 marketHead = _load(marketBase);
        if (uint8(marketHead) != MARKET_RESOLVED) {
            // A proposal past its dispute window is final: the bet settles on it at once, so a
            // winner never waits on anyone's finalizeResult.
            uint256 state = _load(_mappingSlot(marketId, SLOT_RESOLUTIONS));
            if (uint8(state >> 32) == 0 || _context().time < uint64(state >> 48)) revert MarketNotResolved();
            marketHead = _resolve(marketId, marketBase, marketHead, uint8(state >> 40));
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
        if (uint8(head) != MARKET_OPEN) revert MarketNotOpen();
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
        if (uint8(head) != MARKET_OPEN) revert MarketNotOpen();
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

    /// @dev Marks the market resolved with `result`; returns its new head.
    function _resolve(uint256 marketId, bytes32 base, uint256 head, uint8 result) private returns (uint256 resolved) {
        resolved = (head & ~uint256(0xff00ff)) | uint256(MARKET_RESOLVED) | (uint256(result) << 16);
        _store(base, resolved);
        emit MarketResolved(marketId, result);
    }

    /// @dev `account`'s seat on the committee whose packed word is `committee`, or MAX_MEMBERS if none.
    function _seat(address account, uint256 committee) private view returns (uint256) {
        uint256 seat = _load(_mappingSlot(uint160(account), SLOT_SEATS));
        // The epoch is at least 1, so an empty slot never matches.
        return seat >> 8 == uint64(committee >> 40) ? uint8(seat) : MAX_MEMBERS;
    }

    /// @dev The round and epoch a market's votes word must carry to count: round | epoch << 32.
    function _votesTag(uint256 state, uint256 committee) internal pure returns (uint256) {
        return uint32(state) | (uint256(uint64(committee >> 40)) << 32);
    }

    /// @dev The bettor pays `stake`, the house pays `payout - stake`; the bet escrows `payout`.
    function _debitStakes(address bettor, uint256 stake, uint256 payout) private {
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

    function _credit(address account, uint256 amount) private {
        if (amount == 0) return;
        bytes32 slot = _balanceSlot(account);
        _store(slot, _load(slot) + amount);
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

    function _nextId(uint256 counterSlot) private returns (uint256 id) {
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
