/**
 * Storage layout of the bet engine predeploy, mirroring the conceptual Solidity declarations
 * documented at the top of bridge-contracts/src/stf/BetEngineLogic.sol. Slots are where Solidity
 * would place them, so `eth_getStorageAt(BET_ENGINE_ADDRESS, slot)` reads what one expects.
 */
import { encodeAbiParameters, getAddress, keccak256, numberToHex, type Address, type Hex } from 'viem'

export const OPERATOR_SLOT = 0n
export const ORACLE_SLOT = 1n
export const NEXT_MARKET_ID_SLOT = 2n
export const NEXT_BET_ID_SLOT = 3n
export const BALANCES_SLOT = 4n
export const MARKETS_SLOT = 5n
export const BETS_SLOT = 6n
export const WITHDRAWALS_SLOT = 7n
export const NEXT_WITHDRAWAL_NONCE_SLOT = 8n
export const COMMITTEE_SLOT = 9n
export const MEMBERS_SLOT = 10n
export const SEATS_SLOT = 11n
export const RESOLUTIONS_SLOT = 12n
export const MARKET_INFO_SLOT = 13n
export const BETTOR_STAKES_SLOT = 14n

export const MarketStatus = { none: 0, open: 1, resolved: 2, suspended: 3 } as const
export const BetStatus = { none: 0, open: 1, settled: 2, cashedOut: 3 } as const
/** A bet's kind (base+0, bits 240): a parlay's legs follow its amounts word. */
export const BetKind = { single: 0, parlay: 1 } as const

/** Offsets from a market's base slot. */
export const MarketField = { head: 0n, maxLiability: 1n, odds: 2n, liability: 4n, probabilities: 12n, pricing: 13n, limits: 14n } as const
/** Flags in a market's head word: priced (the odds engine prices it), limited (it counts stakes and its total payout). */
export const MarketFlag = { priced: 1n << 184n, limited: 1n << 185n } as const
/** Offsets from a bet's base slot: a parlay's legs from `legs` on, two per word. */
export const BetField = { head: 0n, amounts: 1n, legs: 2n } as const

const UINT256_MAX = (1n << 256n) - 1n

/** A slot number as the 32-byte hex that eth_getStorageAt and genesis `storage` take. */
export function slotHex(slot: bigint): Hex {
  return numberToHex(slot, { size: 32 })
}

/** keccak256(abi.encode(key, mappingSlot)): where Solidity puts `mapping[key]`. */
function mappingSlot(key: bigint, mapping: bigint): bigint {
  return BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [key, mapping])))
}

function offset(base: bigint, delta: bigint): bigint {
  return (base + delta) & UINT256_MAX
}

export const operatorSlot: Hex = slotHex(OPERATOR_SLOT)
export const oracleSlot: Hex = slotHex(ORACLE_SLOT)
export const nextMarketIdSlot: Hex = slotHex(NEXT_MARKET_ID_SLOT)
export const nextBetIdSlot: Hex = slotHex(NEXT_BET_ID_SLOT)

export function balanceSlot(account: Address): Hex {
  return slotHex(mappingSlot(BigInt(account), BALANCES_SLOT))
}

/** Base slot of `markets[marketId]`: the packed head (status, outcomeCount, result, closeTime, maxStake). */
export function marketSlot(marketId: bigint): Hex {
  return slotHex(mappingSlot(marketId, MARKETS_SLOT))
}

export function marketMaxLiabilitySlot(marketId: bigint): Hex {
  return slotHex(offset(mappingSlot(marketId, MARKETS_SLOT), MarketField.maxLiability))
}

/** The slot holding `odds[outcome]` (8 per slot) and its bit offset within the word. */
export function marketOddsSlot(marketId: bigint, outcome: number): { slot: Hex; shift: bigint } {
  const base = mappingSlot(marketId, MARKETS_SLOT)
  return { slot: slotHex(offset(base, MarketField.odds + BigInt(outcome >> 3))), shift: BigInt((outcome & 7) * 32) }
}

/** The slot holding `liability[outcome]` (2 per slot) and its bit offset within the word. */
export function marketLiabilitySlot(marketId: bigint, outcome: number): { slot: Hex; shift: bigint } {
  const base = mappingSlot(marketId, MARKETS_SLOT)
  return {
    slot: slotHex(offset(base, MarketField.liability + BigInt(outcome >> 1))),
    shift: BigInt((outcome & 1) * 128),
  }
}

/** Base slot of `bets[betId]`: the packed head (bettor, marketId, outcome, status). */
export function betSlot(betId: bigint): Hex {
  return slotHex(mappingSlot(betId, BETS_SLOT))
}

/** Second slot of `bets[betId]`: the packed amounts (stake, odds, payout). */
export function betAmountsSlot(betId: bigint): Hex {
  return slotHex(offset(mappingSlot(betId, BETS_SLOT), BetField.amounts))
}

/** The slot holding parlay `betId`'s leg `index` (2 per slot, at bits (index % 2) * 128). */
export function parlayLegSlot(betId: bigint, index: number): Hex {
  return slotHex(offset(mappingSlot(betId, BETS_SLOT), BetField.legs + BigInt(index >> 1)))
}

function bits(word: bigint, shift: bigint, width: bigint): bigint {
  return (word >> shift) & ((1n << width) - 1n)
}

export const nextWithdrawalNonceSlot: Hex = slotHex(NEXT_WITHDRAWAL_NONCE_SLOT)

/** What the bet engine's withdraw records and the L1 bridge pays: its hash identifies it on both sides. */
export interface Withdrawal {
  l2Sender: Address
  l1Recipient: Address
  amount: bigint
  nonce: bigint
}

/** keccak256(abi.encode(l2Sender, l1Recipient, amount, nonce)), as BetEngineLogic.withdraw and RollbookBridge.hashWithdrawal. */
export function withdrawalHash(w: Withdrawal): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'address' }, { type: 'address' }, { type: 'uint256' }, { type: 'uint256' }], [w.l2Sender, w.l1Recipient, w.amount, w.nonce]),
  )
}

/** The slot of `withdrawals[hash]` (1 once initiated): what a withdrawal proof proves. */
export function withdrawalSlot(hash: Hex): Hex {
  return slotHex(mappingSlot(BigInt(hash), WITHDRAWALS_SLOT))
}

export interface MarketHead {
  status: number
  outcomeCount: number
  result: number
  closeTime: bigint
  maxStake: bigint
}

export function decodeMarketHead(word: bigint): MarketHead {
  return {
    status: Number(bits(word, 0n, 8n)),
    outcomeCount: Number(bits(word, 8n, 8n)),
    result: Number(bits(word, 16n, 8n)),
    closeTime: bits(word, 24n, 64n),
    maxStake: bits(word, 88n, 96n),
  }
}

export interface BetRecord {
  bettor: Address
  marketId: bigint
  outcome: number
  status: number
  stake: bigint
  odds: number
  payout: bigint
  /** BetKind: a parlay has marketId 0 and its leg count as outcome. */
  kind: number
}

/** Decodes a bet from its two storage words. */
export function decodeBet(head: bigint, amounts: bigint): BetRecord {
  return {
    bettor: getAddress(`0x${bits(head, 0n, 160n).toString(16).padStart(40, '0')}`),
    marketId: bits(head, 160n, 64n),
    outcome: Number(bits(head, 224n, 8n)),
    status: Number(bits(head, 232n, 8n)),
    stake: bits(amounts, 0n, 96n),
    odds: Number(bits(amounts, 96n, 32n)),
    payout: bits(amounts, 128n, 128n),
    kind: Number(bits(head, 240n, 8n)),
  }
}

export interface ParlayLeg {
  marketId: bigint
  outcome: number
  /** The leg's odds when the parlay was placed, 4 decimals. */
  odds: number
}

/** Decodes leg `index` of a parlay from the word at `parlayLegSlot(betId, index)`. */
export function decodeParlayLeg(word: bigint, index: number): ParlayLeg {
  const leg = bits(word, BigInt((index & 1) * 128), 128n)
  return { marketId: bits(leg, 0n, 64n), outcome: Number(bits(leg, 64n, 8n)), odds: Number(bits(leg, 72n, 32n)) }
}

export const committeeSlot: Hex = slotHex(COMMITTEE_SLOT)
/** The committee's `address[] members`: its length here, members[i] at `memberSlot(i)`. */
export const membersLengthSlot: Hex = slotHex(MEMBERS_SLOT)

/** keccak256(abi.encode(slot)): where Solidity puts a dynamic array's first element. */
function arraySlot(slot: bigint): bigint {
  return BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }], [slot])))
}

export function memberSlot(index: number): Hex {
  return slotHex(offset(arraySlot(MEMBERS_SLOT), BigInt(index)))
}

/** `seats[member]`: seat | epoch << 8, a seat only while the epoch is the committee's. */
export function seatSlot(member: Address): Hex {
  return slotHex(mappingSlot(BigInt(member), SEATS_SLOT))
}

/** A market's result vote: base+0 round, proposal and finalAt; base+1 the round's votes. */
export function resolutionSlot(marketId: bigint): Hex {
  return slotHex(mappingSlot(marketId, RESOLUTIONS_SLOT))
}

export function resolutionVotesSlot(marketId: bigint): Hex {
  return slotHex(offset(mappingSlot(marketId, RESOLUTIONS_SLOT), 1n))
}

export interface CommitteeWord {
  threshold: number
  disputeWindowSeconds: number
  epoch: bigint
}

export function decodeCommittee(word: bigint): CommitteeWord {
  return { threshold: Number(bits(word, 0n, 8n)), disputeWindowSeconds: Number(bits(word, 8n, 32n)), epoch: bits(word, 40n, 64n) }
}

export interface ResolutionWord {
  round: number
  proposed: boolean
  result: number
  finalAt: bigint
}

export function decodeResolution(word: bigint): ResolutionWord {
  return { round: Number(bits(word, 0n, 32n)), proposed: bits(word, 32n, 8n) !== 0n, result: Number(bits(word, 40n, 8n)), finalAt: bits(word, 48n, 64n) }
}

/** `marketInfo[marketId]`: type | line << 8 (int16, two's complement). */
export function marketInfoSlot(marketId: bigint): Hex {
  return slotHex(mappingSlot(marketId, MARKET_INFO_SLOT))
}

/** `bettorStakes[marketId][bettor]`: the bettor's stakes on the market since it first had limits. */
export function bettorStakeSlot(marketId: bigint, bettor: Address): Hex {
  return slotHex(mappingSlot(BigInt(bettor), mappingSlot(marketId, BETTOR_STAKES_SLOT)))
}

/** base+12: the odds engine's probabilities, 16 x uint16 bps. */
export function marketProbabilitiesSlot(marketId: bigint): Hex {
  return slotHex(offset(mappingSlot(marketId, MARKETS_SLOT), MarketField.probabilities))
}

/** base+13: margin | slope << 16 | floorOdds << 48. */
export function marketPricingSlot(marketId: bigint): Hex {
  return slotHex(offset(mappingSlot(marketId, MARKETS_SLOT), MarketField.pricing))
}

/** base+14: maxStakePerBettor | maxMarketLiability << 96. */
export function marketLimitsSlot(marketId: bigint): Hex {
  return slotHex(offset(mappingSlot(marketId, MARKETS_SLOT), MarketField.limits))
}

export interface MarketInfoWord {
  marketType: number
  /** tenths of a point */
  line: number
}

export function decodeMarketInfo(word: bigint): MarketInfoWord {
  const line = Number(bits(word, 8n, 16n))
  return { marketType: Number(bits(word, 0n, 8n)), line: line >= 0x8000 ? line - 0x10000 : line }
}

export interface MarketFlags {
  priced: boolean
  limited: boolean
}

export function decodeMarketFlags(head: bigint): MarketFlags {
  return { priced: (head & MarketFlag.priced) !== 0n, limited: (head & MarketFlag.limited) !== 0n }
}

export interface PricingWords {
  probabilitiesBps: number[]
  marginBps: number
  slope: number
  floorOdds: number
}

/** The odds engine's words of a market with `outcomeCount` outcomes (base+12, base+13). */
export function decodePricing(probabilities: bigint, pricing: bigint, outcomeCount: number): PricingWords {
  return {
    probabilitiesBps: Array.from({ length: outcomeCount }, (_, i) => Number(bits(probabilities, BigInt(i * 16), 16n))),
    marginBps: Number(bits(pricing, 0n, 16n)),
    slope: Number(bits(pricing, 16n, 32n)),
    floorOdds: Number(bits(pricing, 48n, 32n)),
  }
}

export interface LimitsWords {
  maxStakePerBettor: bigint
  maxMarketLiability: bigint
  /** the market's total escrowed payout, counted while limited (upper half of base+1) */
  totalLiability: bigint
}

/** base+14 and base+1. */
export function decodeLimits(limits: bigint, maxLiabilityWord: bigint): LimitsWords {
  return { maxStakePerBettor: bits(limits, 0n, 96n), maxMarketLiability: bits(limits, 96n, 128n), totalLiability: bits(maxLiabilityWord, 128n, 128n) }
}

/** Reads one packed field out of a storage word, given the shift from a `market*Slot` helper. */
export function packedField(word: bigint, shift: bigint, width: 32n | 128n): bigint {
  return bits(word, shift, width)
}

export interface GenesisStorageParameters {
  operator: Address
  oracle: Address
  balances: Record<Address, bigint>
}

/** The genesis committee's epoch: an empty seat slot (epoch 0) is never a seat. */
export const GENESIS_COMMITTEE_EPOCH = 1n

/**
 * The bet engine's genesis storage: operator, oracle, both id counters at 1, balances, and the
 * oracle committee of docs/decisions/0007 as [oracle] with threshold 1 and no dispute window, so a
 * single report resolves a market at once. Returns 32-byte hex [slot, value] pairs, only for
 * nonzero values.
 */
export function genesisStorage({ operator, oracle, balances }: GenesisStorageParameters): Array<[slot: Hex, value: Hex]> {
  const entries: Array<[bigint, bigint]> = [
    [OPERATOR_SLOT, BigInt(operator)],
    [ORACLE_SLOT, BigInt(oracle)],
    [NEXT_MARKET_ID_SLOT, 1n],
    [NEXT_BET_ID_SLOT, 1n],
    // threshold 1 | window 0 << 8 | epoch << 40; members = [oracle] in seat 0
    [COMMITTEE_SLOT, 1n | (GENESIS_COMMITTEE_EPOCH << 40n)],
    [MEMBERS_SLOT, 1n],
    [offset(arraySlot(MEMBERS_SLOT), 0n), BigInt(oracle)],
    [mappingSlot(BigInt(oracle), SEATS_SLOT), GENESIS_COMMITTEE_EPOCH << 8n],
  ]
  for (const [account, amount] of Object.entries(balances) as Array<[Address, bigint]>) {
    if (amount < 0n || amount > UINT256_MAX) throw new RangeError(`balance of ${account} is out of range: ${amount}`)
    entries.push([mappingSlot(BigInt(account), BALANCES_SLOT), amount])
  }
  return entries.filter(([, value]) => value !== 0n).map(([slot, value]) => [slotHex(slot), slotHex(value)])
}
