import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util'
import { hexToBytes } from 'viem'
import { Prefix, prefixed } from './keys.ts'
import type { RollbookLevel } from './level.ts'

type TrieValue = string | Uint8Array

/** Trie writes of one sealed block, held readable until their LevelDB batch lands. */
export interface TrieWriteBatch {
  ops: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }>
  held: Map<string, Uint8Array | null>
}

const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

/** The checkpoint DB of @ethereumjs/mpt hands us unprefixed hex keys; store them as bytes under the trie prefix. */
function trieKey(key: string | Uint8Array): Uint8Array {
  const bytes = typeof key === 'string' ? hexToBytes(`0x${key}`) : key
  return prefixed(Prefix.trie, bytes)
}

function encodeValue(value: TrieValue): Uint8Array {
  return typeof value === 'string' ? utf8.encode(value) : value
}

function decodeValue(value: Uint8Array, opts?: EncodingOpts): TrieValue {
  return opts?.valueEncoding === 'string' ? fromUtf8.decode(value) : value
}

/**
 * The `DB` interface of @ethereumjs/util over the node's LevelDB, so the state trie persists.
 * No adapter ships on npm (STACK.md); this one maps the trie's hex keys to bytes and honours
 * each operation's value encoding.
 */
export class LevelTrieDb implements DB<string, TrieValue> {
  /** Writes held back while a block seals, so they land in the same atomic batch as the block. */
  private buffer: Map<string, Uint8Array | null> | undefined

  /** Trie nodes are content-addressed, so a read cache never goes stale: it saves the LevelDB walk of every trie lookup. */
  private readonly cache = new Map<string, Uint8Array>()

  constructor(
    private readonly level: RollbookLevel,
    private readonly cacheEntries = 200_000,
  ) {}

  private remember(key: string, value: Uint8Array): void {
    this.cache.set(key, value)
    if (this.cache.size > this.cacheEntries) this.cache.delete(this.cache.keys().next().value as string)
  }

  /** From now on puts and deletes are held in memory (and read back) until `takeBuffered()`. */
  startBuffering(): void {
    this.buffer ??= new Map()
  }

  /**
   * The held writes as LevelDB batch operations; buffering stops. They stay readable here until
   * `landed(ops)` says the batch that carries them is on disk.
   */
  takeBuffered(): TrieWriteBatch {
    const held = this.buffer ?? new Map()
    const ops: TrieWriteBatch['ops'] = []
    for (const [hex, value] of held) {
      const key = trieKey(hex)
      ops.push(value === null ? { type: 'del', key } : { type: 'put', key, value })
      // batches land in the order taken, so the newest value of a key is the one to read
      this.unlanded.set(hex, { value, batches: (this.unlanded.get(hex)?.batches ?? 0) + 1 })
    }
    this.buffer = undefined
    return { ops, held }
  }

  /** The batch is written: its nodes are read from LevelDB (or the cache) from now on. */
  landed(batch: TrieWriteBatch): void {
    for (const hex of batch.held.keys()) {
      const held = this.unlanded.get(hex)
      if (held === undefined) continue
      if (held.batches > 1) held.batches--
      else this.unlanded.delete(hex)
    }
  }

  /**
   * Writes of every batch taken and not yet landed, newest value per key: one lookup serves a read
   * however many block writes are queued behind a slow fsync (a scan per batch took half the seal
   * when blocks sealed faster than the disk synced).
   */
  private readonly unlanded = new Map<string, { value: Uint8Array | null; batches: number }>()

  private heldValue(key: string): Uint8Array | null | undefined {
    const buffered = this.buffer?.get(key)
    if (buffered !== undefined) return buffered
    return this.unlanded.get(key)?.value
  }

  async get(key: string, opts?: EncodingOpts): Promise<TrieValue | undefined> {
    const held = this.heldValue(key)
    if (held === null) return undefined
    let value = held ?? this.cache.get(key)
    if (value === undefined) {
      value = await this.level.get(trieKey(key))
      if (value === undefined) return undefined
      this.remember(key, value)
    }
    return decodeValue(value, opts)
  }

  async put(key: string, value: TrieValue): Promise<void> {
    const bytes = encodeValue(value)
    this.remember(key, bytes)
    if (this.buffer !== undefined) this.buffer.set(key, bytes)
    else await this.level.put(trieKey(key), bytes)
  }

  async del(key: string): Promise<void> {
    this.cache.delete(key)
    if (this.buffer !== undefined) this.buffer.set(key, null)
    else await this.level.del(trieKey(key))
  }

  async batch(ops: BatchDBOp<string, TrieValue>[]): Promise<void> {
    const batch = this.buffer === undefined ? this.level.batch() : undefined
    for (const op of ops) {
      const bytes = op.type === 'put' ? encodeValue(op.value as TrieValue) : null
      if (bytes === null) this.cache.delete(op.key)
      else this.remember(op.key, bytes)
      if (this.buffer !== undefined) this.buffer.set(op.key, bytes)
      else if (bytes === null) batch!.del(trieKey(op.key))
      else batch!.put(trieKey(op.key), bytes)
    }
    await batch?.write()
  }

  /** Every trie (account and storage) shares this one instance, and so its write buffer. */
  shallowCopy(): DB<string, TrieValue> {
    return this
  }

  async open(): Promise<void> {}
}
