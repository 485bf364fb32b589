import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { keccak256 } from 'viem'
import type { L2Chain, PendingBlock } from '../chain/chain.ts'
import type { ExecutedTx } from '../chain/types.ts'
import { checkRawTx } from '../chain/txValidation.ts'
import { L1_MESSENGER_ADDRESS } from '../../sdk/src/constants.ts'
import { MESSAGE_KIND_FORCED_TX, relayTx, type QueueMessage } from './messages.ts'

const messenger = new Address(hexToBytes(L1_MESSENGER_ADDRESS))

/** Txs one message can add to a block: its relay tx and, for a forced tx, the tx itself. */
export const MAX_TXS_PER_MESSAGE = 2

/** The queue index due next: the L1 messenger's nonce in the live state (decision 0004). */
export async function nextQueueIndex(chain: L2Chain): Promise<bigint> {
  return (await chain.liveState.getAccount(messenger))?.nonce ?? 0n
}

export interface RelayedMessage {
  /** the relay tx, then the forced tx when it was valid */
  executed: ExecutedTx[]
  /** the raw bytes of each executed tx, in order */
  raw: Uint8Array[]
  /** why a forced tx was dropped */
  forcedTxDropped?: string
}

/**
 * Runs queue message `message` in `pending`: its relay tx, then (for a forced tx) the forced tx
 * when it passes the sequencer's checks and has the sender's next nonce; otherwise it is dropped,
 * a no-op. The caller checks that `message.index` is the one due and that the block has room for
 * MAX_TXS_PER_MESSAGE txs. The sequencer and derivation both run this, so they build the same block.
 */
export async function applyQueueMessage(chain: L2Chain, pending: PendingBlock, message: QueueMessage, maxTxBytes: number): Promise<RelayedMessage> {
  const relay = relayTx(message, chain.txCommon)
  const executed = [await chain.applyTx(pending, relay)]
  const raw = [relay.serialize()]
  if (message.kind !== MESSAGE_KIND_FORCED_TX) return { executed, raw }
  const forcedRaw = hexToBytes(message.payload)
  let checked: ReturnType<typeof checkRawTx>
  try {
    checked = checkRawTx(forcedRaw, (r) => chain.decodeTx(r), chain.chainId, maxTxBytes)
  } catch (e) {
    return { executed, raw, forcedTxDropped: e instanceof Error ? e.message : String(e) }
  }
  // the batcher finds the forced tx by the hash its relay tx names: keccak(payload) must be the tx's hash
  if (bytesToHex(checked.hash) !== keccak256(message.payload)) return { executed, raw, forcedTxDropped: 'not in canonical encoding' }
  const nonce = (await chain.liveState.getAccount(new Address(checked.sender)))?.nonce ?? 0n
  if (checked.tx.nonce !== nonce) return { executed, raw, forcedTxDropped: `wrong nonce: have ${checked.tx.nonce}, next is ${nonce}` }
  executed.push(await chain.applyTx(pending, checked.tx, checked.sender))
  raw.push(forcedRaw)
  return { executed, raw }
}
