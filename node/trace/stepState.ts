import { keccak256 } from '../chain/crypto.ts'

/**
 * The derivation state after a step (docs/decisions/0005, v2 in docs/decisions/0006): what a
 * batch's trace commits to, one leaf per step. Pure, so the Solidity verifier can be checked
 * against it byte for byte.
 */
export interface StepState {
  /** the L2 state root after the step (32 bytes) */
  stateRoot: Uint8Array
  /** the timestamp of the last sealed L2 block */
  parentTimestamp: bigint
  /** the timestamp of the last block start read; 0 when no block is open */
  blockTimestamp: bigint
  /** a block start was read and its block not yet closed (by a batch boundary or forced messages) */
  blockOpen: boolean
  /** txs already in the block being filled (the block-full rule) */
  txCount: number
  /** the chunk of the batch the next record is read from */
  chunkIndex: number
  /** the byte offset just after the last record read in that chunk; 0: nothing of it read yet */
  offset: number
  /** the absolute timestamp of the last block start decoded in this chunk (the base of the next delta); undefined at a chunk's start */
  chunkBase: bigint | undefined
}

const WORD = 32
export const STEP_STATE_WORDS = 9
export const ENCODED_STEP_STATE_BYTES = STEP_STATE_WORDS * WORD

/**
 * abi.encode(bytes32 stateRoot, uint64 parentTimestamp, uint64 blockTimestamp, bool blockOpen, uint32 txCount,
 * uint32 chunkIndex, uint32 offset, bool hasChunkBase, uint64 chunkBase): nine 32-byte words, each
 * value big-endian and left-padded with zeros (bool: 0 or 1; no chunk base: false and 0), 288 bytes.
 */
export function encodeStepState(s: StepState): Uint8Array {
  if (s.stateRoot.length !== WORD) throw new Error(`stateRoot must be 32 bytes, got ${s.stateRoot.length}`)
  const out = new Uint8Array(ENCODED_STEP_STATE_BYTES)
  const view = new DataView(out.buffer)
  out.set(s.stateRoot, 0)
  view.setBigUint64(WORD + 24, checkedU64(s.parentTimestamp, 'parentTimestamp'))
  view.setBigUint64(2 * WORD + 24, checkedU64(s.blockTimestamp, 'blockTimestamp'))
  out[3 * WORD + 31] = s.blockOpen ? 1 : 0
  view.setUint32(4 * WORD + 28, checkedU32(s.txCount, 'txCount'))
  view.setUint32(5 * WORD + 28, checkedU32(s.chunkIndex, 'chunkIndex'))
  view.setUint32(6 * WORD + 28, checkedU32(s.offset, 'offset'))
  if (s.chunkBase !== undefined) {
    out[7 * WORD + 31] = 1
    view.setBigUint64(8 * WORD + 24, checkedU64(s.chunkBase, 'chunkBase'))
  }
  return out
}

export function decodeStepState(bytes: Uint8Array): StepState {
  if (bytes.length !== ENCODED_STEP_STATE_BYTES) throw new Error(`a step state is ${ENCODED_STEP_STATE_BYTES} bytes, got ${bytes.length}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return {
    stateRoot: bytes.slice(0, WORD),
    parentTimestamp: view.getBigUint64(WORD + 24),
    blockTimestamp: view.getBigUint64(2 * WORD + 24),
    blockOpen: bytes[3 * WORD + 31] === 1,
    txCount: view.getUint32(4 * WORD + 28),
    chunkIndex: view.getUint32(5 * WORD + 28),
    offset: view.getUint32(6 * WORD + 28),
    chunkBase: bytes[7 * WORD + 31] === 1 ? view.getBigUint64(8 * WORD + 24) : undefined,
  }
}

/** Leaf of the trace tree: keccak256(encodeStepState(s)). */
export function stepLeaf(s: StepState): Uint8Array {
  return keccak256(encodeStepState(s))
}

/**
 * The state a batch starts from: `s` with its position reset (chunk 0, nothing read, no chunk
 * base). Leaf 0 of batch b is batchStart of batch b - 1's last leaf; OutputRoots enforces it.
 */
export function batchStart(s: StepState): StepState {
  return { ...s, chunkIndex: 0, offset: 0, chunkBase: undefined }
}

function checkedU64(value: bigint, name: string): bigint {
  if (value < 0n || value >= 1n << 64n) throw new Error(`${name} ${value} is not a uint64`)
  return value
}

function checkedU32(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`${name} ${value} is not a uint32`)
  return value
}
