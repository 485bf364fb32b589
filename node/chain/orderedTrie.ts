import { RLP, type Input } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes } from '@ethereumjs/util'
import { keccak256 } from './crypto.ts'
import { compareNibbles, hexPrefix, toNibbles } from './nibbles.ts'

interface Item {
  nibbles: Uint8Array
  value: Uint8Array
}

interface TrieNode {
  raw: Input
  encoded: Uint8Array
}

function node(raw: Input): TrieNode {
  return { raw, encoded: RLP.encode(raw) }
}

/** A child is embedded when its encoding is under 32 bytes, else referenced by hash. */
function reference(child: TrieNode): Input {
  return child.encoded.length < 32 ? child.raw : keccak256(child.encoded)
}

function build(items: Item[], depth: number): TrieNode {
  if (items.length === 1) return node([hexPrefix(items[0].nibbles.subarray(depth), true), items[0].value])
  const first = items[0].nibbles
  const last = items[items.length - 1].nibbles
  let shared = 0
  while (depth + shared < first.length && depth + shared < last.length && first[depth + shared] === last[depth + shared]) shared++
  if (shared > 0) {
    const child = build(items, depth + shared)
    return node([hexPrefix(first.subarray(depth, depth + shared), false), reference(child)])
  }
  const branch: Input[] = new Array(17).fill(new Uint8Array())
  let start = 0
  if (items[0].nibbles.length === depth) {
    branch[16] = items[0].value
    start = 1
  }
  while (start < items.length) {
    const nibble = items[start].nibbles[depth]
    let end = start + 1
    while (end < items.length && items[end].nibbles[depth] === nibble) end++
    branch[nibble] = reference(build(items.slice(start, end), depth + 1))
    start = end
  }
  return node(branch)
}

const EMPTY_TRIE_ROOT = keccak256(RLP.encode(new Uint8Array()))

/**
 * Root of the trie keyed by RLP(index) that Ethereum uses for a block's transactions and receipts.
 * Builds each node once from the sorted keys instead of inserting into an MPT (which rehashes on every put).
 */
export function orderedTrieRoot(values: Uint8Array[]): Uint8Array {
  if (values.length === 0) return EMPTY_TRIE_ROOT
  const items: Item[] = values.map((value, i) => ({
    nibbles: toNibbles(RLP.encode(bigIntToUnpaddedBytes(BigInt(i)))),
    value,
  }))
  items.sort((a, b) => compareNibbles(a.nibbles, b.nibbles))
  return keccak256(build(items, 0).encoded)
}
