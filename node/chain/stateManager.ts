import { CODEHASH_PREFIX, MerkleStateManager } from '@ethereumjs/statemanager'
import { RLP } from '@ethereumjs/rlp'
import { Account, KeyEncoding, ValueEncoding, bytesToUnprefixedHex, concatBytes, createAccountFromRLP, createAddressFromString, hexToBytes, unpadBytes, type Address, type DB } from '@ethereumjs/util'
import { keccak256 } from './crypto.ts'
import { updateTrie, type Pause, type TrieChange } from './trieUpdate.ts'

/** A block's state writes, taken from the caches when it commits, for its roots to be computed later. */
export interface CapturedWrites {
  /** per contract (address hex, no 0x): its storage trie's changes */
  storage: Map<string, TrieChange[]>
  /** account trie changes by address hex: the account's RLP, empty when deleted */
  accounts: Map<string, Uint8Array>
  /** contracts whose storage changed and whose account is not in `accounts`: the account as it stood */
  contracts: Map<string, Account>
}

/**
 * MerkleStateManager with three changes that keep the hot path off the trie:
 * - SSTOREs go to the cache only, reaching the trie when the outermost checkpoint commits (at
 *   block seal). In @ethereumjs/statemanager 10.1.3 `putStorage` writes through to the trie on
 *   every call even with caches on, because the cache's `put` returns undefined and the `??`
 *   fallback always runs (PERF.md: ~9 trie puts and 60 keccaks per bet).
 * - The flush at seal applies each trie's changes in one pass (`updateTrie`), hashing every
 *   touched node once, instead of one MPT put per slot.
 * - With `deferTrieUpdate` (the chain sets it), the commit that ends a block only takes the block's
 *   writes out of the caches (`takeCaptured`); `applyCaptured` computes the roots later, while the
 *   next block already runs on the caches. The caches keep every written value, so the next
 *   block reads them there; a read that misses goes to the trie, where what the pending update
 *   has not yet applied is exactly what the cache holds. Storage tries open at the newest storage
 *   root computed (`storageRoots`), never at a stale one a cached account may carry.
 * stateManager.test.ts checks the state roots against the upstream path, with and without deferral.
 */
export class RollbookStateManager extends MerkleStateManager {
  /** set by the chain once genesis is written: block commits capture their writes for applyCaptured */
  deferTrieUpdate = false
  private captured: CapturedWrites[] = []
  /** each contract's storage root after the last update applied, by keccak(address) hex */
  private readonly storageRoots = new Map<string, Uint8Array>()

  override async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const cache = this._caches?.storage
    if (cache === undefined) return super.putStorage(address, key, value)
    if (key.length !== 32) throw new Error('Storage key must be 32 bytes long')
    if (value.length > 32) throw new Error('Storage value cannot be longer than 32 bytes')
    if ((await this.getAccount(address)) === undefined) throw new Error('putStorage() called on non-existing account')
    cache.put(address, key, RLP.encode(unpadBytes(value)))
  }

  // With caches, checkpoints on the caches only. Nothing writes to the tries while txs run (every write goes to
  // the caches, and the tries change only in applyCaptured, straight to the backing DB), so the
  // trie's own checkpoints held nothing but copies of every node read, written back at each commit.
  override async checkpoint(): Promise<void> {
    if (this._caches?.storage === undefined) return super.checkpoint()
    this._caches.checkpoint()
    this._checkpointCount++
  }

  override async commit(): Promise<void> {
    if (this._caches?.storage === undefined) return super.commit()
    this._caches.commit()
    await this.leaveCheckpoint()
  }

  override async revert(): Promise<void> {
    if (this._caches?.storage === undefined) return super.revert()
    this._caches.revert()
    this._storageTries = {}
    await this.leaveCheckpoint()
  }

  /** As upstream ends a commit or revert: the outermost one flushes (here: captures or applies the writes). */
  private async leaveCheckpoint(): Promise<void> {
    this._checkpointCount--
    if (this._checkpointCount === 0) {
      await this.flush()
      this.originalStorageCache.clear()
    }
  }

  protected override _getStorageTrie(addressOrHash: Address | { bytes: Uint8Array } | Uint8Array, rootAccount?: Account) {
    if (rootAccount !== undefined) {
      const hash = addressOrHash instanceof Uint8Array ? addressOrHash : keccak256(addressOrHash.bytes)
      const latest = this.storageRoots.get(bytesToUnprefixedHex(hash))
      if (latest !== undefined) rootAccount = new Account(rootAccount.nonce, rootAccount.balance, latest, rootAccount.codeHash)
    }
    return super._getStorageTrie(addressOrHash, rootAccount)
  }

  override async setStateRoot(stateRoot: Uint8Array, clearCache?: boolean): Promise<void> {
    if (this.captured.length > 0) throw new Error('setStateRoot with captured writes not yet applied')
    this.storageRoots.clear()
    return super.setStateRoot(stateRoot, clearCache)
  }

  override async flush(): Promise<void> {
    if (this._caches?.storage === undefined || this._caches.account === undefined) return super.flush()
    const captured = await this.capture()
    if (this.deferTrieUpdate) this.captured.push(captured)
    else await this.applyCaptured(captured)
  }

  /** Every block commit's writes since the last call, oldest first, merged (later writes win). */
  takeCaptured(): CapturedWrites {
    const all = this.captured.splice(0)
    const merged: CapturedWrites = { storage: new Map(), accounts: new Map(), contracts: new Map() }
    for (const c of all) {
      for (const [address, changes] of c.storage) merged.storage.set(address, [...(merged.storage.get(address) ?? []), ...changes])
      for (const [address, rlp] of c.accounts) merged.accounts.set(address, rlp)
      for (const [address, account] of c.contracts) if (!merged.contracts.has(address)) merged.contracts.set(address, account)
    }
    return merged
  }

  /**
   * Applies captured writes to the tries and returns the new state root. Calls must not overlap and
   * must come in the order the writes were captured. `pause` lets the caller yield the thread.
   */
  async applyCaptured(captured: CapturedWrites, pause?: Pause): Promise<Uint8Array> {
    // Straight to the trie's backing DB, past its checkpoint layer (unused with caches: see
    // checkpoint()), so no checkpoint of the next block could hold these nodes back or drop them.
    const db = (this._trie.database() as unknown as { db: DB<string, string | Uint8Array> }).db
    const readNode = (hash: Uint8Array) => db.get(bytesToUnprefixedHex(hash), { keyEncoding: KeyEncoding.String, valueEncoding: ValueEncoding.Bytes }) as Promise<Uint8Array | undefined>
    const store = async (nodes: Map<string, { hash: Uint8Array; node: Uint8Array }>) => {
      for (const [hex, { node }] of nodes) await db.put(hex, node, { keyEncoding: KeyEncoding.String, valueEncoding: ValueEncoding.Bytes })
    }
    const accounts = new Map(captured.accounts)
    // an account written this block may carry a storage root read before the last update landed
    for (const [addressHex, rlp] of accounts) {
      const latest = rlp.length === 0 ? undefined : this.storageRoots.get(bytesToUnprefixedHex(keccak256(hexToBytes(`0x${addressHex}`))))
      if (latest === undefined) continue
      const account = createAccountFromRLP(rlp)
      account.storageRoot = latest
      accounts.set(addressHex, account.serialize())
    }
    // storage: one pass per contract, then its account carries the new storage root
    for (const [addressHex, changes] of captured.storage) {
      const rlp = accounts.get(addressHex)
      const account = rlp === undefined ? captured.contracts.get(addressHex) : rlp.length === 0 ? undefined : createAccountFromRLP(rlp)
      if (account === undefined) continue
      const hashHex = bytesToUnprefixedHex(keccak256(hexToBytes(`0x${addressHex}`)))
      const result = await updateTrie(this.storageRoots.get(hashHex) ?? account.storageRoot, changes, readNode, pause)
      await store(result.nodes)
      account.storageRoot = result.root
      accounts.set(addressHex, account.serialize())
      this.storageRoots.set(hashHex, result.root)
      delete this._storageTries[hashHex]
      this.patchCachedStorageRoot(addressHex, result.root)
    }
    if (accounts.size === 0) return this._trie.root()
    const accountChanges: TrieChange[] = []
    for (const [addressHex, rlp] of accounts) accountChanges.push({ key: keccak256(hexToBytes(`0x${addressHex}`)), value: rlp })
    const result = await updateTrie(this._trie.root(), accountChanges, readNode, pause)
    await store(result.nodes)
    this._trie.root(result.root)
    return result.root
  }

  override async getStateRoot(): Promise<Uint8Array> {
    await this.flush()
    if (this.captured.length > 0) await this.applyCaptured(this.takeCaptured())
    return this._trie.root()
  }

  /** Takes the block's writes out of the caches (which keep the values, now clean). */
  private async capture(): Promise<CapturedWrites> {
    const caches = this._caches!
    const db = this._trie.database()
    // code is written only at genesis; stored as upstream does, by prefixed code hash
    for (const [addressHex, elem] of caches.code?.flush() ?? []) {
      if (elem.code === undefined) continue
      const codeHash = keccak256(elem.code)
      await db.put(this._prefixCodeHashes ? concatBytes(CODEHASH_PREFIX, codeHash) : codeHash, elem.code)
      const address = createAddressFromString(`0x${addressHex}`)
      if ((await this.getAccount(address)) === undefined) await this.putAccount(address, new Account())
      await this.modifyAccountFields(address, { codeHash })
    }
    const storage = new Map<string, TrieChange[]>()
    for (const [addressHex, keyHex, value] of caches.storage!.flush()) {
      let changes = storage.get(addressHex)
      if (changes === undefined) storage.set(addressHex, (changes = []))
      // cache values are RLP of the unpadded value; the trie stores the same bytes, and 0x80 (zero) deletes
      const stored = value === undefined || (value.length === 1 && value[0] === 0x80) ? new Uint8Array() : value
      changes.push({ key: keccak256(hexToBytes(`0x${keyHex}`)), value: stored })
    }
    const accounts = new Map<string, Uint8Array>()
    for (const [addressHex, elem] of caches.account!.flush()) accounts.set(addressHex, elem.accountRLP ?? new Uint8Array())
    const contracts = new Map<string, Account>()
    for (const addressHex of storage.keys()) {
      if (accounts.has(addressHex)) continue
      const account = await this.getAccount(createAddressFromString(`0x${addressHex}`))
      if (account !== undefined) contracts.set(addressHex, account)
    }
    return { storage, accounts, contracts }
  }

  /** The cached account, if any, takes the new storage root in place (no checkpoint records it: it is not a state change). */
  private patchCachedStorageRoot(addressHex: string, storageRoot: Uint8Array): void {
    const elem = this._caches?.account?.get(createAddressFromString(`0x${addressHex}`))
    if (elem?.accountRLP === undefined) return
    const account = createAccountFromRLP(elem.accountRLP)
    account.storageRoot = storageRoot
    elem.accountRLP = account.serialize()
  }
}
