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

export function recordFromJson(json: JsonRecord): BatchRecord {
  return Object.fromEntries(Object.entries(json).map(([key, value]) => [key, BIGINT_FIELDS.has(key) ? BigInt(value) : value])) as unknown as BatchRecord
}

/** A deterministic test key per index. */
export function testAccount(index: number) {
  return privateKeyToAccount(keccak256(toHex(`rollbook batch test account ${index}`)))
}

export function placeBetTx({ chainId, nonce, marketId, outcome, stake, minOdds }: { chainId: number; nonce: number; marketId: bigint; outcome: number; stake: bigint; minOdds: number }): TransactionSerializable {
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
