import { MerkleStateManager } from '@ethereumjs/statemanager'
import { RLP } from '@ethereumjs/rlp'
import { unpadBytes, type Address } from '@ethereumjs/util'

/**
 * MerkleStateManager whose SSTOREs go to the cache only, reaching the storage trie when the
 * outermost checkpoint commits (at block seal). In @ethereumjs/statemanager 10.1.3 `putStorage`
 * writes through to the trie on every call even with caches on, because the cache's `put`
 * returns undefined and the `??` fallback always runs (PERF.md: ~9 trie puts and 60 keccaks per bet).
 * stateManager.test.ts fails if upstream changes what this relies on.
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
}
