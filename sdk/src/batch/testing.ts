import fc from 'fast-check'
import { encodeFunctionData, keccak256, toHex, type Hex, type TransactionSerializable } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { betEngineAbi } from '../betEngine/index.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../constants.ts'
import type { BatchRecord } from './records.ts'

/** Records as JSON: bigints as decimal strings (the form vectors.json keeps them in). */
export type JsonRecord = { [key: string]: string | number }

const BIGINT_FIELDS = new Set(['timestamp', 'queueIndex', 'nonce', 'marketId', 'stake'])

export function recordToJson(record: BatchRecord): JsonRecord {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, typeof value === 'bigint' ? value.toString() : value]))
}

export function recordFromJson(json: object): BatchRecord {
  return Object.fromEntries(Object.entries(json).map(([key, value]) => [key, BIGINT_FIELDS.has(key) ? BigInt(value as string) : value])) as unknown as BatchRecord
}

/** A deterministic test key per index. */
export function testAccount(index: number) {
  return privateKeyToAccount(keccak256(toHex(`rollbook batch test account ${index}`)))
}

export interface PlaceBetTxFields {
  chainId: number
  nonce: number
  marketId: bigint
  outcome: number
  stake: bigint
  minOdds: number
}

/** An unsigned placeBet tx of the compact shape. */
export function placeBetTx({ chainId, nonce, marketId, outcome, stake, minOdds }: PlaceBetTxFields): TransactionSerializable {
  return {
    type: 'eip1559',
    chainId,
    nonce,
    to: BET_ENGINE_ADDRESS,
    value: 0n,
    gas: TX_GAS_LIMIT,
    maxFeePerGas: 0n,
    maxPriorityFeePerGas: 0n,
    data: encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [marketId, outcome, stake, minOdds] }),
  }
}

export const hex = (bytes: Uint8Array): Hex => toHex(bytes)

const u = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n })
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `0x${Buffer.from(b).toString('hex')}` as const)

/** Records of every kind (generic ones carry arbitrary bytes: the decoder judges them). */
export const anyRecord: fc.Arbitrary<BatchRecord> = fc.oneof(
  fc.record({ type: fc.constant('deposit' as const), queueIndex: u(64) }),
  fc.record({
    type: fc.constant('compactBet' as const),
    nonce: u(64),
    marketId: u(256),
    outcome: fc.integer({ min: 0, max: 255 }),
    stake: u(96),
    minOdds: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    yParity: fc.constantFrom(0 as const, 1 as const),
    r: bytes32,
    s: bytes32,
  }),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ({ type: 'signedTx' as const, raw: `0x${Buffer.from(b).toString('hex')}` as const })),
)
