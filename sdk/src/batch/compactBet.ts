import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, getAbiItem, hexToBytes, toFunctionSelector, type Hex } from 'viem'
import { betEngineAbi } from '../betEngine/index.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../constants.ts'
import type { CompactBetRecord } from './records.ts'

const PLACE_BET_SELECTOR = hexToBytes(toFunctionSelector(getAbiItem({ abi: betEngineAbi, name: 'placeBet' })))
const PLACE_BET_CALLDATA_BYTES = 4 + 4 * 32
const BET_ENGINE_BYTES = hexToBytes(BET_ENGINE_ADDRESS)
const GAS_BYTES = bigintToMinimalBytes(TX_GAS_LIMIT)
const EMPTY = new Uint8Array(0)
const EIP1559_TYPE = 0x02

/** Big-endian without leading zeros, as RLP encodes integers: 0 is the empty string. */
export function bigintToMinimalBytes(value: bigint): Uint8Array {
  if (value === 0n) return EMPTY
  const hex = value.toString(16)
  return hexToBytes(`0x${hex.length % 2 === 0 ? hex : `0${hex}`}`)
}

function minimalBytes(bytes: Uint8Array): Uint8Array {
  let start = 0
  while (start < bytes.length && bytes[start] === 0) start++
  return bytes.subarray(start)
}

function word(value: bigint): Uint8Array {
  const out = new Uint8Array(32)
  const bytes = bigintToMinimalBytes(value)
  out.set(bytes, 32 - bytes.length)
  return out
}

function wordValue(data: Uint8Array, index: number): bigint {
  return BigInt(bytesToHex(data.subarray(4 + index * 32, 4 + (index + 1) * 32)))
}

export function placeBetCalldata({ marketId, outcome, stake, minOdds }: Pick<CompactBetRecord, 'marketId' | 'outcome' | 'stake' | 'minOdds'>): Uint8Array {
  const data = new Uint8Array(PLACE_BET_CALLDATA_BYTES)
  data.set(PLACE_BET_SELECTOR, 0)
  ;[marketId, BigInt(outcome), stake, BigInt(minOdds)].forEach((value, i) => data.set(word(value), 4 + i * 32))
  return data
}

/** The placeBet arguments of canonical ABI calldata (each word within its type), or undefined. */
export function parsePlaceBetCalldata(data: Uint8Array): Pick<CompactBetRecord, 'marketId' | 'outcome' | 'stake' | 'minOdds'> | undefined {
  if (data.length !== PLACE_BET_CALLDATA_BYTES || PLACE_BET_SELECTOR.some((byte, i) => data[i] !== byte)) return undefined
  const [marketId, outcome, stake, minOdds] = [0, 1, 2, 3].map((i) => wordValue(data, i))
  if (outcome >= 1n << 8n || stake >= 1n << 96n || minOdds >= 1n << 32n) return undefined
  return { marketId, outcome: Number(outcome), stake, minOdds: Number(minOdds) }
}

/**
 * The signed EIP-1559 transaction a compact bet stands for, as canonical bytes:
 * 0x02 || rlp([chainId, nonce, 0, 0, TX_GAS_LIMIT, BET_ENGINE_ADDRESS, 0, calldata, [], yParity, r, s]).
 */
export function serializeCompactBet(record: CompactBetRecord, chainId: number): Uint8Array {
  const fields = [
    bigintToMinimalBytes(BigInt(chainId)),
    bigintToMinimalBytes(record.nonce),
    EMPTY,
    EMPTY,
    GAS_BYTES,
    BET_ENGINE_BYTES,
    EMPTY,
    placeBetCalldata(record),
    [],
    bigintToMinimalBytes(BigInt(record.yParity)),
    minimalBytes(hexToBytes(record.r)),
    minimalBytes(hexToBytes(record.s)),
  ]
  const body = RLP.encode(fields)
  const out = new Uint8Array(1 + body.length)
  out[0] = EIP1559_TYPE
  out.set(body, 1)
  return out
}

export function isBetEngineAddress(address: Hex | null | undefined): boolean {
  return address !== null && address !== undefined && address.toLowerCase() === BET_ENGINE_ADDRESS.toLowerCase()
}
