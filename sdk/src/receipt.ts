import { formatTransactionReceipt, isHex, type Address, type Hash, type Hex, type RpcTransactionReceipt, type TransactionReceipt } from 'viem'
import { decodeBetEngineError, type BetEngineRevert } from './betEngine/index.ts'
import { decodeBetEngineLogs, type BetEngineEvent } from './events.ts'

interface BetEngineReceiptBase {
  transactionHash: Hash
  blockNumber: bigint
  /** Null while the block holding the transaction is not sealed yet. */
  blockHash: Hash | null
  from: Address
  /** The bet engine's events, in log order. */
  events: BetEngineEvent[]
  /** The whole receipt as viem formats it. */
  receipt: TransactionReceipt
}

export type BetEngineReceipt =
  | (BetEngineReceiptBase & { status: 'success' })
  | (BetEngineReceiptBase & {
      status: 'reverted'
      /** The decoded bet engine error, e.g. `{ name: 'OddsBelowMinimum', args: [24000] }`, when the node sent revert data. */
      error: BetEngineRevert | undefined
      revertData: Hex | undefined
    })

/** A receipt as the node sends it: standard, plus the revert data of a failed call where it includes it. */
export type RollbookRpcReceipt = RpcTransactionReceipt & { revertData?: unknown; revertReason?: unknown }

const ZERO_HASH = `0x${'0'.repeat(64)}` as const

/** Reads an eth_getTransactionReceipt answer (or a preconfirmation) into a BetEngineReceipt. */
export function parseBetEngineReceipt(raw: RollbookRpcReceipt): BetEngineReceipt {
  const receipt = formatTransactionReceipt(raw)
  const base: BetEngineReceiptBase = {
    transactionHash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    blockHash: receipt.blockHash === null || receipt.blockHash === ZERO_HASH ? null : receipt.blockHash,
    from: receipt.from,
    events: decodeBetEngineLogs(receipt.logs),
    receipt,
  }
  if (receipt.status === 'success') return { ...base, status: 'success' }
  const revertData = [raw.revertData, raw.revertReason].find((value): value is Hex => isHex(value) && value !== '0x')
  return {
    ...base,
    status: 'reverted',
    revertData,
    error: revertData === undefined ? undefined : decodeBetEngineError(revertData),
  }
}
