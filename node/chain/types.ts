import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'

/** An EVM log as ethereumjs gives it: address, topics, data. */
export type EvmLog = [address: Uint8Array, topics: Uint8Array[], data: Uint8Array]

/** What the node keeps for each executed tx: enough to serve a receipt and to rebuild receipts roots. */
export interface TxOutcome {
  status: 0 | 1
  gasUsed: bigint
  cumulativeGasUsed: bigint
  logs: EvmLog[]
  /** revert data of a failed call (ABI-encoded custom error), empty when none */
  revertData: Uint8Array
}

export interface ExecutedTx extends TxOutcome {
  tx: TypedTransaction
  hash: Uint8Array
  from: Uint8Array
  /** position in its block */
  index: number
  /** logs of the block's earlier txs (block-wide log indexes start here) */
  logsBefore: number
  blockNumber: bigint
  /** set when the block is sealed; undefined while preconfirmed */
  blockHash?: Uint8Array
  /** the receipt's logs bloom (256 bytes), computed once when the tx ran */
  bloom: Uint8Array
}

export interface SealedBlock {
  block: Block
  hash: Uint8Array
  txs: ExecutedTx[]
  /** resolves when the block is on disk (it is served from memory until then) */
  written: Promise<void>
}
