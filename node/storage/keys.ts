/**
 * Every key prefix in the node's one LevelDB. Keys are bytes: a one-byte prefix, then the record's key.
 * A new kind of record gets a new prefix here and nowhere else.
 */
export const Prefix = {
  /** MPT nodes and contract code of the state trie (keyed by node hash, code by prefixed code hash) */
  trie: 0x74, // 't'
  /** block number (u64 BE) -> block hash */
  canonical: 0x6e, // 'n'
  /** block hash -> block RLP */
  block: 0x62, // 'b'
  /** block hash -> receipts of the block (RLP) */
  receipts: 0x72, // 'r'
  /** tx hash -> block number (u64 BE) ++ tx index (u32 BE) */
  txLocation: 0x78, // 'x'
  /** L1 queue message index (u64 BE) -> the message as derivation read it from L1 (JSON) */
  queue: 0x71, // 'q'
  /** single keys under the meta prefix */
  meta: 0x6d, // 'm'
} as const

export const MetaKey = {
  head: 'head',
  genesis: 'genesis',
  /** sequencer/batcher's progress: chunks posted to the L1 inbox, the batch in flight, recent chunks for reorgs (JSON) */
  batcher: 'batcher',
  /** sequencer/batcher, per batch (`postedBatch/<batch index>`): its L2 blocks and last chunk, once every chunk is on L1 (JSON); the proposer reads it */
  postedBatch: 'postedBatch',
  /** sequencer/proposer's proposal tx in flight: batch index, nonce, every signed version (JSON) */
  proposer: 'proposer',
} as const

export function prefixed(prefix: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1)
  out[0] = prefix
  out.set(key, 1)
  return out
}

export function u64(n: bigint | number): Uint8Array {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n))
  return out
}

export function readU64(bytes: Uint8Array, offset = 0): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset)
}

export function u32(n: number): Uint8Array {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n)
  return out
}

export function readU32(bytes: Uint8Array, offset = 0): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset)
}

export function metaKey(name: string): Uint8Array {
  return prefixed(Prefix.meta, new TextEncoder().encode(name))
}
