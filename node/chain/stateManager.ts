import { CODEHASH_PREFIX, MerkleStateManager } from '@ethereumjs/statemanager'
import { RLP } from '@ethereumjs/rlp'
import { Account, bytesToUnprefixedHex, concatBytes, createAddressFromString, hexToBytes, unpadBytes, type Address } from '@ethereumjs/util'
import { keccak256 } from './crypto.ts'
import { updateTrie, type TrieChange } from './trieUpdate.ts'

/**
 * MerkleStateManager with two changes that keep the hot path off the trie:
 * - SSTOREs go to the cache only, reaching the trie when the outermost checkpoint commits (at
 *   block seal). In @ethereumjs/statemanager 10.1.3 `putStorage` writes through to the trie on
 *   every call even with caches on, because the cache's `put` returns undefined and the `??`
 *   fallback always runs (PERF.md: ~9 trie puts and 60 keccaks per bet).
 * - The flush at seal applies each trie's changes in one pass (`updateTrie`), hashing every
 *   touched node once, instead of one MPT put per slot.
 * stateManager.test.ts checks the state roots against the upstream path.
 */
export class RollbookStateManager extends MerkleStateManager {
  override async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const cache = this._caches?.storage
    if (cache === undefined) return super.putStorage(address, key, value)
    if (key.length !== 32) throw new Error('Storage key must be 32 bytes long')
    if (value.length > 32) throw new Error('Storage value cannot be longer than 32 bytes')
    if ((await this.getAccount(address)) === undefined) throw new Error('putStorage() called on non-existing account')
    cache.put(address, key, RLP.encode(unpadBytes(value)))
  }

  override async flush(): Promise<void> {
    const caches = this._caches
    if (caches?.storage === undefined || caches.account === undefined) return super.flush()
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
    const readNode = (hash: Uint8Array) => db.get(hash) as Promise<Uint8Array | undefined>
    const store = async (nodes: Map<string, { hash: Uint8Array; node: Uint8Array }>) => {
      for (const { hash, node } of nodes.values()) await db.put(hash, node)
    }
    // storage: one batch per contract, then its account carries the new storage root
    const byAccount = new Map<string, TrieChange[]>()
    for (const [addressHex, keyHex, value] of caches.storage.flush()) {
      let changes = byAccount.get(addressHex)
      if (changes === undefined) byAccount.set(addressHex, (changes = []))
      // cache values are RLP of the unpadded value; the trie stores the same bytes, and 0x80 (zero) deletes
      const stored = value === undefined || (value.length === 1 && value[0] === 0x80) ? new Uint8Array() : value
      changes.push({ key: keccak256(hexToBytes(`0x${keyHex}`)), value: stored })
    }
    for (const [addressHex, changes] of byAccount) {
      const address = createAddressFromString(`0x${addressHex}`)
      const account = await this.getAccount(address)
      if (account === undefined) continue
      const result = await updateTrie(account.storageRoot, changes, readNode)
      await store(result.nodes)
      account.storageRoot = result.root
      await this.putAccount(address, account)
      delete this._storageTries[bytesToUnprefixedHex(keccak256(address.bytes))]
    }
    // accounts
    const accountChanges: TrieChange[] = []
    for (const [addressHex, elem] of caches.account.flush()) {
      accountChanges.push({
        key: keccak256(hexToBytes(`0x${addressHex}`)),
        value: elem.accountRLP ?? new Uint8Array(),
      })
    }
    if (accountChanges.length === 0) return
    const result = await updateTrie(this._trie.root(), accountChanges, readNode)
    await store(result.nodes)
    this._trie.root(result.root)
  }
}
