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
  constructor(private readonly level: RollbookLevel) {}

  async get(key: string, opts?: EncodingOpts): Promise<TrieValue | undefined> {
    const value = await this.level.get(trieKey(key))
    return value === undefined ? undefined : decodeValue(value, opts)
  }

  async put(key: string, value: TrieValue): Promise<void> {
    await this.level.put(trieKey(key), encodeValue(value))
  }

  async del(key: string): Promise<void> {
    await this.level.del(trieKey(key))
  }

  async batch(ops: BatchDBOp<string, TrieValue>[]): Promise<void> {
    const batch = this.level.batch()
    for (const op of ops) {
      if (op.type === 'put') batch.put(trieKey(op.key), encodeValue(op.value as TrieValue))
      else batch.del(trieKey(op.key))
    }
    await batch.write()
  }

  shallowCopy(): DB<string, TrieValue> {
    return new LevelTrieDb(this.level)
  }

  async open(): Promise<void> {}
}
