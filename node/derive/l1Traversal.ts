import type { Hex, PublicClient } from 'viem'
import { L1ReorgError } from './errors.ts'

/** An L1 block as derivation remembers it. */
export interface L1BlockRef {
  number: bigint
  hash: Hex
  parentHash: Hex
  /** unix seconds */
  timestamp: bigint
}

/** Where traversal stands: the last block read (its hash is undefined for the block before the rollup's start block, never read). */
export interface L1Origin {
  number: bigint
  hash: Hex | undefined
}

export interface L1TraversalModules {
  client: PublicClient
}

/**
 * Stage 1: the next L1 block, by number, once it has `confirmations` blocks on top. A block whose
 * parent hash is not the hash of the block traversed before it means L1 reorganized: traversal
 * throws L1ReorgError and stays where it was until reset. A block is read (peeked), its chunks
 * derived, and only then passed (advance), so a failed RPC call is simply asked again.
 */
export class L1Traversal {
  private origin: L1Origin
  private readonly client: PublicClient

  constructor(
    private readonly opts: { confirmations: number },
    modules: L1TraversalModules,
    origin: L1Origin,
  ) {
    this.client = modules.client
    this.origin = origin
  }

  get current(): L1Origin {
    return this.origin
  }

  /** The next block, or undefined while it is not yet confirmed; traversal moves past it only on advance(). */
  async nextBlock(): Promise<L1BlockRef | undefined> {
    const number = this.origin.number + 1n
    const latest = await this.client.getBlockNumber({ cacheTime: 0 })
    if (number + BigInt(this.opts.confirmations) > latest) {
      await this.checkOrigin(latest)
      return undefined
    }
    const block = await this.client.getBlock({ blockNumber: number })
    if (this.origin.hash !== undefined && block.parentHash !== this.origin.hash) throw new L1ReorgError(number, this.origin.hash, block.parentHash)
    return { number, hash: block.hash as Hex, parentHash: block.parentHash, timestamp: block.timestamp }
  }

  /** While waiting for the next block: the last one read must still be L1's, or L1 went back to a shorter chain. */
  private async checkOrigin(latest: bigint): Promise<void> {
    const { number, hash } = this.origin
    if (hash === undefined) return
    const canonical = number <= latest ? ((await this.client.getBlock({ blockNumber: number })).hash as Hex) : undefined
    if (canonical !== hash) throw new L1ReorgError(number, hash, canonical ?? 'none')
  }

  /** Marks `block`, the one nextBlock() gave, as read. */
  advance(block: L1BlockRef): void {
    this.origin = { number: block.number, hash: block.hash }
  }

  /** Back to a block known to be canonical (a rewind after a reorg, or a restart). */
  reset(origin: L1Origin): void {
    this.origin = origin
  }
}
