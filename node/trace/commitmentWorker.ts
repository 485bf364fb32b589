import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import type { Block } from '@ethereumjs/block'
import { bytesToHex, type Hex } from 'viem'
import type { Logger } from 'pino'
import type { L2Chain } from '../chain/chain.ts'
import type { ChainEvents } from '../chain/events.ts'
import type { SealedBlock } from '../chain/types.ts'
import type { BatchRange, BatchTraceResult, StepProof, StepRecord } from './batchTracer.ts'
import type { QueueMessage } from '../l1/messages.ts'
import type { ToldLie } from './options.ts'
import type { StepWitness } from '../../prover-fraud/stepWitness.ts'
import { TraceDivergedError, TraceNotFoundError, TraceWorkerError } from './errors.ts'
import { defaultTraceOptions, type TraceOptions } from './options.ts'
import { startTsWorker } from '../workers/tsWorker.ts'
import { packTxs, type BlockMessage, type CallMessage, type FromWorker, type SerializedError, type TraceWorkerData } from './protocol.ts'

export interface CommitmentWorkerModules {
  chain: Pick<L2Chain, 'head' | 'store' | 'genesis'>
  events: ChainEvents
  logger: Logger
}

export type CommitmentWorkerState = 'running' | 'failed' | 'stopped'

/**
 * The main thread's side of the commitment worker (docs/decisions/0005): starts traceWorker.ts on
 * its own thread and LevelDB (DATADIR/trace), feeds it every sealed block in order (from the
 * 'sealed' events; blocks it missed while stopped from the chain store), and asks it for trace
 * roots and step proofs. The sequencer's loop only pays for packing each block's raw txs.
 */
export class CommitmentWorker {
  private readonly log: Logger
  private readonly calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>()
  private readonly told: ToldLie[] = []
  private nextId = 0
  private nextToSend: bigint
  private readonly recent = new Map<bigint, Block>()
  private pumping = false
  private pumpAgain = false
  private tracedHeadValue: bigint
  private stateValue: CommitmentWorkerState = 'running'
  private failure: Error | undefined
  private readonly onSealed = (sealed: SealedBlock) => {
    // a block the pump already read from the store (catching up) is not kept again
    if (sealed.block.header.number >= this.nextToSend) this.recent.set(sealed.block.header.number, sealed.block)
    void this.pump()
  }
  private readonly exited: Promise<void>

  private constructor(
    private readonly worker: Worker,
    private readonly modules: CommitmentWorkerModules,
    head: bigint,
  ) {
    this.log = modules.logger.child({ module: 'trace' })
    this.nextToSend = head + 1n
    this.tracedHeadValue = head
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()))
    worker.on('message', (message: FromWorker) => this.onMessage(message))
    worker.on('error', (error) => this.fail(new TraceWorkerError(`the commitment worker crashed: ${error.message}`, { cause: error })))
    worker.once('exit', (code) => {
      if (this.stateValue === 'running') this.fail(new TraceWorkerError(`the commitment worker exited (code ${code})`))
      for (const call of this.calls.values()) call.reject(new TraceWorkerError(`the commitment worker exited (code ${code})`))
      this.calls.clear()
    })
  }

  /** Starts the worker, checks that its trace is of this chain, and starts feeding it. */
  static async start(opts: Partial<TraceOptions> & { datadir: string }, modules: CommitmentWorkerModules): Promise<CommitmentWorker> {
    const options = { ...defaultTraceOptions, ...opts }
    const workerData: TraceWorkerData = {
      dbPath: join(opts.datadir, 'trace'),
      genesis: modules.chain.genesis,
      retainMs: options.retainSeconds * 1000,
      logLevel: options.logLevel ?? modules.logger.level,
      niceness: options.niceness,
      ...(options.dishonest === undefined ? {} : { dishonest: options.dishonest }),
    }
    const worker = startTsWorker(new URL('./traceWorker.ts', import.meta.url), workerData)
    let onMessage: ((m: FromWorker) => void) | undefined
    let onError: ((e: Error) => void) | undefined
    let onExit: ((code: number) => void) | undefined
    const ready = await new Promise<{ number: bigint; hash: Uint8Array }>((resolve, reject) => {
      onMessage = (m: FromWorker) => {
        if (m.type === 'ready') resolve(m.head)
        else if (m.type === 'failed') reject(new TraceWorkerError(m.error.message))
      }
      onError = (e: Error) => reject(new TraceWorkerError(`the commitment worker did not start: ${e.message}`, { cause: e }))
      onExit = (code: number) => reject(new TraceWorkerError(`the commitment worker exited at start (code ${code})`))
      worker.on('message', onMessage)
      worker.once('error', onError)
      worker.once('exit', onExit)
    })
      .catch(async (e) => {
        await worker.terminate()
        throw e
      })
      .finally(() => {
        // only our listeners: removeAllListeners would also drop the Worker's own, which keep its port flowing
        worker.off('message', onMessage!)
        worker.off('error', onError!)
        worker.off('exit', onExit!)
      })
    if (ready.number > 0n) {
      const block = await modules.chain.store.getBlockByNumber(ready.number)
      if (block === undefined || bytesToHex(block.hash()) !== bytesToHex(ready.hash)) {
        await worker.terminate()
        throw new TraceWorkerError(`${workerData.dbPath} traced block ${ready.number} ${bytesToHex(ready.hash)}, which is not this chain's: remove that directory to trace again from genesis`)
      }
    }
    const service = new CommitmentWorker(worker, modules, ready.number)
    modules.events.on('sealed', service.onSealed)
    service.log.info({ tracedHead: Number(ready.number), chainHead: Number(modules.chain.head.header.number), dir: workerData.dbPath }, 'commitment worker started')
    void service.pump()
    return service
  }

  get state(): CommitmentWorkerState {
    return this.stateValue
  }

  get error(): Error | undefined {
    return this.failure
  }

  /** The last block the worker has executed and traced. */
  get tracedHead(): bigint {
    return this.tracedHeadValue
  }

  /**
   * The batch's trace (waits until the worker has executed the batch's last block): its root, every
   * leaf and the last leaf's preimage, from its blocks and the chunks that carry them on L1
   * (with each chunk's L1 block time, for the drift rule, when known).
   */
  async traceBatch(batch: BatchRange, chunks: readonly Uint8Array[], l1Timestamps?: readonly bigint[]): Promise<BatchTraceResult> {
    const result = (await this.call({
      method: 'trace',
      batch: { batchIndex: batch.batchIndex, fromBlock: batch.fromBlock, toBlock: batch.toBlock },
      chunks: [...chunks],
      ...(l1Timestamps === undefined ? {} : { l1Timestamps: [...l1Timestamps] }),
    })) as BatchTraceResult
    if (result.told !== undefined) this.told.push(result.told)
    return result
  }

  /** Tests only: the lies this worker told (TraceOptions.dishonest), in order. */
  get toldLies(): readonly ToldLie[] {
    return this.told
  }

  /** The batch's trace root (see traceBatch). */
  async traceRoot(batch: BatchRange, chunks: readonly Uint8Array[]): Promise<Hex> {
    return (await this.traceBatch(batch, chunks)).traceRoot
  }

  /**
   * Step `step` of a traced batch as a fraud proof needs it: the states before and after, where its
   * record sits, and the MPT witness of its re-execution (prover-fraud/stepWitness.ts). `messages`
   * holds the queue messages the batch's queue-message records name.
   */
  async stepWitness(batch: BatchRange, chunks: readonly Uint8Array[], step: number, messages: readonly QueueMessage[]): Promise<StepRecord & StepWitness> {
    return (await this.call({ method: 'stepWitness', batch: { batchIndex: batch.batchIndex, fromBlock: batch.fromBlock, toBlock: batch.toBlock }, chunks: [...chunks], step, messages: [...messages] })) as StepRecord & StepWitness
  }

  /** Leaf `step` of a traced batch with its Merkle proof. */
  async proveStep(batchIndex: bigint, step: number): Promise<StepProof> {
    return (await this.call({ method: 'proveStep', batchIndex, step })) as StepProof
  }

  /** Stops feeding, lets the worker finish what it was given, and closes its database. */
  async stop(): Promise<void> {
    this.modules.events.off('sealed', this.onSealed)
    if (this.stateValue === 'running') {
      const closed = this.call({ method: 'close' })
      this.stateValue = 'stopped'
      try {
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 30_000).unref())])
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'commitment worker did not close cleanly')
      }
    }
    await this.worker.terminate()
    await this.exited
    this.log.info({ tracedHead: Number(this.tracedHeadValue) }, 'commitment worker stopped')
  }

  private call(request: DistributiveOmit<CallMessage, 'type' | 'id'>): Promise<unknown> {
    if (this.stateValue !== 'running') return Promise.reject(this.failure ?? new TraceWorkerError('the commitment worker is stopped'))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject })
      this.worker.postMessage({ type: 'call', id, ...request } as CallMessage)
    })
  }

  private onMessage(message: FromWorker): void {
    switch (message.type) {
      case 'executed':
        this.tracedHeadValue = message.number
        return
      case 'result': {
        const call = this.calls.get(message.id)
        this.calls.delete(message.id)
        if (message.error === undefined) call?.resolve(message.value)
        else call?.reject(revive(message.error))
        return
      }
      case 'failed':
        this.fail(revive(message.error))
        return
      case 'ready':
        return
    }
  }

  /** Sends every sealed block not yet sent, in order; one pass at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true
      return
    }
    this.pumping = true
    try {
      do {
        this.pumpAgain = false
        while (this.stateValue === 'running' && this.nextToSend <= this.modules.chain.head.header.number) {
          const number = this.nextToSend
          const block = this.recent.get(number) ?? (await this.modules.chain.store.getBlockByNumber(number))
          if (block === undefined) throw new TraceWorkerError(`sealed block ${number} is missing from the chain store`)
          this.send(block)
          this.recent.delete(number)
          this.nextToSend = number + 1n
        }
      } while (this.pumpAgain)
    } catch (e) {
      this.fail(e as Error)
    } finally {
      this.pumping = false
    }
  }

  private send(block: Block): void {
    const { txs, lengths } = packTxs(block.transactions.map((tx) => tx.serialize()))
    const senders = new Uint8Array(64 * block.transactions.length)
    block.transactions.forEach((tx, i) => senders.set(tx.cache.senderPubKey ?? tx.getSenderPublicKey(), 64 * i))
    const message: BlockMessage = {
      type: 'block',
      number: block.header.number,
      hash: block.hash(),
      parentHash: block.header.parentHash,
      timestamp: block.header.timestamp,
      stateRoot: block.header.stateRoot,
      txs,
      lengths,
      senders,
    }
    this.worker.postMessage(message, [txs.buffer as ArrayBuffer, lengths.buffer as ArrayBuffer, senders.buffer as ArrayBuffer])
  }

  private fail(error: Error): void {
    if (this.stateValue !== 'running') return
    this.stateValue = 'failed'
    this.failure = error
    this.modules.events.off('sealed', this.onSealed)
    this.recent.clear()
    for (const call of this.calls.values()) call.reject(error)
    this.calls.clear()
    this.log.fatal({ err: error.message }, 'COMMITMENT WORKER FAILED: no trace roots until it is fixed and the node restarted')
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

function revive(error: SerializedError): Error {
  if (error.name === 'TraceDivergedError') return new TraceDivergedError(error.message)
  if (error.name === 'TraceNotFoundError') return new TraceNotFoundError(error.message)
  return new TraceWorkerError(`${error.name}: ${error.message}`)
}
