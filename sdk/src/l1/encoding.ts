/**
 * The L1 contracts' hashes, computed in TypeScript exactly as the contracts do (see
 * bridge-contracts/README.md, "L1 contracts"): output roots, withdrawal records and the L1
 * message queue's hash chain.
 */
import { encodeAbiParameters, keccak256, type Address, type Hex } from 'viem'

export const OUTPUT_VERSION = 0n
/** The bet engine's `mapping(bytes32 withdrawalHash => uint256)`, set to 1 for each withdrawal. */
export const WITHDRAWALS_SLOT = 7n

export const MESSAGE_KIND_DEPOSIT = 0
export const MESSAGE_KIND_FORCED_TX = 1

/** keccak256(abi.encode(uint256 version = 0, stateRoot, blockHash)). */
export function computeOutputRoot(stateRoot: Hex, blockHash: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'bytes32' }, { type: 'bytes32' }], [OUTPUT_VERSION, stateRoot, blockHash]))
}

export interface Withdrawal {
  l2Sender: Address
  l1Recipient: Address
  amount: bigint
  nonce: bigint
}

/** keccak256(abi.encode(l2Sender, l1Recipient, amount, nonce)). */
export function withdrawalHash(withdrawal: Withdrawal): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'address' }, { type: 'address' }, { type: 'uint256' }, { type: 'uint256' }],
      [withdrawal.l2Sender, withdrawal.l1Recipient, withdrawal.amount, withdrawal.nonce],
    ),
  )
}

/** The bet engine storage slot of a withdrawal record: keccak256(abi.encode(hash, 7)). */
export function withdrawalSlot(hash: Hex): Hex {
  return keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [hash, WITHDRAWALS_SLOT]))
}

export interface QueueMessage {
  kind: number
  sender: Address
  payload: Hex
  l1BlockNumber: bigint
  timestamp: bigint
}

/** queueHash[n] = keccak256(abi.encode(queueHash[n-1], kind, sender, payload, l1BlockNumber, timestamp)); queueHash[-1] = 0. */
export function nextQueueHash(previous: Hex, message: QueueMessage): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint8' }, { type: 'address' }, { type: 'bytes' }, { type: 'uint64' }, { type: 'uint64' }],
      [previous, message.kind, message.sender, message.payload, message.l1BlockNumber, message.timestamp],
    ),
  )
}

/** A deposit message's payload: abi.encode(l2Recipient, amount). */
export function encodeDepositPayload(l2Recipient: Address, amount: bigint): Hex {
  return encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [l2Recipient, amount])
}
