import { keccak256 } from '../chain/crypto.ts'

/**
 * The trace tree (docs/decisions/0005): a binary keccak Merkle tree over leaves 0..n, padded on the
 * right with bytes32(0) leaves (the zero word itself, not its hash) to the next power of two;
 * an inner node is keccak256(left ‖ right), 64 bytes in. One leaf is its own root (depth 0).
 *
 * A proof of leaf i is the sibling of each node on the path from the leaf up, bottom first, depth
 * of them (depth = log2 of the padded width). At level k the path node is the left child when bit k
 * of i is 0. A verifier takes the depth from the proof's length and must check i < 2^depth.
 */
export const ZERO_LEAF = new Uint8Array(32)

/** Every level of the tree, leaves (padded) first, the root alone last. */
export function buildTree(leaves: readonly Uint8Array[]): Uint8Array[][] {
  if (leaves.length === 0) throw new Error('a trace has at least one leaf (the state before the first step)')
  let width = 1
  while (width < leaves.length) width *= 2
  const bottom = leaves.slice()
  while (bottom.length < width) bottom.push(ZERO_LEAF)
  const levels: Uint8Array[][] = [bottom]
  let level = bottom
  while (level.length > 1) {
    const up: Uint8Array[] = new Array(level.length / 2)
    const pair = new Uint8Array(64)
    for (let i = 0; i < up.length; i++) {
      pair.set(level[2 * i], 0)
      pair.set(level[2 * i + 1], 32)
      up[i] = keccak256(pair)
    }
    levels.push(up)
    level = up
  }
  return levels
}

export function treeRoot(levels: readonly Uint8Array[][]): Uint8Array {
  return levels[levels.length - 1][0]
}

export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return treeRoot(buildTree(leaves))
}

/** The siblings of leaf `index`, bottom first. */
export function merkleProof(levels: readonly Uint8Array[][], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= levels[0].length) throw new Error(`leaf ${index} is outside a tree of ${levels[0].length}`)
  const siblings: Uint8Array[] = []
  let i = index
  for (let k = 0; k < levels.length - 1; k++) {
    siblings.push(levels[k][i ^ 1])
    i >>= 1
  }
  return siblings
}

/** The root that `leaf` at `index` with `siblings` hashes up to (compare it with the posted root). */
export function rootFromProof(leaf: Uint8Array, index: number, siblings: readonly Uint8Array[]): Uint8Array {
  if (index < 0 || index >= 2 ** siblings.length) throw new Error(`leaf ${index} does not fit a proof of depth ${siblings.length}`)
  let node = leaf
  const pair = new Uint8Array(64)
  for (let k = 0; k < siblings.length; k++) {
    const left = ((index >> k) & 1) === 0
    pair.set(left ? node : siblings[k], 0)
    pair.set(left ? siblings[k] : node, 32)
    node = keccak256(pair)
  }
  return node
}

export function verifyMerkleProof(leaf: Uint8Array, index: number, siblings: readonly Uint8Array[], root: Uint8Array): boolean {
  try {
    return equalBytes(rootFromProof(leaf, index, siblings), root)
  } catch {
    return false
  }
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
