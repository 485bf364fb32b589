import {
  BlockNotFoundError,
  createPublicClient,
  http,
  keccak256,
  parseEventLogs,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Logger } from 'pino'
import type { L2Chain } from '../../node/chain/chain.ts'
import type { ChainStore } from '../../node/storage/chainStore.ts'
import { rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { BatchPlanner } from './batchPlanner.ts'
import { ChunkPoster, sleep, type AdoptedTx } from './chunkPoster.ts'
import { BatcherCriticalError, batcherErrorAction } from './errors.ts'
import { parseBatcherOptions, type BatcherOptions, type BatcherOptionsInput } from './options.ts'
import {
  batchCompletedBy,
  nextChunkPosition,
  PostedBatchStore,
  progressAfter,
  ProgressStore,
  rewindProgress,
  type BatcherProgress,
  type PostedChunk,
} from './progress.ts'

export interface BatcherModules {
  chain: Pick<L2Chain, 'head' | 'genesis'>
  store: Pick<ChainStore, 'getBlockByNumber' | 'getMeta' | 'putMeta'>
  logger: Logger
}

export type BatcherState = 'idle' | 'running' | 'stopped' | 'failed'

/**
 * Posts sealed L2 blocks to the L1 inbox, in order, as batches of chunks (one postChunk tx each).
 * The last chunk of each batch is posted with isLast, which closes the batch in the inbox.
 * Progress is in the chain store after each confirmed chunk; on start, and whenever L1 disagrees
 * (a reverted tx, a reorg), it is reconciled with the inbox's own chunk count, its ChunkPosted
 * events and commitments, so no chunk is posted twice or skipped. Errors never leave the loop: temporary ones are retried with
 * backoff, L1 rollbacks rewind, and what cannot be fixed stops the batcher (not the node) with a log.
 */
export class Batcher {
  readonly opts: BatcherOptions
  private readonly log: Logger
  private readonly progressStore: ProgressStore
  private readonly postedBatches: PostedBatchStore
  private readonly planner: BatchPlanner
  private readonly client: PublicClient<Transport, Chain | undefined>
  private readonly abort = new AbortController()
  private readonly poster: ChunkPoster
  private progress: BatcherProgress | undefined
  private adopted: (AdoptedTx & { n: bigint }) | undefined
  private lastBatchAt = 0
  private loop: Promise<void> | undefined
  private stateValue: BatcherState = 'idle'
  private failure: Error | undefined

  constructor(
    opts: BatcherOptionsInput,
    private readonly modules: BatcherModules,
  ) {
    this.opts = parseBatcherOptions(opts)
    this.log = modules.logger.child({ module: 'batcher' })
    this.progressStore = new ProgressStore(modules.store)
    this.postedBatches = new PostedBatchStore(modules.store)
    this.planner = new BatchPlanner(
      { chainId: modules.chain.genesis.chainId, maxBatchBytes: this.opts.maxBatchBytes, maxChunkBytes: this.opts.maxChunkBytes, maxBatchRecords: this.opts.maxBatchRecords },
      modules.store,
    )
    this.client = createPublicClient({ transport: http(this.opts.l1RpcUrl, { retryCount: 0 }), pollingInterval: this.opts.pollIntervalMs })
    this.poster = new ChunkPoster(
      {
        inbox: this.opts.inbox,
        l1ChainId: this.opts.l1ChainId ?? 0,
        l1Confirmations: this.opts.l1Confirmations,
        pollIntervalMs: this.opts.pollIntervalMs,
        resubmitAfterMs: this.opts.resubmitAfterMs,
      },
      { client: this.client, account: privateKeyToAccount(this.opts.privateKey), log: this.log, signal: this.abort.signal },
    )
  }

  get state(): BatcherState {
    return this.stateValue
  }

  /** Why the batcher stopped on its own (state 'failed'). */
  get error(): Error | undefined {
    return this.failure
  }

  /** What is posted, as last persisted (undefined before start). */
  get posted(): Readonly<BatcherProgress> | undefined {
    return this.progress
  }

  /** Loads the persisted progress and starts the loop; L1 being down does not fail it (the loop retries). */
  async start(): Promise<void> {
    if (this.loop !== undefined) return
    this.progress = await this.progressStore.load()
    this.stateValue = 'running'
    this.log.info(
      { chunksPosted: Number(this.progress.chunksPosted), lastPostedBlock: Number(this.progress.lastPostedBlock), inbox: this.opts.inbox, from: this.poster.address },
      'batcher starting',
    )
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('batcher stopped'))
    await this.loop
    if (this.stateValue === 'running') this.stateValue = 'stopped'
    this.log.info({ chunksPosted: Number(this.progress?.chunksPosted ?? 0n) }, 'batcher stopped')
  }

  private async run(): Promise<void> {
    let initialized = false
    let reconcile = true
    let backoffMs = this.opts.retryMinMs
    while (!this.abort.signal.aborted) {
      try {
        if (!initialized) {
          await this.checkL1()
          await this.adoptInflight()
          initialized = true
        }
        if (reconcile) {
          await this.reconcileWithInbox()
          reconcile = false
        }
        reconcile = await this.checkReorg()
        const posted = reconcile ? false : await this.postNextChunk()
        backoffMs = this.opts.retryMinMs
        if (!posted && !reconcile) await sleep(this.opts.pollIntervalMs, this.abort.signal)
      } catch (error) {
        if (this.abort.signal.aborted) break
        const action = batcherErrorAction(error)
        const err = error as Error
        if (action === 'stop') {
          this.failure = err
          this.stateValue = 'failed'
          this.log.error({ err, reason: (err as { shortMessage?: string }).shortMessage ?? err.message }, 'batcher stopped: it cannot post until this is fixed')
          return
        }
        reconcile = true
        this.poster.forgetNonce()
        if (action === 'rewind') {
          this.log.warn({ reason: (err as { shortMessage?: string }).shortMessage ?? err.message }, 'L1 disagrees with what the batcher recorded: rewinding to the inbox')
        } else {
          this.log.warn({ err: err.message, retryInMs: backoffMs }, 'temporary L1 error: retrying')
        }
        try {
          await sleep(backoffMs, this.abort.signal)
        } catch {
          break
        }
        backoffMs = Math.min(backoffMs * 2, this.opts.retryMaxMs)
      }
    }
  }

  /** The RPC's chain is the configured L1, and the inbox takes chunks from this key. */
  private async checkL1(): Promise<void> {
    const chainId = await this.client.getChainId()
    if (this.opts.l1ChainId !== undefined && chainId !== this.opts.l1ChainId) {
      throw new BatcherCriticalError(`the L1 RPC serves chain ${chainId}, the rollup config says ${this.opts.l1ChainId}`)
    }
    this.poster.setChainId(chainId)
    const sequencer = await this.client.readContract({ address: this.opts.inbox, abi: rollbookInboxAbi, functionName: 'sequencer' })
    if (sequencer.toLowerCase() !== this.poster.address.toLowerCase()) {
      throw new BatcherCriticalError(`the inbox ${this.opts.inbox} takes chunks from ${sequencer}, not from the batcher key's ${this.poster.address}`)
    }
  }

  /** A chunk tx sent before a restart and still pending is waited for (and replaced from its fees), not sent again beside it. */
  private async adoptInflight(): Promise<void> {
    const inflight = this.progress!.inflight
    if (inflight === undefined) return
    let fees: AdoptedTx['fees'] | undefined
    for (const hash of inflight.txHashes) {
      try {
        const tx = await this.client.getTransaction({ hash })
        if (tx.blockNumber !== null) return
        if (tx.maxFeePerGas === undefined || tx.maxPriorityFeePerGas === undefined) continue
        if (fees === undefined || tx.maxFeePerGas > fees.maxFeePerGas) fees = { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas }
      } catch (error) {
        if (!(error instanceof TransactionNotFoundError)) throw error
      }
    }
    if (fees === undefined) return
    this.adopted = { n: inflight.n, nonce: inflight.nonce, txHashes: inflight.txHashes, fees }
    this.log.info({ n: Number(inflight.n), nonce: inflight.nonce, txHashes: inflight.txHashes }, 'adopting the chunk tx still pending from before the restart')
  }

  /**
   * Makes the recorded progress agree with the inbox: fewer chunks on L1 (a reorg) rewinds; more
   * (our in-flight chunk landed before we recorded it) is checked hash by hash and recorded.
   */
  private async reconcileWithInbox(): Promise<void> {
    const count = await this.readInbox('chunkCount')
    let progress = this.progress!
    if (count < progress.chunksPosted) {
      this.log.warn({ inboxChunks: Number(count), recorded: Number(progress.chunksPosted) }, 'the inbox holds fewer chunks than recorded (L1 reorg): rewinding')
      progress = rewindProgress(progress, count)
      this.adopted = undefined
    }
    while (count > progress.chunksPosted) {
      const record = await this.recoverPostedChunk(progress)
      await this.recordBatchIfComplete(record)
      progress = progressAfter(progress, record, record.l1BlockNumber - BigInt(this.opts.reorgDepth))
      this.log.info({ n: Number(record.n), batchIndex: Number(record.plan.batchIndex), chunkIndex: record.chunkIndex, txHash: record.txHash }, 'found our chunk on L1: recorded')
    }
    const last = progress.recent.at(-1)
    if (last !== undefined && last.n === count - 1n) {
      const onChain = await this.client.readContract({ address: this.opts.inbox, abi: rollbookInboxAbi, functionName: 'chunkCommitment', args: [last.n] })
      if (onChain !== last.commitment) throw new BatcherCriticalError(`inbox chunk ${last.n} commits to ${onChain}, the batcher's chunk there to ${last.commitment}`)
    }
    if (this.adopted !== undefined && this.adopted.n !== progress.chunksPosted) this.adopted = undefined
    await this.poster.syncNonce(this.adopted?.nonce)
    await this.save(progress)
  }

  /** The record of chunk `chunksPosted`, which the inbox holds: it must be the next chunk of the planned batch. */
  private async recoverPostedChunk(progress: BatcherProgress): Promise<PostedChunk> {
    const position = nextChunkPosition(progress)
    const n = progress.chunksPosted
    if (position === undefined) throw new BatcherCriticalError(`the inbox holds chunk ${n}, which the batcher has no record of sending`)
    const plan = progress.batch!
    const chunks = await this.planner.chunks(plan)
    const hash = keccak256(chunks[position.chunkIndex])
    const isLast = position.chunkIndex + 1 === plan.chunkCount
    const receipt = await this.findChunkReceipt(progress, n)
    const posted = this.chunkPostedIn(receipt, n)
    if (posted.batchIndex !== position.batchIndex || posted.chunkIndex !== position.chunkIndex || posted.isLast !== isLast || posted.dataHash !== hash) {
      throw new BatcherCriticalError(
        `inbox chunk ${n} is batch ${posted.batchIndex} chunk ${posted.chunkIndex} (last: ${posted.isLast}) with data ${posted.dataHash}, but the batcher's is batch ${position.batchIndex} chunk ${position.chunkIndex} (last: ${isLast}) with data ${hash}`,
      )
    }
    return { n, plan, chunkIndex: position.chunkIndex, hash, commitment: posted.commitment, txHash: receipt.transactionHash, l1BlockNumber: receipt.blockNumber, l1BlockHash: receipt.blockHash }
  }

  /** The ChunkPosted event of chunk `n` in a receipt of the inbox's. */
  private chunkPostedIn(receipt: TransactionReceipt, n: bigint) {
    const event = parseEventLogs({ abi: rollbookInboxAbi, logs: receipt.logs, eventName: 'ChunkPosted' }).find(
      (e) => e.address.toLowerCase() === this.opts.inbox.toLowerCase() && e.args.n === n,
    )
    if (event === undefined) throw new BatcherCriticalError(`tx ${receipt.transactionHash} posted no chunk ${n} to the inbox`)
    return event.args
  }

  private async findChunkReceipt(progress: BatcherProgress, n: bigint): Promise<TransactionReceipt> {
    for (const hash of progress.inflight?.txHashes ?? []) {
      const receipt = await this.receipt(hash)
      if (receipt?.status === 'success') return receipt
    }
    const fromBlock = progress.recent.at(-1)?.l1BlockNumber ?? 0n
    const [event] = await this.client.getContractEvents({ address: this.opts.inbox, abi: rollbookInboxAbi, eventName: 'ChunkPosted', args: { n }, fromBlock })
    const receipt = event?.transactionHash === undefined || event.transactionHash === null ? undefined : await this.receipt(event.transactionHash)
    if (receipt === undefined) throw new BatcherCriticalError(`inbox chunk ${n} has no ChunkPosted event since L1 block ${fromBlock}`)
    return receipt
  }

  /**
   * The last posted chunk's L1 block still canonical means every earlier one is. Otherwise each
   * chunk past the newest canonical record is looked up again: re-mined elsewhere it is kept (new
   * block), gone it and everything after are rewound. Returns whether the inbox must be re-read.
   */
  private async checkReorg(): Promise<boolean> {
    const progress = this.progress!
    const recent = progress.recent
    if (recent.length === 0 || (await this.isCanonical(recent.at(-1)!))) return false
    let firstMoved = recent.length - 1
    while (firstMoved > 0 && !(await this.isCanonical(recent[firstMoved - 1]))) firstMoved--
    const kept = recent.slice(0, firstMoved)
    let rewindTo: bigint | undefined
    for (const record of recent.slice(firstMoved)) {
      const receipt = await this.receipt(record.txHash)
      if (receipt === undefined || receipt.status !== 'success') {
        rewindTo = record.n
        break
      }
      // the commitment holds the L1 block: a chunk mined again elsewhere commits to its new block
      kept.push({ ...record, commitment: this.chunkPostedIn(receipt, record.n).commitment, l1BlockNumber: receipt.blockNumber, l1BlockHash: receipt.blockHash })
    }
    let next: BatcherProgress = { ...progress, recent: kept }
    if (rewindTo !== undefined) {
      this.log.warn({ firstDropped: Number(rewindTo), recorded: Number(progress.chunksPosted) }, 'an L1 reorg dropped posted chunks: rewinding to re-post them')
      next = rewindProgress(next, rewindTo)
    } else {
      this.log.info({ chunks: recent.length - firstMoved }, 'an L1 reorg moved posted chunks to new blocks; all still on L1')
    }
    await this.save(next)
    return true
  }

  private async isCanonical(record: PostedChunk): Promise<boolean> {
    try {
      const block = await this.client.getBlock({ blockNumber: record.l1BlockNumber })
      return block.hash === record.l1BlockHash
    } catch (error) {
      if (error instanceof BlockNotFoundError) return false
      throw error
    }
  }

  /** Posts the next chunk when there is one (starting a batch when one is due); false when idle. */
  private async postNextChunk(): Promise<boolean> {
    let progress = this.progress!
    if (progress.batch === undefined) {
      const plan = await this.planBatch(progress)
      if (plan === undefined) return false
      progress = { ...progress, batch: plan }
    }
    const position = nextChunkPosition(progress)!
    const plan = progress.batch!
    const data = (await this.planner.chunks(plan))[position.chunkIndex]
    const adopted = this.adopted?.n === position.n ? this.adopted : undefined
    this.adopted = undefined
    const receipt = await this.poster.post(
      { batchIndex: position.batchIndex, chunkIndex: position.chunkIndex, isLast: position.chunkIndex + 1 === plan.chunkCount, data },
      {
        adopted,
        onSigned: async (nonce, txHashes) => {
          progress = { ...progress, inflight: { n: position.n, nonce, txHashes } }
          await this.save(progress)
        },
      },
    )
    const record: PostedChunk = {
      n: position.n,
      plan,
      chunkIndex: position.chunkIndex,
      hash: keccak256(data),
      commitment: this.chunkPostedIn(receipt, position.n).commitment,
      txHash: receipt.transactionHash,
      l1BlockNumber: receipt.blockNumber,
      l1BlockHash: receipt.blockHash,
    }
    const next = progressAfter(progress, record, receipt.blockNumber - BigInt(this.opts.reorgDepth))
    await this.recordBatchIfComplete(record)
    await this.save(next)
    if (next.batch === undefined) this.planner.forget(next.lastPostedBlock)
    this.log.info(
      {
        n: Number(position.n),
        batchIndex: Number(position.batchIndex),
        chunkIndex: position.chunkIndex,
        of: plan.chunkCount,
        blocks: `${plan.fromBlock}..${plan.toBlock}`,
        bytes: data.length,
        txHash: receipt.transactionHash,
        l1Block: Number(receipt.blockNumber),
        gasUsed: Number(receipt.gasUsed),
        effectiveGasPrice: receipt.effectiveGasPrice.toString(),
      },
      'posted chunk',
    )
    return true
  }

  /** The next batch, when sealed blocks wait and the interval has passed or their bytes reach the budget. */
  private async planBatch(progress: BatcherProgress) {
    const head = await this.planner.storedHead(this.modules.chain.head.header.number)
    const from = progress.lastPostedBlock + 1n
    if (head < from) return undefined
    const due = Date.now() - this.lastBatchAt >= this.opts.batchIntervalMs || (await this.planner.pendingBytes(from, head)) >= this.opts.maxBatchBytes
    if (!due) return undefined
    this.lastBatchAt = Date.now()
    const plan = await this.planner.plan(progress.nextBatchIndex, progress.chunksPosted, from, head)
    this.log.info({ batchIndex: Number(plan.batchIndex), blocks: `${plan.fromBlock}..${plan.toBlock}`, chunks: plan.chunkCount }, 'new batch')
    return plan
  }

  private async readInbox(functionName: 'chunkCount'): Promise<bigint> {
    return this.client.readContract({ address: this.opts.inbox, abi: rollbookInboxAbi, functionName })
  }

  private async receipt(hash: Hex): Promise<TransactionReceipt | undefined> {
    try {
      return await this.client.getTransactionReceipt({ hash })
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return undefined
      throw error
    }
  }

  /** Written before the progress that completes the batch: a crash between the two finds the chunk on L1 and writes it again. */
  private async recordBatchIfComplete(chunk: PostedChunk): Promise<void> {
    const batch = batchCompletedBy(chunk)
    if (batch !== undefined) await this.postedBatches.put(batch)
  }

  private async save(progress: BatcherProgress): Promise<void> {
    await this.progressStore.save(progress)
    this.progress = progress
  }
}
