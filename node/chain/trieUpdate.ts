import { RLP, type Input } from '@ethereumjs/rlp'
import { keccak256 } from './crypto.ts'
import { compareNibbles, hexPrefix, toNibbles } from './nibbles.ts'

/**
 * Applies a batch of changes to a Merkle-Patricia trie in one pass: each touched node is decoded
 * once, rebuilt once and hashed once. @ethereumjs/mpt walks and rehashes the whole path on every
 * put, which made sealing a block cost ~0.6 ms per bet (PERF.md, sequencer profile).
 * Keys are the trie's keys as stored (already hashed for secure tries); an empty value deletes.
 * Nodes are stored by hash, as @ethereumjs/mpt stores them, so it reads the result unchanged.
 */

type Nibbles = Uint8Array
/** A reference as it sits in a parent: a 32-byte hash, an embedded node (decoded list), or empty. */
type Ref = Uint8Array | Input[]

interface Leaf {
  kind: 'leaf'
  path: Nibbles
  value: Uint8Array
}
interface Extension {
  kind: 'ext'
  path: Nibbles
  child: Child
}
interface Branch {
  kind: 'branch'
  children: Child[]
  value: Uint8Array | undefined
}
type TrieNode = Leaf | Extension | Branch
/** A child is either untouched (its original reference) or rebuilt in memory. */
type Child = { ref: Ref } | { node: TrieNode } | undefined

export interface TrieChange {
  key: Uint8Array
  /** empty: delete the key */
  value: Uint8Array
}

interface PathChange {
  nibbles: Nibbles
  value: Uint8Array
}

export type ReadNode = (hash: Uint8Array) => Promise<Uint8Array | undefined>
/** Called between steps of an update, so a caller can yield the thread (the sequencer lets txs run). */
export type Pause = () => Promise<void> | void

export const EMPTY_TRIE_ROOT = keccak256(RLP.encode(new Uint8Array()))

function concatNibbles(a: Nibbles, b: Nibbles): Nibbles {
  const out = new Uint8Array(a.length + b.length)
  out.set(a, 0)
  out.set(b, a.length)
  return out
}

function decodeHexPrefix(encoded: Uint8Array): { path: Nibbles; leaf: boolean } {
  const flag = encoded[0] >> 4
  const nibbles = toNibbles(encoded)
  return { path: nibbles.subarray(flag % 2 === 1 ? 1 : 2), leaf: flag >= 2 }
}

function decodeRaw(raw: Input[]): TrieNode {
  if (raw.length === 17) {
    const children: Child[] = raw.slice(0, 16).map((c) => (isEmptyRef(c as Ref) ? undefined : { ref: c as Ref }))
    const value = raw[16] as Uint8Array
    return { kind: 'branch', children, value: value.length === 0 ? undefined : value }
  }
  if (raw.length !== 2) throw new Error(`malformed trie node with ${raw.length} items`)
  const { path, leaf } = decodeHexPrefix(raw[0] as Uint8Array)
  return leaf ? { kind: 'leaf', path, value: raw[1] as Uint8Array } : { kind: 'ext', path, child: { ref: raw[1] as Ref } }
}

function isEmptyRef(ref: Ref): boolean {
  return ref instanceof Uint8Array && ref.length === 0
}

class TrieUpdater {
  readonly written = new Map<string, { hash: Uint8Array; node: Uint8Array }>()

  constructor(
    private readonly readNode: ReadNode,
    private readonly pause: Pause | undefined,
  ) {}

  async load(child: Child): Promise<TrieNode | undefined> {
    if (child === undefined) return undefined
    if ('node' in child) return child.node
    const ref = child.ref
    if (!(ref instanceof Uint8Array)) return decodeRaw(ref)
    if (ref.length !== 32) throw new Error('malformed trie reference')
    await this.pause?.()
    const encoded = await this.readNode(ref)
    if (encoded === undefined) throw new Error(`missing trie node ${Buffer.from(ref).toString('hex')}`)
    return decodeRaw(RLP.decode(encoded) as Input[])
  }

  /** `changes` share the first `depth` nibbles and are sorted by path. */
  async apply(node: TrieNode | undefined, changes: PathChange[], depth: number): Promise<TrieNode | undefined> {
    if (changes.length === 0) return node
    if (node === undefined) return this.build(changes.filter((c) => c.value.length > 0), depth)
    if (node.kind === 'leaf') {
      const leafPath = node.path
      const overridden = changes.some((c) => c.nibbles.length - depth === leafPath.length && equalFrom(c.nibbles, depth, leafPath))
      const all = overridden ? changes : insertSorted(changes, { nibbles: concatNibbles(changes[0].nibbles.subarray(0, depth), leafPath), value: node.value })
      return this.build(all.filter((c) => c.value.length > 0), depth)
    }
    if (node.kind === 'ext') {
      // an extension behaves as a branch with one child; expand it, apply, and let normalize fold it back
      const rest: Child = node.path.length === 1 ? node.child : { node: { kind: 'ext', path: node.path.subarray(1), child: node.child } }
      const children: Child[] = new Array(16).fill(undefined)
      children[node.path[0]] = rest
      return this.apply({ kind: 'branch', children, value: undefined }, changes, depth)
    }
    const children = node.children.slice()
    let value = node.value
    let i = 0
    while (i < changes.length) {
      if (changes[i].nibbles.length === depth) {
        value = changes[i].value.length === 0 ? undefined : changes[i].value
        i++
        continue
      }
      const nibble = changes[i].nibbles[depth]
      let end = i + 1
      while (end < changes.length && changes[end].nibbles.length > depth && changes[end].nibbles[depth] === nibble) end++
      const updated = await this.apply(await this.load(children[nibble]), changes.slice(i, end), depth + 1)
      children[nibble] = updated === undefined ? undefined : { node: updated }
      i = end
    }
    return this.normalize({ kind: 'branch', children, value })
  }

  /** A fresh subtrie from inserts only (sorted, sharing `depth` nibbles). */
  build(items: PathChange[], depth: number): TrieNode | undefined {
    if (items.length === 0) return undefined
    if (items.length === 1) return { kind: 'leaf', path: items[0].nibbles.subarray(depth), value: items[0].value }
    const first = items[0].nibbles
    const last = items[items.length - 1].nibbles
    let shared = 0
    while (depth + shared < first.length && depth + shared < last.length && first[depth + shared] === last[depth + shared]) shared++
    if (shared > 0) {
      const child = this.build(items, depth + shared) as TrieNode
      return { kind: 'ext', path: first.subarray(depth, depth + shared), child: { node: child } }
    }
    const children: Child[] = new Array(16).fill(undefined)
    let value: Uint8Array | undefined
    let i = 0
    if (items[0].nibbles.length === depth) value = items[i++].value
    while (i < items.length) {
      const nibble = items[i].nibbles[depth]
      let end = i + 1
      while (end < items.length && items[end].nibbles[depth] === nibble) end++
      children[nibble] = { node: this.build(items.slice(i, end), depth + 1) as TrieNode }
      i = end
    }
    return { kind: 'branch', children, value }
  }

  /** A branch left with fewer than two entries folds into a leaf or extension, as the MPT requires. */
  async normalize(branch: Branch): Promise<TrieNode | undefined> {
    const present: number[] = []
    branch.children.forEach((c, n) => c !== undefined && present.push(n))
    if (present.length === 0) return branch.value === undefined ? undefined : { kind: 'leaf', path: new Uint8Array(), value: branch.value }
    if (present.length > 1 || branch.value !== undefined) return branch
    const nibble = present[0]
    const child = (await this.load(branch.children[nibble])) as TrieNode
    const prefix = Uint8Array.of(nibble)
    if (child.kind === 'leaf') return { kind: 'leaf', path: concatNibbles(prefix, child.path), value: child.value }
    if (child.kind === 'ext') return { kind: 'ext', path: concatNibbles(prefix, child.path), child: child.child }
    return { kind: 'ext', path: prefix, child: { node: child } }
  }

  /** Encodes a rebuilt node, storing it (and every rebuilt node under it) by hash when 32 bytes or more. */
  reference(child: Child): Input {
    if (child === undefined) return new Uint8Array()
    if ('ref' in child) return child.ref
    const raw = this.raw(child.node)
    const encoded = RLP.encode(raw)
    if (encoded.length < 32) return raw
    return this.store(encoded)
  }

  raw(node: TrieNode): Input[] {
    if (node.kind === 'leaf') return [hexPrefix(node.path, true), node.value]
    if (node.kind === 'ext') return [hexPrefix(node.path, false), this.reference(node.child)]
    return [...node.children.map((c) => this.reference(c)), node.value ?? new Uint8Array()]
  }

  store(encoded: Uint8Array): Uint8Array {
    const hash = keccak256(encoded)
    this.written.set(Buffer.from(hash).toString('hex'), { hash, node: encoded })
    return hash
  }
}

function equalFrom(nibbles: Nibbles, depth: number, path: Nibbles): boolean {
  for (let i = 0; i < path.length; i++) if (nibbles[depth + i] !== path[i]) return false
  return true
}

function insertSorted(changes: PathChange[], item: PathChange): PathChange[] {
  const out = changes.slice()
  let i = 0
  while (i < out.length && compareNibbles(out[i].nibbles, item.nibbles) < 0) i++
  out.splice(i, 0, item)
  return out
}

export interface TrieUpdateResult {
  root: Uint8Array
  /** new nodes by hash (hex without 0x) */
  nodes: Map<string, { hash: Uint8Array; node: Uint8Array }>
}

/**
 * The new root of the trie at `root` after `changes`, and the nodes to store for it. `pause` runs
 * before each node read and between the root's subtries while they are hashed.
 */
export async function updateTrie(root: Uint8Array, changes: TrieChange[], readNode: ReadNode, pause?: Pause): Promise<TrieUpdateResult> {
  const updater = new TrieUpdater(readNode, pause)
  const byKey = new Map<string, PathChange>()
  for (const c of changes) byKey.set(Buffer.from(c.key).toString('hex'), { nibbles: toNibbles(c.key), value: c.value })
  const sorted = [...byKey.values()].sort((a, b) => compareNibbles(a.nibbles, b.nibbles))
  const rootChild: Child = equalBytes(root, EMPTY_TRIE_ROOT) ? undefined : { ref: root }
  const updated = await updater.apply(await updater.load(rootChild), sorted, 0)
  if (updated === undefined) return { root: EMPTY_TRIE_ROOT, nodes: updater.written }
  if (pause !== undefined && updated.kind === 'branch') {
    // hash the root's subtries one at a time (a sixteenth of the work each), pausing between them
    for (let nibble = 0; nibble < 16; nibble++) {
      const child = updated.children[nibble]
      if (child === undefined || !('node' in child)) continue
      updated.children[nibble] = { ref: updater.reference(child) as Ref }
      await pause()
    }
  }
  const rootHash = updater.store(RLP.encode(updater.raw(updated)))
  return { root: rootHash, nodes: updater.written }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
