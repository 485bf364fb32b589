import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Hex } from 'viem'
import type { L2Chain } from '../chain/chain.ts'
import { MetaKey, Prefix, metaKey, prefixed, u64 } from '../storage/keys.ts'
import type { RollbookLevel } from '../storage/level.ts'
import type { DeriverCursor } from './deriver.ts'
import type { L1Origin } from './l1Traversal.ts'

/**
 * Derivation progress after one L1 block, taken only at an L2 block boundary: the L1 block, the
 * L2 head derived from L1 up to it, and the Deriver's cursor. A restart or a reorg goes back to
 * the newest checkpoint whose L1 block is still canonical and derives again from there.
 */
export interface Checkpoint {
  l1: L1Origin
  l2Head: Hex
  l2Number: bigint
  cursor: DeriverCursor
}

// meta keys "derive/checkpoint/<L1 number, 20 digits>": in key order = in L1 order
const CHECKPOINT_PREFIX = 'derive/checkpoint/'
const checkpointKey = (l1Number: bigint) => metaKey(`${CHECKPOINT_PREFIX}${l1Number.toString().padStart(20, '0')}`)
const FIRST_KEY = metaKey(CHECKPOINT_PREFIX)
// '0' follows '/': every checkpoint key sorts below this one
const PAST_LAST_KEY = metaKey('derive/checkpoint0')

interface CheckpointJson {
  l1Number: string
  l1Hash: Hex | null
  l2Head: Hex
  l2Number: string
  blockTimestamp: string | null
  batchIndex: string | null
}

function toJson(c: Checkpoint): CheckpointJson {
  return {
    l1Number: c.l1.number.toString(),
    l1Hash: c.l1.hash ?? null,
    l2Head: c.l2Head,
    l2Number: c.l2Number.toString(),
    blockTimestamp: c.cursor.blockTimestamp?.toString() ?? null,
    batchIndex: c.cursor.batchIndex?.toString() ?? null,
  }
}

function fromJson(j: CheckpointJson): Checkpoint {
  return {
    l1: { number: BigInt(j.l1Number), hash: j.l1Hash ?? undefined },
    l2Head: j.l2Head,
    l2Number: BigInt(j.l2Number),
    cursor: {
      ...(j.blockTimestamp === null ? {} : { blockTimestamp: BigInt(j.blockTimestamp) }),
      ...(j.batchIndex === null ? {} : { batchIndex: BigInt(j.batchIndex) }),
    },
  }
}

// pruning runs once per this many L1 blocks
const PRUNE_EVERY = 256n

export class DerivationProgress {
  /** `retention`: L1 blocks of checkpoints kept behind the newest, the deepest reorg followed */
  constructor(
    private readonly db: RollbookLevel,
    private readonly retention = 10_000,
  ) {}

  async write(checkpoint: Checkpoint): Promise<void> {
    const number = checkpoint.l1.number
    const batch = this.db.batch().put(checkpointKey(number), new TextEncoder().encode(JSON.stringify(toJson(checkpoint))))
    if (number % PRUNE_EVERY === 0n && number > BigInt(this.retention)) {
      for await (const key of this.db.keys({ gte: FIRST_KEY, lt: checkpointKey(number - BigInt(this.retention)) })) batch.del(key)
    }
    await batch.write({ sync: true })
  }

  /** Checkpoints from the newest down. */
  async *newestFirst(): AsyncGenerator<Checkpoint> {
    for await (const value of this.db.values({ gte: FIRST_KEY, lt: PAST_LAST_KEY, reverse: true })) {
      yield fromJson(JSON.parse(new TextDecoder().decode(value)))
    }
  }

  async latest(): Promise<Checkpoint | undefined> {
    for await (const checkpoint of this.newestFirst()) return checkpoint
    return undefined
  }

  /** Drops the checkpoints of L1 blocks after `l1Number` (they are no longer canonical). */
  async dropAfter(l1Number: bigint): Promise<void> {
    const batch = this.db.batch()
    for await (const key of this.db.keys({ gt: checkpointKey(l1Number), lt: PAST_LAST_KEY })) batch.del(key)
    await batch.write({ sync: true })
  }
}

/**
 * Makes `target` (a block of the canonical L2 chain) the head again, in one write: the canonical
 * numbers and tx locations of later blocks go; the blocks, receipts and trie nodes stay (keyed by
 * hash, unreachable). The caller must build a new L2Chain on the database afterwards.
 */
export async function rewindL2Store(db: RollbookLevel, chain: L2Chain, target: Hex): Promise<void> {
  await chain.flushWrites()
  const targetBlock = await chain.store.getBlockByHash(hexToBytes(target))
  if (targetBlock === undefined) throw new Error(`rewind target ${target} is not in the store`)
  const canonical = await chain.store.getCanonicalHash(targetBlock.header.number)
  if (canonical === undefined || bytesToHex(canonical) !== target) throw new Error(`rewind target ${target} is not canonical`)
  const batch = db.batch()
  for (let n = chain.head.header.number; n > targetBlock.header.number; n--) {
    const block = await chain.store.getBlockByNumber(n)
    for (const tx of block?.transactions ?? []) batch.del(prefixed(Prefix.txLocation, tx.hash()))
    batch.del(prefixed(Prefix.canonical, u64(n)))
  }
  batch.put(metaKey(MetaKey.head), hexToBytes(target))
  await batch.write({ sync: true })
}
