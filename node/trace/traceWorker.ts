/**
 * The commitment worker's thread (worker_threads): it owns DATADIR/trace, executes the sealed blocks
 * the main thread feeds it in order, and answers trace roots and step proofs. Started by
 * CommitmentWorker (commitmentWorker.ts); never imported by the main thread.
 */
import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { pino } from 'pino'
import { openLevel } from '../storage/level.ts'
import { createL2Common } from '../chain/common.ts'
import { BatchTracer } from './batchTracer.ts'
import { serializeError, unpackTxs, type BlockMessage, type CallMessage, type FromWorker, type ToWorker, type TraceWorkerData } from './protocol.ts'
import { TraceExecutor } from './traceExecutor.ts'
import { buildStepWitness } from '../../prover-fraud/stepWitness.ts'
import { levelReadNode } from '../../prover-fraud/witness.ts'

const port = parentPort!
const data = workerData as TraceWorkerData
const logger = pino({ level: data.logLevel, base: { thread: 'trace' } })
const post = (message: FromWorker) => port.postMessage(message)

lowerThreadPriority(data.niceness)

const db = await openLevel(data.dbPath)
const executor = await TraceExecutor.init(data.genesis, { db, logger })
const tracer = new BatchTracer({ chainId: data.genesis.chainId, maxTxsPerBlock: data.genesis.maxTxsPerBlock, retainMs: data.retainMs, ...(data.dishonest === undefined ? {} : { dishonest: data.dishonest }) }, { store: executor.store, logger })

/** Blocks, batch traces and the close run one at a time, in the order they came. */
let queue: Promise<unknown> = Promise.resolve()
function serial<T>(run: () => Promise<T>): Promise<T> {
  const result = queue.then(run)
  queue = result.catch(() => undefined)
  return result
}

/** Calls waiting for the executor to reach a block. */
const waiting: { number: bigint; resolve: () => void; reject: (e: unknown) => void }[] = []

function reached(number: bigint): Promise<void> {
  if (executor.head.number >= number) return Promise.resolve()
  if (executor.error !== undefined) return Promise.reject(executor.error)
  return new Promise((resolve, reject) => waiting.push({ number, resolve, reject }))
}

/** Set when the close call arrives: blocks still queued are left for the next start (fed again from the chain store). */
let closing = false

async function executeBlock(message: BlockMessage): Promise<void> {
  if (executor.error !== undefined || closing) return
  try {
    const senderPublicKeys = Array.from({ length: message.lengths.length }, (_, i) => message.senders.subarray(64 * i, 64 * (i + 1)))
    await executor.executeBlock({ ...message, txs: unpackTxs(message.txs, message.lengths), senderPublicKeys })
  } catch (e) {
    post({ type: 'failed', error: serializeError(e) })
    for (const w of waiting.splice(0)) w.reject(e)
    return
  }
  post({ type: 'executed', number: message.number })
  for (let i = waiting.length - 1; i >= 0; i--) {
    if (waiting[i].number <= message.number) waiting.splice(i, 1)[0].resolve()
  }
}

async function call(message: CallMessage): Promise<unknown> {
  switch (message.method) {
    case 'trace':
      await reached(message.batch.toBlock)
      return serial(() => tracer.trace(message.batch, message.chunks, { l1Timestamps: message.l1Timestamps }))
    case 'stepWitness':
      return serial(async () => {
        const step = await tracer.stepRecord(message.batch, message.chunks, message.step)
        const witness = await buildStepWitness({
          ...step,
          message: step.record?.type === 'deposit' ? message.messages.find((m) => m.index === (step.record as { queueIndex: bigint }).queueIndex) : undefined,
          chainId: data.genesis.chainId,
          readNode: levelReadNode(db),
          common: createL2Common(data.genesis.chainId),
        })
        return { ...step, ...witness }
      })
    case 'proveStep':
      return serial(() => tracer.proveStep(message.batchIndex, message.step))
    case 'close':
      closing = true
      await serial(async () => undefined)
      await db.close()
      return undefined
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'block') {
    void serial(() => executeBlock(message))
    return
  }
  call(message).then(
    (value) => {
      post({ type: 'result', id: message.id, value })
      if (message.method === 'close') port.close()
    },
    (error) => post({ type: 'result', id: message.id, error: serializeError(error) }),
  )
})

post({ type: 'ready', head: { number: executor.head.number, hash: executor.head.hash } })

/** On Linux a thread is a task with a nice value of its own: this one's, not the process's (the sequencer's thread). */
function lowerThreadPriority(niceness: number): void {
  if (niceness === 0) return
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
    if (Number.isInteger(tid) && tid !== process.pid) setPriority(tid, niceness)
  } catch (e) {
    logger.info({ err: (e as Error).message }, 'the trace thread keeps the normal priority')
  }
}
