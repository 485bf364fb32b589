/**
 * The witness of one bet engine call for BetEngineVerifier.execute (docs/decisions/0005): the
 * pre-state trie nodes the verifier walks. The call runs in the EVM on the pre-state over a
 * recording node store, which records the state-trie path of the bet engine's account and the
 * storage-trie path of every slot the call reads or writes; then the verifier's own updates are
 * replayed over the same store in its order (the call's writes in order of first write, the bet
 * engine's account, the sender's nonce), which records what they read beyond those paths: the other
 * child of a branch that a deletion collapses.
 */
import { createBlock } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { Caches } from '@ethereumjs/statemanager'
import { Account, Address, bytesToHex, concatBytes, createAccountFromRLP, createZeroAddress, hexToBytes, setLengthLeft, unpadBytes } from '@ethereumjs/util'
import { createVM } from '@ethereumjs/vm'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../sdk/src/constants.ts'
import { RollbookStateManager } from '../node/chain/stateManager.ts'
import { LevelTrieDb } from '../node/storage/trieDb.ts'
import type { RollbookLevel } from '../node/storage/level.ts'
import { RecordingTrieDb, type ReadNode } from './recordingTrieDb.ts'

const betEngine = new Address(hexToBytes(BET_ENGINE_ADDRESS))

/** One L2 tx's bet engine call, as the verifier re-executes it. */
export interface BetEngineCall {
  sender: Uint8Array
  data: Uint8Array
  /** the timestamp of the block the tx runs in */
  time: bigint
}

export interface BetEngineWitness {
  /** the deduplicated pre-state trie nodes, for BetEngineVerifier.execute, and last an entry of
   *  slot hints (SLOT_HINTS, then every slot the call touches) when it touches any */
  nodes: Uint8Array[]
  /** the state root after the tx, as the replay computed it */
  postStateRoot: Uint8Array
  /** whether the call reverted (its writes discarded, the nonce still bumped) */
  reverted: boolean
  /** the slots the call wrote, in order of first write (none when it reverted) */
  writes: Uint8Array[]
}

/** Trie nodes by hash from the node's LevelDB (the chain's trie keeps every old node). */
export function levelReadNode(level: RollbookLevel): ReadNode {
  const trieDb = new LevelTrieDb(level)
  return async (hash) => (await trieDb.get(bytesToHex(hash).slice(2))) as Uint8Array | undefined
}

/** Records the order in which the call first writes each bet engine slot, and every slot it touches. */
class WriteRecordingStateManager extends RollbookStateManager {
  readonly writes = new Map<string, Uint8Array>()
  readonly touched = new Map<string, Uint8Array>()

  override async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    if (address.equals(betEngine) && !this.touched.has(bytesToHex(key))) this.touched.set(bytesToHex(key), key)
    return super.getStorage(address, key)
  }

  override async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    if (address.equals(betEngine) && !this.writes.has(bytesToHex(key))) this.writes.set(bytesToHex(key), key)
    if (address.equals(betEngine) && !this.touched.has(bytesToHex(key))) this.touched.set(bytesToHex(key), key)
    return super.putStorage(address, key, value)
  }
}

/** The witness of `call` on the state of `stateRoot`, whose nodes `readNode` serves. */
export async function buildBetEngineWitness(pre: { stateRoot: Uint8Array; readNode: ReadNode }, call: BetEngineCall, common: Common): Promise<BetEngineWitness> {
  const db = new RecordingTrieDb(pre.readNode)
  const openTrie = (root: Uint8Array) => createMPT({ db, useKeyHashing: true, valueEncoding: 'view', root, common })

  const state = new WriteRecordingStateManager({ trie: await openTrie(pre.stateRoot), common, caches: new Caches() })
  const engine = await state.getAccount(betEngine)
  if (engine === undefined) throw new Error('the bet engine account is not in the state')
  const vm = await createVM({ common, stateManager: state })
  const block = createBlock({ header: { timestamp: call.time, gasLimit: TX_GAS_LIMIT, baseFeePerGas: 0n, coinbase: createZeroAddress() } }, { common })
  const sender = new Address(call.sender)
  const { execResult } = await vm.evm.runCall({ caller: sender, origin: sender, to: betEngine, data: call.data, gasLimit: TX_GAS_LIMIT - intrinsicGas(call.data), block })
  const reverted = execResult.exceptionError !== undefined

  const writes = reverted ? [] : [...state.writes.values()]
  const stateTrie = await openTrie(pre.stateRoot)
  if (writes.length > 0) {
    const storageTrie = await openTrie(engine.storageRoot)
    for (const slot of writes) {
      const value = unpadBytes(await state.getStorage(betEngine, slot))
      if (value.length === 0) await storageTrie.del(slot)
      else await storageTrie.put(slot, RLP.encode(value))
    }
    const storageRoot = storageTrie.root()
    if (bytesToHex(storageRoot) !== bytesToHex(engine.storageRoot)) {
      engine.storageRoot = storageRoot
      await stateTrie.put(betEngine.bytes, engine.serialize())
    }
  }
  const senderRlp = await stateTrie.get(sender.bytes)
  const account = senderRlp === null ? new Account() : createAccountFromRLP(senderRlp)
  account.nonce += 1n
  await stateTrie.put(sender.bytes, account.serialize())
  // slot hints (BetEngineVerifier.SLOT_HINTS): the verifier proves these up front instead of
  // re-running the call once per slot it finds missing; at most 64, as the verifier offers
  const hinted = [...state.touched.values()].slice(0, MAX_HINTED_SLOTS)
  const hints = hinted.length === 0 ? [] : [concatBytes(new Uint8Array([SLOT_HINTS]), ...hinted.map((slot) => setLengthLeft(slot, 32)))]
  return { nodes: [...db.nodes(), ...hints], postStateRoot: stateTrie.root(), reverted, writes }
}

/** BetEngineVerifier.SLOT_HINTS: the first byte of a witness entry that lists slots, not a trie node. */
export const SLOT_HINTS = 0x00
const MAX_HINTED_SLOTS = 64

/** Intrinsic gas of a call carrying `data` (EIP-2028 prices); what runTx leaves the call. */
function intrinsicGas(data: Uint8Array): bigint {
  let gas = 21_000n
  for (const byte of data) gas += byte === 0 ? 4n : 16n
  return gas
}
