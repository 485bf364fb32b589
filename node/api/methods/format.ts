import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex, bigIntToHex, intToHex } from '@ethereumjs/util'
import type { Common } from '@ethereumjs/common'
import { logsBloom } from '../../chain/chain.ts'
import type { EvmLog, TxOutcome } from '../../chain/types.ts'

type Hex = `0x${string}`

/** Where a tx sits: sealed blocks have a hash; preconfirmed txs carry the zero hash until sealed. */
export interface TxPlace {
  blockHash: Uint8Array | undefined
  blockNumber: bigint
  index: number
  /** logs in the block before this tx (for block-wide log indexes) */
  logsBefore: number
}

const ZERO_HASH = `0x${'00'.repeat(32)}` as Hex

function placeHash(place: TxPlace): Hex {
  return place.blockHash === undefined ? ZERO_HASH : bytesToHex(place.blockHash)
}

export function formatBlock(block: Block, fullTransactions: boolean) {
  const h = block.header.toJSON()
  return {
    number: bigIntToHex(block.header.number),
    hash: bytesToHex(block.hash()),
    parentHash: h.parentHash,
    nonce: h.nonce,
    mixHash: h.mixHash,
    sha3Uncles: h.uncleHash,
    logsBloom: h.logsBloom,
    transactionsRoot: h.transactionsTrie,
    stateRoot: h.stateRoot,
    receiptsRoot: h.receiptTrie,
    miner: h.coinbase,
    difficulty: '0x0',
    totalDifficulty: '0x0',
    extraData: h.extraData,
    size: intToHex(block.serialize().length),
    gasLimit: h.gasLimit,
    gasUsed: h.gasUsed,
    timestamp: h.timestamp,
    baseFeePerGas: h.baseFeePerGas,
    withdrawalsRoot: h.withdrawalsRoot,
    withdrawals: [],
    blobGasUsed: h.blobGasUsed,
    excessBlobGas: h.excessBlobGas,
    parentBeaconBlockRoot: h.parentBeaconBlockRoot,
    requestsHash: h.requestsHash,
    uncles: [],
    transactions: block.transactions.map((tx, index) =>
      fullTransactions
        ? formatTransaction(tx, { blockHash: block.hash(), blockNumber: block.header.number, index, logsBefore: 0 })
        : bytesToHex(tx.hash()),
    ),
  }
}

export function formatHeader(block: Block) {
  const { transactions: _transactions, uncles: _uncles, withdrawals: _withdrawals, size: _size, totalDifficulty: _td, ...header } = formatBlock(block, false)
  return header
}

export function formatTransaction(tx: TypedTransaction, place: TxPlace | undefined) {
  const j = tx.toJSON()
  return {
    hash: bytesToHex(tx.hash()),
    type: bigIntToHex(BigInt(tx.type)),
    chainId: j.chainId,
    nonce: j.nonce,
    from: tx.getSenderAddress().toString(),
    to: j.to ?? null,
    value: j.value,
    gas: j.gasLimit,
    gasPrice: j.gasPrice ?? j.maxFeePerGas ?? '0x0',
    maxFeePerGas: j.maxFeePerGas,
    maxPriorityFeePerGas: j.maxPriorityFeePerGas,
    input: j.data,
    accessList: j.accessList,
    v: j.v,
    r: j.r,
    s: j.s,
    yParity: tx.type === 0 ? undefined : j.v,
    blockHash: place === undefined ? null : placeHash(place),
    blockNumber: place === undefined ? null : bigIntToHex(place.blockNumber),
    transactionIndex: place === undefined ? null : intToHex(place.index),
  }
}

export function formatLog(log: EvmLog, tx: Uint8Array | Hex, place: TxPlace, indexInTx: number) {
  return {
    address: bytesToHex(log[0]),
    topics: log[1].map((t) => bytesToHex(t)),
    data: bytesToHex(log[2]),
    blockNumber: bigIntToHex(place.blockNumber),
    blockHash: placeHash(place),
    transactionHash: typeof tx === 'string' ? tx : bytesToHex(tx),
    transactionIndex: intToHex(place.index),
    logIndex: intToHex(place.logsBefore + indexInTx),
    removed: false,
  }
}

/**
 * A receipt as geth gives it. `outcome.from` and `outcome.bloom`, where the caller has them (an
 * executed tx keeps both), spare the sender's recovery and the bloom's hashing per receipt.
 */
export function formatReceipt(tx: TypedTransaction, outcome: TxOutcome & { from?: Uint8Array; bloom?: Uint8Array }, place: TxPlace, common: Common) {
  const hash = tx.hash()
  const hashHex = bytesToHex(hash)
  return {
    transactionHash: hashHex,
    transactionIndex: intToHex(place.index),
    blockHash: placeHash(place),
    blockNumber: bigIntToHex(place.blockNumber),
    from: outcome.from === undefined ? tx.getSenderAddress().toString() : bytesToHex(outcome.from),
    to: tx.to === undefined ? null : tx.to.toString(),
    cumulativeGasUsed: bigIntToHex(outcome.cumulativeGasUsed),
    gasUsed: bigIntToHex(outcome.gasUsed),
    effectiveGasPrice: '0x0',
    contractAddress: null,
    logs: outcome.logs.map((log, i) => formatLog(log, hashHex, place, i)),
    logsBloom: bytesToHex(outcome.bloom ?? logsBloom(outcome.logs, common)),
    status: outcome.status === 1 ? '0x1' : '0x0',
    type: bigIntToHex(BigInt(tx.type)),
    /** Rollbook: the revert data of a failed tx (an ABI-encoded custom error of the bet engine) */
    revertData: outcome.status === 1 ? undefined : bytesToHex(outcome.revertData),
    /** Rollbook: true while the tx is preconfirmed and its block not yet sealed */
    preconfirmed: place.blockHash === undefined ? true : undefined,
  }
}

export function quantityHex(n: bigint | number): Hex {
  return typeof n === 'number' ? intToHex(n) : bigIntToHex(n)
}
