import { MAX_TIMESTAMP_DRIFT_SECONDS } from '../../sdk/src/constants.ts'
import { batchStart, type StepState } from './stepState.ts'

/**
 * The steps of a batch and how each one moves the StepState (docs/decisions/0005), mirroring
 * `Deriver` (node/derive/deriver.ts). State roots come from execution; this module only says where
 * blocks open, seal and close, and which records the block rules turn into no-ops.
 *
 * - `blockStart`: seals the open block if it holds a tx (parentTimestamp := max(blockTimestamp,
 *   parentTimestamp), txCount := 0), then blockTimestamp := its timestamp, blockOpen := true. When
 *   its timestamp is more than MAX_TIMESTAMP_DRIFT_SECONDS ahead of `l1Timestamp` (the L1 block
 *   carrying its chunk, when known) it only seals and closes: no block is open until the next one.
 * - `tx` (a compact bet or a generic signed tx, one tx): a no-op when no block is open or
 *   txCount >= maxTxsPerBlock; otherwise txCount += 1 and stateRoot := the root after the tx.
 * - `message` (a queue-message record: the relay tx, and the forced tx when it ran): a no-op when
 *   no block is open or txCount + 2 > maxTxsPerBlock; otherwise txCount += txs, stateRoot := root.
 * - `skip`: a record derivation skips for a reason only execution knows (wrong nonce, bad
 *   signature, not the queue message due, undecodable tx): a no-op.
 * - `forced` (a queue message forced in before the batch's first chunk): seals first when the open
 *   block has no room for 2 txs; opens a block at the L1 block's timestamp when none is open; then
 *   txCount += txs, stateRoot := root.
 *
 * Closing (`closeBlock`: seal if txCount > 0, then blockOpen := false, blockTimestamp := 0,
 * txCount := 0) has no step of its own: it runs at the start of the batch's first forced step and
 * at the start of its first record step (Deriver.forceOverdue and deriveChunk on a new batch both
 * begin with endBlock). A verifier of step i needs to know whether step i is one of those two.
 *
 * Every record step also moves the position (docs/decisions/0006): `at` is where its record sits
 * (the chunk of the batch, the record's first byte, the byte after it). The state's chunkIndex and
 * offset become the chunk and `end`; the chunk base is dropped when the record is in a later chunk,
 * and a block start that decoded (even one the drift rule then ignores) becomes the new base. A
 * record the decoder skipped is a `skip` with its position. Forced steps do not move the position.
 */
export interface RecordAt {
  chunkIndex: number
  /** offset of the record's type byte */
  offset: number
  /** offset just after the record */
  end: number
}

export type Step =
  | { kind: 'blockStart'; timestamp: bigint; l1Timestamp?: bigint; at?: RecordAt }
  | { kind: 'tx'; stateRoot: Uint8Array; at?: RecordAt }
  | { kind: 'message'; txs: 1 | 2; stateRoot: Uint8Array; at?: RecordAt }
  | { kind: 'skip'; at?: RecordAt }
  | { kind: 'forced'; l1Timestamp: bigint; txs: 1 | 2; stateRoot: Uint8Array }

export interface BatchSteps {
  /** queue messages forced in before the batch's first chunk (derivation's sequencer window) */
  forced: Extract<Step, { kind: 'forced' }>[]
  /** one step per record the batch's chunks decode to, in order */
  records: Exclude<Step, { kind: 'forced' }>[]
}

/** Txs one message can add to a block (node/l1/relay.ts MAX_TXS_PER_MESSAGE). */
const TXS_PER_MESSAGE = 2

export class StepRuleError extends Error {
  override readonly name = 'StepRuleError'
}

/** The state derivation starts from: the genesis block sealed, no block start read, position zero. */
export function genesisStepState(stateRoot: Uint8Array, timestamp: bigint): StepState {
  return { stateRoot, parentTimestamp: timestamp, blockTimestamp: 0n, blockOpen: false, txCount: 0, chunkIndex: 0, offset: 0, chunkBase: undefined }
}

/**
 * Leaf 0 of the batch after one that ends with block `block` and the planner's closing block start
 * (its timestamp again): the block sealed, a block start read and no tx after it, position zero
 * (batchStart of the previous batch's last state).
 */
export function stepStateAfterBlock(block: { stateRoot: Uint8Array; timestamp: bigint }): StepState {
  return { stateRoot: block.stateRoot, parentTimestamp: block.timestamp, blockTimestamp: block.timestamp, blockOpen: true, txCount: 0, chunkIndex: 0, offset: 0, chunkBase: undefined }
}

export function closeBlock(s: StepState): StepState {
  return { ...s, parentTimestamp: sealedParent(s), blockTimestamp: 0n, blockOpen: false, txCount: 0 }
}

/** The position after reading the record at `at` (the chunk base kept only within one chunk). */
function moved(s: StepState, at: RecordAt | undefined): StepState {
  if (at === undefined) return s
  if (at.chunkIndex < s.chunkIndex || (at.chunkIndex === s.chunkIndex && at.offset < s.offset)) {
    throw new StepRuleError(`a record at chunk ${at.chunkIndex} offset ${at.offset} is behind the position (chunk ${s.chunkIndex}, offset ${s.offset})`)
  }
  return { ...s, chunkIndex: at.chunkIndex, offset: at.end, chunkBase: at.chunkIndex === s.chunkIndex ? s.chunkBase : undefined }
}

function sealedParent(s: StepState): bigint {
  if (s.txCount === 0) return s.parentTimestamp
  return s.blockTimestamp > s.parentTimestamp ? s.blockTimestamp : s.parentTimestamp
}

/** Whether a record step with txs would be applied by derivation's block rules (false: it is a no-op). */
export function recordFits(s: StepState, kind: 'tx' | 'message', maxTxsPerBlock: number): boolean {
  if (!s.blockOpen) return false
  return kind === 'tx' ? s.txCount < maxTxsPerBlock : s.txCount + TXS_PER_MESSAGE <= maxTxsPerBlock
}

/** The state after `step` from `s` (closing, when due, is the caller's: see `batchStepStates`). */
export function applyStep(s: StepState, step: Step, maxTxsPerBlock: number): StepState {
  switch (step.kind) {
    case 'blockStart': {
      const at = { ...moved(s, step.at), chunkBase: step.at === undefined ? s.chunkBase : step.timestamp }
      if (step.l1Timestamp !== undefined && step.timestamp > step.l1Timestamp + MAX_TIMESTAMP_DRIFT_SECONDS) return closeBlock(at)
      return { ...at, parentTimestamp: sealedParent(s), blockTimestamp: step.timestamp, blockOpen: true, txCount: 0 }
    }
    case 'skip':
      return moved(s, step.at)
    case 'tx':
    case 'message': {
      if (!recordFits(s, step.kind, maxTxsPerBlock)) throw new StepRuleError(`a ${step.kind} record with a state root where derivation's block rules make it a no-op`)
      return { ...moved(s, step.at), stateRoot: step.stateRoot, txCount: s.txCount + (step.kind === 'tx' ? 1 : step.txs) }
    }
    case 'forced': {
      let open = s
      if (open.blockOpen && open.txCount + TXS_PER_MESSAGE > maxTxsPerBlock) open = closeBlock(open)
      if (!open.blockOpen) open = { ...open, blockTimestamp: step.l1Timestamp, blockOpen: true, txCount: 0 }
      return { ...open, stateRoot: step.stateRoot, txCount: open.txCount + step.txs }
    }
  }
}

/** Leaves' states of a batch: [pre, after step 1, ..., after step n]; `pre` is taken at its batch start position. */
export function batchStepStates(pre: StepState, steps: BatchSteps, maxTxsPerBlock: number): StepState[] {
  const start = batchStart(pre)
  const states = [start]
  let s = start
  steps.forced.forEach((step, i) => {
    s = applyStep(i === 0 ? closeBlock(s) : s, step, maxTxsPerBlock)
    states.push(s)
  })
  steps.records.forEach((step, i) => {
    s = applyStep(i === 0 ? closeBlock(s) : s, step, maxTxsPerBlock)
    states.push(s)
  })
  return states
}
