import { bytesToHex } from '@ethereumjs/util'
import type { CheckedTx } from '../node/chain/txValidation.ts'

/**
 * Txs whose nonce is ahead of their sender's: held until the gap fills, bounded per sender
 * (by the nonce gap) and in total.
 */
export class NonceGapPool {
  private readonly bySender = new Map<string, Map<bigint, CheckedTx>>()
  private readonly hashes = new Set<string>()

  constructor(private readonly maxTotal: number) {}

  has(hash: Uint8Array): boolean {
    return this.hashes.has(bytesToHex(hash))
  }

  /** false when the pool is full; a tx with the same sender and nonce replaces the held one. */
  add(checked: CheckedTx): boolean {
    const sender = bytesToHex(checked.sender)
    let queue = this.bySender.get(sender)
    const existing = queue?.get(checked.tx.nonce)
    if (existing === undefined && this.hashes.size >= this.maxTotal) return false
    if (queue === undefined) {
      queue = new Map()
      this.bySender.set(sender, queue)
    }
    if (existing !== undefined) this.hashes.delete(bytesToHex(existing.hash))
    queue.set(checked.tx.nonce, checked)
    this.hashes.add(bytesToHex(checked.hash))
    return true
  }

  /** Removes and returns the sender's held tx at `nonce`, if any. */
  take(sender: Uint8Array, nonce: bigint): CheckedTx | undefined {
    const key = bytesToHex(sender)
    const queue = this.bySender.get(key)
    const tx = queue?.get(nonce)
    if (queue === undefined || tx === undefined) return undefined
    queue.delete(nonce)
    if (queue.size === 0) this.bySender.delete(key)
    this.hashes.delete(bytesToHex(tx.hash))
    return tx
  }
}
