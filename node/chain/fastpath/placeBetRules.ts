import { concatBytes, hexToBytes, setLengthLeft, bigIntToBytes } from '@ethereumjs/util'
import { toEventSelector, toFunctionSelector } from 'viem'
import { keccak256 } from '../crypto.ts'

/**
 * placeBet of bridge-contracts/src/stf/BetEngineLogic.sol, transcribed rule for rule over 256-bit
 * words, for plain markets: a priced or limited market (a flag in the head word) is declined, as is a
 * suspended one (status 3). It only ever answers "this call succeeds with these writes and this log"
 * or "not sure": every revert of the Solidity (and anything it cannot tell) is `undefined`, for the
 * EVM to run.
 */

export const PLACE_BET_SELECTOR = hexToBytes(toFunctionSelector('placeBet(uint256,uint8,uint96,uint32)'))
export const BET_PLACED_TOPIC = hexToBytes(toEventSelector('BetPlaced(uint256,uint256,address,uint8,uint96,uint32,uint128)'))
export const PLACE_BET_CALLDATA_LENGTH = 4 + 4 * 32

const SLOT_OPERATOR = 0n
const SLOT_NEXT_BET_ID = 3n
const SLOT_BALANCES = 4n
const SLOT_MARKETS = 5n
const SLOT_BETS = 6n
const MARKET_OPEN = 1n
/** Bits 184.. of a market's head: its flags (priced, limited); this transcription covers none of them. */
const MARKET_FLAGS_SHIFT = 184n
const BET_OPEN = 1n
const ODDS_SCALE = 10_000n

const MASK8 = (1n << 8n) - 1n
const MASK32 = (1n << 32n) - 1n
const MASK64 = (1n << 64n) - 1n
const MASK96 = (1n << 96n) - 1n
const MASK128 = (1n << 128n) - 1n
const MASK160 = (1n << 160n) - 1n
const MASK256 = (1n << 256n) - 1n

export interface PlaceBetArgs {
  marketId: bigint
  outcome: number
  stake: bigint
  minOdds: bigint
}

/** Canonical ABI calldata of placeBet only: exact length, clean high bits (Solidity reverts on dirty ones). */
export function decodePlaceBetCalldata(data: Uint8Array): PlaceBetArgs | undefined {
  if (data.length !== PLACE_BET_CALLDATA_LENGTH) return undefined
  for (let i = 0; i < 4; i++) if (data[i] !== PLACE_BET_SELECTOR[i]) return undefined
  const marketId = word(data, 0)
  const outcome = word(data, 1)
  const stake = word(data, 2)
  const minOdds = word(data, 3)
  if (outcome > MASK8 || stake > MASK96 || minOdds > MASK32) return undefined
  return { marketId, outcome: Number(outcome), stake, minOdds }
}

function word(data: Uint8Array, index: number): bigint {
  let v = 0n
  const start = 4 + index * 32
  for (let i = start; i < start + 32; i++) v = (v << 8n) | BigInt(data[i])
  return v
}

export function u256(value: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(value & MASK256), 32)
}

/** keccak256(abi.encode(key, mappingSlot)), as Solidity places mapping values. */
export function mappingSlot(key: bigint, slot: bigint): bigint {
  const digest = keccak256(concatBytes(u256(key), u256(slot)))
  let v = 0n
  for (const b of digest) v = (v << 8n) | BigInt(b)
  return v
}

function offset(base: bigint, delta: bigint): bigint {
  return (base + delta) & MASK256
}

/** One SSTORE of the call, in execution order: the slot's value before the tx and the value written. */
export interface SlotWrite {
  slot: bigint
  before: bigint
  after: bigint
}

export interface PlaceBetEffects {
  /** every slot the call reads (SLOAD), in order */
  reads: bigint[]
  writes: SlotWrite[]
  betId: bigint
  /** BetPlaced: topics and data as the EVM's LOG4 emits them */
  topics: Uint8Array[]
  data: Uint8Array
  /** which branches of the bytecode run (they decide its computation gas) */
  branch: { bettorIsHouse: boolean; houseWritten: boolean; betIdCounterUnset: boolean }
}

export type StorageReader = (slot: bigint) => Promise<bigint>

/**
 * The effects of a successful placeBet by `sender` at block time `time`, or undefined when the
 * Solidity would revert. Reads go through `load`; nothing is written here.
 */
export async function placeBetEffects(args: PlaceBetArgs, sender: bigint, time: bigint, load: StorageReader): Promise<PlaceBetEffects | undefined> {
  const { marketId, outcome, stake, minOdds } = args
  const reads: bigint[] = []
  const writes: SlotWrite[] = []
  const read = async (slot: bigint): Promise<bigint> => {
    reads.push(slot)
    return load(slot)
  }
  const write = (slot: bigint, before: bigint, after: bigint) => writes.push({ slot, before, after: after & MASK256 })
  const now = time & MASK64

  const base = mappingSlot(marketId, SLOT_MARKETS)
  const head = await read(base)
  if ((head & MASK8) !== MARKET_OPEN) return undefined
  // a priced market (the odds engine, bit 184) or a limited one (bit 185), or any flag added later:
  // not transcribed here, the EVM runs it
  if (head >> MARKET_FLAGS_SHIFT !== 0n) return undefined
  if (now >= ((head >> 24n) & MASK64)) return undefined
  if (BigInt(outcome) >= ((head >> 8n) & MASK8)) return undefined
  if (stake === 0n) return undefined
  if (stake > ((head >> 88n) & MASK96)) return undefined

  const odds = ((await read(offset(base, 2n + BigInt(outcome >> 3)))) >> BigInt((outcome & 7) << 5)) & MASK32
  if (odds < minOdds) return undefined
  const payout = (stake * odds) / ODDS_SCALE

  const liabilitySlot = offset(base, 4n + BigInt(outcome >> 1))
  const liabilityWord = await read(liabilitySlot)
  const shift = BigInt((outcome & 1) << 7)
  const liability = ((liabilityWord >> shift) & MASK128) + payout
  if (liability > ((await read(offset(base, 1n))) & MASK128)) return undefined
  write(liabilitySlot, liabilityWord, (liabilityWord & ~(MASK128 << shift)) | (liability << shift))

  // _debitStakes
  const house = (await read(SLOT_OPERATOR)) & MASK160
  const bettorSlot = mappingSlot(sender, SLOT_BALANCES)
  const bettorBalance = await read(bettorSlot)
  if (bettorBalance < stake) return undefined
  const houseShare = (payout - stake) & MASK256
  const bettorIsHouse = sender === house
  let houseWritten = false
  if (bettorIsHouse) {
    if (bettorBalance < payout) return undefined
    write(bettorSlot, bettorBalance, bettorBalance - payout)
  } else {
    const houseSlot = mappingSlot(house, SLOT_BALANCES)
    const houseBalance = await read(houseSlot)
    if (houseBalance < houseShare) return undefined
    write(bettorSlot, bettorBalance, bettorBalance - stake)
    if (houseShare !== 0n) {
      write(houseSlot, houseBalance, houseBalance - houseShare)
      houseWritten = true
    }
  }

  // _nextId(SLOT_NEXT_BET_ID)
  const counter = await read(SLOT_NEXT_BET_ID)
  const betId = counter === 0n ? 1n : counter
  write(SLOT_NEXT_BET_ID, counter, betId + 1n)

  const betBase = mappingSlot(betId, SLOT_BETS)
  const betAmountsSlot = offset(betBase, 1n)
  // Written without an SLOAD; their prior values decide the SSTORE gas, and they are zero: the bet
  // engine writes a bet's slots only when it creates the bet (ids come from the counter, never
  // reused) and later only after reading its status, which a bet not yet created fails. Reading
  // them would walk the storage trie to prove two absent keys per bet (7% of the sequencer's CPU).
  // The differential tests (placeBet.test.ts, shadow execution) hold this against the EVM.
  write(betBase, 0n, sender | ((marketId & MASK64) << 160n) | (BigInt(outcome) << 224n) | (BET_OPEN << 232n))
  write(betAmountsSlot, 0n, stake | (odds << 96n) | (payout << 128n))
  // reads above are not overlaid with earlier writes: a slot touched twice (a keccak collision) goes to the EVM
  if (new Set([...reads, betBase, betAmountsSlot]).size !== reads.length + 2) return undefined

  return {
    reads,
    writes,
    betId,
    topics: [BET_PLACED_TOPIC, u256(betId), u256(marketId), u256(sender)],
    data: concatBytes(u256(BigInt(outcome)), u256(stake), u256(odds), u256(payout & MASK128)),
    branch: { bettorIsHouse, houseWritten, betIdCounterUnset: counter === 0n },
  }
}
