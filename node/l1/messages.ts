/**
 * L1 queue messages (deposits and forced txs, DESIGN.md decision 7) and the L2 transactions that
 * relay them (docs/decisions/0004): one tx from the L1 messenger system account per message, nonce
 * = queue index, signed deterministically so every node builds the same bytes.
 */
import { createFeeMarket1559Tx, type TypedTransaction } from '@ethereumjs/tx'
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Common } from '@ethereumjs/common'
import { decodeAbiParameters, encodeAbiParameters, encodeFunctionData, keccak256, toFunctionSelector, type Hex } from 'viem'
import { BET_ENGINE_ADDRESS, L1_MESSENGER_ADDRESS, L1_MESSENGER_PRIVATE_KEY, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { betEngineAbi } from '../../sdk/src/generated/contracts.ts'

export const MESSAGE_KIND_DEPOSIT = 0
export const MESSAGE_KIND_FORCED_TX = 1

/** A message of the L1 MessageQueue, as its MessageQueued event carries it. */
export interface QueueMessage {
  index: bigint
  kind: number
  /** the L1 account that queued it (the depositor, or whoever forced the tx) */
  sender: Hex
  payload: Hex
  l1BlockNumber: bigint
  timestamp: bigint
  /** the queue's hash chain after this message */
  queueHash: Hex
}

/** keccak256(abi.encode(previous, kind, sender, payload, l1BlockNumber, timestamp)), as MessageQueue.enqueue. */
export function nextQueueHash(previous: Hex, m: Omit<QueueMessage, 'index' | 'queueHash'>): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint8' }, { type: 'address' }, { type: 'bytes' }, { type: 'uint64' }, { type: 'uint64' }],
      [previous, m.kind, m.sender, m.payload, m.l1BlockNumber, m.timestamp],
    ),
  )
}

/** The deposit a message's payload names; a payload that does not decode credits nothing (recipient 0, amount 0). */
export function decodeDeposit(payload: Hex): { recipient: Hex; amount: bigint } {
  try {
    const [recipient, amount] = decodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], payload)
    return { recipient, amount }
  } catch {
    return { recipient: '0x0000000000000000000000000000000000000000', amount: 0n }
  }
}

const messengerKey = hexToBytes(L1_MESSENGER_PRIVATE_KEY)
const messengerLower = L1_MESSENGER_ADDRESS.toLowerCase()
const betEngine = new Address(hexToBytes(BET_ENGINE_ADDRESS))

export const RELAY_DEPOSIT_SELECTOR = toFunctionSelector('relayDeposit(uint256,address,address,uint256)')
export const RELAY_FORCED_TX_SELECTOR = toFunctionSelector('relayForcedTx(uint256,address,bytes32)')

/** True for the L1 messenger's address (20 bytes). Nodes accept its txs only from their own relay path. */
export function isL1Messenger(address: Uint8Array): boolean {
  return bytesToHex(address) === messengerLower
}

/** The calldata of the relay tx of `message`. */
export function relayCalldata(message: QueueMessage): Hex {
  if (message.kind === MESSAGE_KIND_DEPOSIT) {
    const { recipient, amount } = decodeDeposit(message.payload)
    return encodeFunctionData({ abi: betEngineAbi, functionName: 'relayDeposit', args: [message.index, message.sender, recipient, amount] })
  }
  return encodeFunctionData({ abi: betEngineAbi, functionName: 'relayForcedTx', args: [message.index, message.sender, keccak256(message.payload)] })
}

/** The signed relay tx of `message`: the same bytes on every node (RFC 6979 signatures). */
export function relayTx(message: QueueMessage, common: Common): TypedTransaction {
  return createFeeMarket1559Tx(
    {
      chainId: common.chainId(),
      nonce: message.index,
      maxFeePerGas: 0n,
      maxPriorityFeePerGas: 0n,
      gasLimit: TX_GAS_LIMIT,
      to: betEngine,
      value: 0n,
      data: hexToBytes(relayCalldata(message)),
    },
    { common },
  ).sign(messengerKey)
}

/** What a relay tx found in a block stands for: its queue index and, for a forced tx, the forced tx's hash. */
export interface RelayInfo {
  queueIndex: bigint
  kind: number
  forcedTxHash?: Hex
}

/** Recognises a relay tx (by selector first, then by sender, so other txs cost no ecrecover). */
export function relayInfo(tx: TypedTransaction): RelayInfo | undefined {
  if (tx.to === undefined || bytesToHex(tx.to.bytes) !== BET_ENGINE_ADDRESS.toLowerCase() || tx.data.length < 4) return undefined
  const selector = bytesToHex(tx.data.subarray(0, 4))
  if (selector !== RELAY_DEPOSIT_SELECTOR && selector !== RELAY_FORCED_TX_SELECTOR) return undefined
  let sender: Uint8Array
  try {
    sender = tx.getSenderAddress().bytes
  } catch {
    return undefined
  }
  if (!isL1Messenger(sender)) return undefined
  if (selector === RELAY_DEPOSIT_SELECTOR) return { queueIndex: tx.nonce, kind: MESSAGE_KIND_DEPOSIT }
  // relayForcedTx(uint256 queueIndex, address l1Sender, bytes32 txHash): the hash is the third word
  const forcedTxHash = bytesToHex(tx.data.subarray(4 + 64, 4 + 96)) as Hex
  return { queueIndex: tx.nonce, kind: MESSAGE_KIND_FORCED_TX, forcedTxHash }
}

/**
 * Whether the tx right after a relay tx is the forced tx it relays: then the two are one queue
 * record (the batcher makes one `0x02` record of them; the trace takes one step).
 */
export function relaysForcedTx(relay: RelayInfo, next: TypedTransaction | undefined): boolean {
  return relay.forcedTxHash !== undefined && next !== undefined && bytesToHex(next.hash()) === relay.forcedTxHash
}
