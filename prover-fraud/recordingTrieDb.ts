import type { BatchDBOp, DB, EncodingOpts } from '@ethereumjs/util'
import { bytesToHex, hexToBytes } from 'viem'

/** Reads a trie node by its hash from a node store (the chain's trie DB); undefined when absent. */
export type ReadNode = (hash: Uint8Array) => Promise<Uint8Array | undefined>

type TrieValue = string | Uint8Array

/**
 * An @ethereumjs/mpt database over a read-only node store: writes stay in memory, and every node
 * read from the store is recorded. Running a tx's reads and trie updates over it leaves exactly
 * the pre-state nodes they needed, which is the witness the L1 verifier walks.
 */
export class RecordingTrieDb implements DB<string, TrieValue> {
  /** pre-state nodes read, by unprefixed hex hash */
  readonly read = new Map<string, Uint8Array>()
  private readonly written = new Map<string, Uint8Array | null>()

  constructor(private readonly readNode: ReadNode) {}

  /** The recorded nodes, each once. */
  nodes(): Uint8Array[] {
    return [...this.read.values()]
  }

  async get(key: string, opts?: EncodingOpts): Promise<TrieValue | undefined> {
    const own = this.written.get(key)
    let value: Uint8Array | undefined
    if (own === null) return undefined
    if (own !== undefined) {
      value = own
    } else {
      value = await this.readNode(hexToBytes(`0x${key}`))
      if (value === undefined) return undefined
      // trie nodes only: contract code shares the store under a prefixed (33-byte) key
      if (key.length === 64) this.read.set(key, value)
    }
    return opts?.valueEncoding === 'string' ? bytesToHex(value).slice(2) : value
  }

  async put(key: string, value: TrieValue): Promise<void> {
    this.written.set(key, typeof value === 'string' ? hexToBytes(`0x${value}`) : value)
  }

  async del(key: string): Promise<void> {
    this.written.set(key, null)
  }

  async batch(ops: BatchDBOp<string, TrieValue>[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') await this.put(op.key, op.value as TrieValue)
      else await this.del(op.key)
    }
  }

  /** Account and storage tries share this one instance, and so its record. */
  shallowCopy(): DB<string, TrieValue> {
    return this
  }

  async open(): Promise<void> {}
}
