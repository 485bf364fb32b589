import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util'
import { hexToBytes } from 'viem'
import { Prefix, prefixed } from './keys.ts'
import type { RollbookLevel } from './level.ts'

type TrieValue = string | Uint8Array

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

  constructor(private readonly level: RollbookLevel) {}

  /** From now on puts and deletes are held in memory (and read back) until `takeBuffered()`. */
  startBuffering(): void {
    this.buffer ??= new Map()
  }

  /** The held writes as LevelDB batch operations; buffering stops. */
  takeBuffered(): Array<{ type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }> {
    const ops: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array }> = []
    for (const [hex, value] of this.buffer ?? []) {
      const key = trieKey(hex)
      ops.push(value === null ? { type: 'del', key } : { type: 'put', key, value })
    }
    this.buffer = undefined
    return ops
  }

  async get(key: string, opts?: EncodingOpts): Promise<TrieValue | undefined> {
    const held = this.buffer?.get(key)
    if (held === null) return undefined
    const value = held ?? (await this.level.get(trieKey(key)))
    return value === undefined ? undefined : decodeValue(value, opts)
  }

  async put(key: string, value: TrieValue): Promise<void> {
    if (this.buffer !== undefined) this.buffer.set(key, encodeValue(value))
    else await this.level.put(trieKey(key), encodeValue(value))
  }

  async del(key: string): Promise<void> {
    if (this.buffer !== undefined) this.buffer.set(key, null)
    else await this.level.del(trieKey(key))
  }

  async batch(ops: BatchDBOp<string, TrieValue>[]): Promise<void> {
    if (this.buffer !== undefined) {
      for (const op of ops) this.buffer.set(op.key, op.type === 'put' ? encodeValue(op.value as TrieValue) : null)
      return
    }
    const batch = this.level.batch()
    for (const op of ops) {
      if (op.type === 'put') batch.put(trieKey(op.key), encodeValue(op.value as TrieValue))
      else batch.del(trieKey(op.key))
    }
    await batch.write()
  }

  /** Every trie (account and storage) shares this one instance, and so its write buffer. */
  shallowCopy(): DB<string, TrieValue> {
    return this
  }

  async open(): Promise<void> {}
}
