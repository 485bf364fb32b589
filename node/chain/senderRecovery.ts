import type { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import { startTsWorker } from '../workers/tsWorker.ts'

/** What the recovery thread found for one raw tx: the sender's 64-byte public key and the tx hash. */
export interface RecoveredSender {
  publicKey: Uint8Array
  hash: Uint8Array
}

export interface RecoveryWorkerData {
  chainId: number
}
export interface RecoveryRequest {
  id: number
  raws: Uint8Array[]
}
export interface RecoveryResponse {
  id: number
  /** 64 bytes per tx */
  publicKeys: Uint8Array
  /** 32 bytes per tx */
  hashes: Uint8Array
  /** 1 where the tx decoded and its sender was recovered */
  ok: Uint8Array
}

interface Waiting {
  raw: Uint8Array
  resolve: (r: RecoveredSender | undefined) => void
}

/**
 * Recovers tx senders on a thread of their own (the machine's second core), so the sequencer's
 * thread does not spend its time on ECDSA: ~60 µs of libsecp256k1 per tx plus the signing hash,
 * 14% of its CPU under the HTTP bench. Txs that arrive within one turn of the event loop go over
 * in one message; one thread answers batches in the order sent, so answers resolve in arrival
 * order and the sequencer's order stays the order txs came in.
 *
 * Only an accelerator: `undefined` (the tx did not decode, no signature, or the thread is gone)
 * sends the caller to its own checks, which recover on the main thread and name the error.
 */
export class SenderRecovery {
  private readonly log: Logger
  private queued: Waiting[] = []
  private readonly inFlight = new Map<number, Waiting[]>()
  private nextId = 1
  private flushScheduled = false
  private alive = true

  private constructor(
    private readonly worker: Worker,
    logger: Logger,
  ) {
    this.log = logger.child({ module: 'sender-recovery' })
    worker.on('message', (m: RecoveryResponse) => this.answer(m))
    worker.on('error', (e) => this.fail(e))
    worker.once('exit', (code) => this.fail(new Error(`the sender recovery thread exited (code ${code})`)))
  }

  /** Starts the thread and waits until it is ready to take txs. */
  static async start(chainId: number, logger: Logger): Promise<SenderRecovery> {
    const data: RecoveryWorkerData = { chainId }
    const worker = startTsWorker(new URL('./senderRecoveryWorker.ts', import.meta.url), data)
    await new Promise<void>((resolve, reject) => {
      const onMessage = () => {
        worker.off('error', reject)
        resolve()
      }
      worker.once('message', onMessage)
      worker.once('error', reject)
    })
    // the thread must not keep the process alive on its own
    worker.unref()
    return new SenderRecovery(worker, logger)
  }

  /** The sender's public key and the tx hash, or undefined when the caller must check the tx itself. */
  recover(raw: Uint8Array): Promise<RecoveredSender | undefined> {
    if (!this.alive) return Promise.resolve(undefined)
    return new Promise((resolve) => {
      this.queued.push({ raw, resolve })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        // after this turn's I/O callbacks: every request parsed in it goes in one message
        setImmediate(() => this.flush())
      }
    })
  }

  async stop(): Promise<void> {
    this.alive = false
    this.release()
    await this.worker.terminate()
  }

  private flush(): void {
    this.flushScheduled = false
    // empty too when a stop or a failure released the queue since the first request
    if (this.queued.length === 0) return
    const batch = this.queued
    this.queued = []
    const id = this.nextId++
    this.inFlight.set(id, batch)
    const request: RecoveryRequest = { id, raws: batch.map((w) => w.raw) }
    this.worker.postMessage(request)
  }

  private answer(m: RecoveryResponse): void {
    const batch = this.inFlight.get(m.id)
    if (batch === undefined) return
    this.inFlight.delete(m.id)
    for (let i = 0; i < batch.length; i++) {
      batch[i].resolve(m.ok[i] === 1 ? { publicKey: m.publicKeys.subarray(i * 64, i * 64 + 64), hash: m.hashes.subarray(i * 32, i * 32 + 32) } : undefined)
    }
  }

  /** The thread failed: what waits and what comes is checked on the main thread, as without it. */
  private fail(error: Error): void {
    if (!this.alive) return
    this.alive = false
    this.log.error({ err: error }, 'sender recovery thread failed: recovering on the main thread from now on')
    this.release()
  }

  private release(): void {
    // in the order they came, so the sequencer's arrival order holds
    for (const batch of this.inFlight.values()) for (const w of batch) w.resolve(undefined)
    this.inFlight.clear()
    for (const w of this.queued.splice(0)) w.resolve(undefined)
  }
}
