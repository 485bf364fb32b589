import { bytesToHex, createPublicClient, http, keccak256, TransactionNotFoundError, type Chain, type Hex, type PublicClient, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Block } from '@ethereumjs/block'
import type { Logger } from 'pino'
import type { ChainStore } from '../../node/storage/chainStore.ts'
import { outputRootsAbi, rollbookInboxAbi } from '../../sdk/src/generated/contracts.ts'
import { computeOutputRoot } from '../../sdk/src/l1/encoding.ts'
import { readBatchChunks, type CommittedChunk } from '../../node/derive/chunkRetrieval.ts'
import { DerivationHaltedError } from '../../node/derive/errors.ts'
import { batchesCompleted, PostedBatchStore, ProgressStore, sleep, type PostedBatch } from '../batcher/index.ts'
import { ProposerCriticalError, proposerErrorAction, ProposerRewindError } from './errors.ts'
import { stepLeaf } from '../../node/trace/stepState.ts'
import { stepStateAfterBlock } from '../../node/trace/steps.ts'
import { InflightProposalStore, type InflightProposal } from './inflight.ts'
import { parseProposerOptions, type ProposerOptions, type ProposerOptionsInput } from './options.ts'
import { ProposalSender, type AdoptedProposal } from './proposalSender.ts'

/**
 * The trace of a batch (docs/decisions/0006): every leaf (32-byte hex), leaf 0 the state before its
 * first record, and the last leaf's preimage (288 bytes), from its blocks and the chunk bytes that
 * carry them on L1.
 */
/** The batch's trace leaves from its chunks (with the L1 block time of each, which derivation's drift rule reads). */
export type BatchTraceFn = (batch: PostedBatch, chunks: Uint8Array[], l1Timestamps: bigint[]) => Promise<{ leaves: Hex[]; lastLeaf: Hex }>

export interface ProposerModules {
  /** the sequencer's chain store: sealed L2 blocks, and the batcher's records of posted batches */
  store: Pick<ChainStore, 'getBlockByNumber' | 'getMeta' | 'putMeta'>
  logger: Logger
  /** the commitment worker's (wired in rollbookNode.ts): OutputRoots takes no output without its trace */
  batchTrace: BatchTraceFn
}

export type ProposerState = 'idle' | 'running' | 'stopped' | 'failed'

/**
 * Proposes, for every batch the batcher has fully posted to the L1 inbox, the output root of its
 * last L2 block to OutputRoots, with a bond and the batch's trace leaves, in batch order. L1 is the
 * only record of what is proposed: each round reads outputCount() and proposes that batch once the
 * inbox has closed it `l1Confirmations` deep; the trace comes from the batch's chunk bytes read back
 * from L1 (the leaves are positions in those chunks). So a restart, a duplicate (reverts WrongBatchIndex: already
 * proposed) or an L1 reorg that drops outputs (the count goes down: proposed again) need no
 * bookkeeping. Errors never leave the loop: temporary ones are retried with backoff, and what cannot
 * be fixed stops the proposer (not the node) with a log.
 */
export class Proposer {
  readonly opts: ProposerOptions
  private readonly log: Logger
  private readonly client: PublicClient<Transport, Chain | undefined>
  private readonly sender: ProposalSender
  private readonly postedBatches: PostedBatchStore
  private readonly batcherProgress: ProgressStore
  private readonly inflightStore: InflightProposalStore
  private readonly batchTrace: BatchTraceFn
  private readonly abort = new AbortController()
  private inflight: InflightProposal | undefined
  private minBond: bigint | undefined
  private outputs: bigint | undefined
  /** the output count whose latest output was checked against this chain */
  private checkedCount: bigint | undefined
  /** output roots this proposer sent in this run, by batch: its own (a test-only lie included) is never a rival's */
  private readonly ownOutputs = new Map<bigint, Hex>()
  private loop: Promise<void> | undefined
  private stateValue: ProposerState = 'idle'
  private failure: Error | undefined

  constructor(
    opts: ProposerOptionsInput,
    private readonly modules: ProposerModules,
  ) {
    this.opts = parseProposerOptions(opts)
    this.log = modules.logger.child({ module: 'proposer' })
    this.client = createPublicClient({ transport: http(this.opts.l1RpcUrl, { retryCount: 0 }), pollingInterval: this.opts.pollIntervalMs })
    this.postedBatches = new PostedBatchStore(modules.store)
    this.batcherProgress = new ProgressStore(modules.store)
    this.inflightStore = new InflightProposalStore(modules.store)
    this.batchTrace = modules.batchTrace
    this.sender = new ProposalSender(
      { outputRoots: this.opts.outputRoots, l1ChainId: this.opts.l1ChainId ?? 0, pollIntervalMs: this.opts.pollIntervalMs, resubmitAfterMs: this.opts.resubmitAfterMs },
      { client: this.client, account: privateKeyToAccount(this.opts.privateKey), log: this.log, signal: this.abort.signal },
    )
  }

  get state(): ProposerState {
    return this.stateValue
  }

  /** Why the proposer stopped on its own (state 'failed'). */
  get error(): Error | undefined {
    return this.failure
  }

  /** OutputRoots' outputCount() as last read (undefined before the first read): the next batch to propose. */
  get outputCount(): bigint | undefined {
    return this.outputs
  }

  /** The bond sent with each output: configured, or the contract's minBond once read at start. */
  get bond(): bigint | undefined {
    return this.opts.bond ?? this.minBond
  }

  /** Starts the loop; L1 being down does not fail it (the loop retries). */
  async start(): Promise<void> {
    if (this.loop !== undefined) return
    this.inflight = await this.inflightStore.load()
    this.stateValue = 'running'
    this.log.info({ outputRoots: this.opts.outputRoots, from: this.sender.address, l1Confirmations: this.opts.l1Confirmations }, 'proposer starting')
    this.loop = this.run()
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('proposer stopped'))
    await this.loop
    if (this.stateValue === 'running') this.stateValue = 'stopped'
    this.log.info({ outputCount: this.outputs === undefined ? undefined : Number(this.outputs) }, 'proposer stopped')
  }

  private async run(): Promise<void> {
    let initialized = false
    let backoffMs = this.opts.retryMinMs
    while (!this.abort.signal.aborted) {
      try {
        if (!initialized) {
          await this.checkL1()
          initialized = true
        }
        const proposed = await this.proposeNext()
        backoffMs = this.opts.retryMinMs
        if (!proposed) await sleep(this.opts.pollIntervalMs, this.abort.signal)
      } catch (error) {
        if (this.abort.signal.aborted) break
        const err = error as Error & { shortMessage?: string }
        const action = proposerErrorAction(error)
        if (action === 'stop') {
          this.failure = err
          this.stateValue = 'failed'
          this.log.error({ err, reason: err.shortMessage ?? err.message }, 'proposer stopped: it cannot propose until this is fixed')
          return
        }
        let waitMs = this.opts.retryMinMs
        if (action === 'rewind') {
          this.log.warn({ reason: err.shortMessage ?? err.message }, 'L1 outputs are not where the proposer thought: reading them again')
        } else {
          waitMs = backoffMs
          backoffMs = Math.min(backoffMs * 2, this.opts.retryMaxMs)
          this.log.warn({ err: err.message, retryInMs: waitMs }, 'temporary L1 error: retrying')
        }
        try {
          await sleep(waitMs, this.abort.signal)
        } catch {
          break
        }
      }
    }
  }

  /** The RPC's chain is the configured L1, OutputRoots takes outputs from this key, the key is not the batcher's, and the bond is enough. */
  private async checkL1(): Promise<void> {
    const chainId = await this.client.getChainId()
    if (this.opts.l1ChainId !== undefined && chainId !== this.opts.l1ChainId) {
      throw new ProposerCriticalError(`the L1 RPC serves chain ${chainId}, the rollup config says ${this.opts.l1ChainId}`)
    }
    this.sender.setChainId(chainId)
    const me = this.sender.address.toLowerCase()
    const proposer = await this.client.readContract({ address: this.opts.outputRoots, abi: outputRootsAbi, functionName: 'proposer' })
    if (proposer.toLowerCase() !== me) {
      throw new ProposerCriticalError(`OutputRoots ${this.opts.outputRoots} takes outputs from ${proposer}, not from the proposer key's ${this.sender.address}`)
    }
    const sequencer = await this.client.readContract({ address: this.opts.inbox, abi: rollbookInboxAbi, functionName: 'sequencer' })
    if (sequencer.toLowerCase() === me) {
      throw new ProposerCriticalError(
        `the proposer key's ${this.sender.address} is also the inbox's sequencer (the batcher key): the two would share one L1 nonce; deploy OutputRoots with a proposer account of its own`,
      )
    }
    const minBond = await this.client.readContract({ address: this.opts.outputRoots, abi: outputRootsAbi, functionName: 'minBond' })
    if (this.opts.bond !== undefined && this.opts.bond < minBond) throw new ProposerCriticalError(`the configured bond ${this.opts.bond} wei is below OutputRoots' minBond ${minBond}`)
    this.minBond = minBond
  }

  /** Proposes the output of batch outputCount() when that batch is posted and deep enough; false when there is nothing to do. */
  private async proposeNext(): Promise<boolean> {
    const count = await this.client.readContract({ address: this.opts.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
    if (this.outputs !== undefined && count < this.outputs) {
      this.log.warn({ outputCount: Number(count), was: Number(this.outputs) }, 'L1 holds fewer outputs than before (L1 reorg or deleted by a fraud proof): proposing them again')
    }
    this.outputs = count
    await this.checkLatestOutput(count)
    const batch = await this.postedBatch(count)
    if (batch === undefined) return false
    const chunks = await this.confirmedChunks(batch)
    if (chunks === undefined) return false
    const block = await this.modules.store.getBlockByNumber(batch.toBlock)
    if (block === undefined) throw new ProposerCriticalError(`L2 block ${batch.toBlock}, the last of batch ${batch.batchIndex}, is missing from the chain store`)
    const blockHash = bytesToHex(block.hash())
    await this.checkFirstLeaf(batch)
    const { leaves, lastLeaf } = await this.batchTrace(
      batch,
      chunks.map((c) => c.data),
      chunks.map((c) => c.l1Timestamp),
    )
    // the trace's last state root (OutputRoots holds the output to it); the commitment worker stops
    // at any block it cannot re-execute to the sealed root, so only the test-only lies differ here
    const stateRoot = lastLeaf.slice(0, 66) as Hex
    if (stateRoot !== bytesToHex(block.header.stateRoot)) this.log.error({ batchIndex: Number(batch.batchIndex), trace: stateRoot, block: bytesToHex(block.header.stateRoot) }, "the trace's state root is not the block's")
    const bond = this.bond!
    const receipt = await this.sender.send(
      { batchIndex: batch.batchIndex, stateRoot, blockHash, l2BlockNumber: batch.toBlock, lastLeaf, leaves, bond },
      {
        adopted: await this.adoptable(batch.batchIndex),
        onSigned: async (nonce, txHashes) => {
          this.inflight = { batchIndex: batch.batchIndex, nonce, txHashes }
          await this.inflightStore.save(this.inflight)
        },
      },
    )
    if (receipt.status !== 'success') {
      throw new ProposerRewindError(`proposal tx ${receipt.transactionHash} (batch ${batch.batchIndex}) reverted in L1 block ${receipt.blockNumber}`)
    }
    this.outputs = count + 1n
    this.ownOutputs.set(batch.batchIndex, computeOutputRoot(stateRoot, blockHash))
    this.log.info(
      {
        batchIndex: Number(batch.batchIndex),
        l2Block: Number(batch.toBlock),
        blocks: `${batch.fromBlock}..${batch.toBlock}`,
        outputRoot: computeOutputRoot(stateRoot, blockHash),
        leaves: leaves.length,
        chunks: chunks.length,
        bond: bond.toString(),
        txHash: receipt.transactionHash,
        l1Block: Number(receipt.blockNumber),
        gasUsed: Number(receipt.gasUsed),
        effectiveGasPrice: receipt.effectiveGasPrice.toString(),
      },
      'proposed output',
    )
    return true
  }

  /**
   * Batch b's trace starts where this chain's batch b - 1 ended (stepStateAfterBlock of its last
   * block, decision 0006); OutputRoots holds b's first leaf to the end of output b - 1. When they
   * differ, output b - 1 on L1 is not this chain's and is about to be proven wrong (or an L1 reorg
   * is replacing it): wait for L1 rather than trace and send a proposal bound to fail.
   */
  private async checkFirstLeaf(batch: PostedBatch): Promise<void> {
    if (batch.batchIndex === 0n) return
    const onL1 = await this.client.readContract({ address: this.opts.outputRoots, abi: outputRootsAbi, functionName: 'expectedFirstLeaf', args: [batch.batchIndex] })
    const previous = await this.modules.store.getBlockByNumber(batch.fromBlock - 1n)
    if (previous === undefined) throw new ProposerCriticalError(`L2 block ${batch.fromBlock - 1n}, the last of batch ${batch.batchIndex - 1n}, is missing from the chain store`)
    const ours = bytesToHex(stepLeaf(stepStateAfterBlock({ stateRoot: previous.header.stateRoot, timestamp: previous.header.timestamp })))
    if (onL1 !== ours) throw new ProposerRewindError(`output ${batch.batchIndex - 1n} on L1 does not end where this chain's batch ${batch.batchIndex} starts: waiting for it to be proven wrong`)
  }

  /**
   * The newest output on L1 must be this chain's: after a restart, a duplicate or a reorg, what L1
   * kept is checked once per count. A different root means another writer with this key, or a
   * batch re-planned after its output was proposed; neither is fixed by proposing more.
   */
  private async checkLatestOutput(count: bigint): Promise<void> {
    if (count === 0n || count === this.checkedCount) return
    const index = count - 1n
    const output = await this.client.readContract({ address: this.opts.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [index] })
    const batch = await this.postedBatches.get(index)
    if (batch === undefined) throw new ProposerCriticalError(`OutputRoots holds output ${index}, but the batcher has no record of posting batch ${index}`)
    const block = await this.modules.store.getBlockByNumber(batch.toBlock)
    const expected = block === undefined ? undefined : outputRootOf(block)
    const own = this.ownOutputs.get(index) === output.outputRoot
    if ((output.outputRoot !== expected && !own) || output.l2BlockNumber !== batch.toBlock) {
      throw new ProposerCriticalError(
        `output ${index} on L1 is ${output.outputRoot} at L2 block ${output.l2BlockNumber}; this chain's batch ${index} ends at L2 block ${batch.toBlock} with output root ${expected ?? '(block missing)'}`,
      )
    }
    this.checkedCount = count
  }

  /**
   * The batcher's record of batch `index`, once its persisted progress counts the batch wholly
   * posted: that progress is rewound by an L1 reorg, and the record is rewritten before it moves on,
   * so the record of a batch dropped and re-planned is not read meanwhile.
   */
  private async postedBatch(index: bigint): Promise<PostedBatch | undefined> {
    if (index >= batchesCompleted(await this.batcherProgress.load())) return undefined
    const batch = await this.postedBatches.get(index)
    if (batch === undefined) throw new ProposerCriticalError(`the batcher has posted batch ${index} but kept no record of its blocks (posted before the proposer existed?)`)
    return batch
  }

  /**
   * The batch's chunk bytes, once the inbox has closed the batch `l1Confirmations` blocks deep with
   * the last chunk the batcher recorded: read from the inbox as of that block, so a chunk an L1
   * reorg dropped (before the batcher notices and rewinds) is not proposed on.
   */
  private async confirmedChunks(batch: PostedBatch): Promise<{ data: Uint8Array; l1Timestamp: bigint }[] | undefined> {
    const head = await this.client.getBlockNumber({ cacheTime: 0 })
    const blockNumber = head - BigInt(this.opts.l1Confirmations)
    if (blockNumber < 0n) return undefined
    const closed = await this.client.readContract({ address: this.opts.inbox, abi: rollbookInboxAbi, functionName: 'batchClosed', args: [batch.batchIndex], blockNumber })
    if (!closed) return undefined
    let chunks: CommittedChunk[]
    try {
      chunks = await readBatchChunks(this.client as PublicClient, this.opts.inbox, batch.batchIndex, { fromBlock: BigInt(this.opts.l1StartBlock), blockNumber })
    } catch (error) {
      // chunk bytes that are not where their event says cannot be traced, now or later
      if (error instanceof DerivationHaltedError) throw new ProposerCriticalError(`batch ${batch.batchIndex}: ${error.message}`, { cause: error })
      throw error
    }
    const last = chunks.at(-1)!
    if (last.n !== batch.lastChunk || keccak256(last.data) !== batch.lastChunkHash) {
      this.log.debug({ batchIndex: Number(batch.batchIndex), inbox: { n: Number(last.n), hash: last.dataHash }, recorded: { n: Number(batch.lastChunk), hash: batch.lastChunkHash } }, 'the inbox closed the batch with another chunk than the batch record: waiting for the batcher')
      return undefined
    }
    return chunks.map((c) => ({ data: c.data, l1Timestamp: c.l1Timestamp }))
  }

  /** The proposal tx already sent for this batch, when a version of it is still in the L1 pool (sent before a restart, or put back by a reorg). */
  private async adoptable(batchIndex: bigint): Promise<AdoptedProposal | undefined> {
    const inflight = this.inflight
    if (inflight === undefined || inflight.batchIndex !== batchIndex) return undefined
    let fees: AdoptedProposal['fees'] | undefined
    for (const hash of inflight.txHashes) {
      try {
        const tx = await this.client.getTransaction({ hash })
        if (tx.blockNumber !== null || tx.maxFeePerGas === undefined || tx.maxPriorityFeePerGas === undefined) continue
        if (fees === undefined || tx.maxFeePerGas > fees.maxFeePerGas) fees = { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas }
      } catch (error) {
        if (!(error instanceof TransactionNotFoundError)) throw error
      }
    }
    if (fees === undefined) return undefined
    this.log.info({ batchIndex: Number(batchIndex), nonce: inflight.nonce, txHashes: inflight.txHashes }, 'adopting the proposal tx still pending in the L1 pool')
    return { nonce: inflight.nonce, txHashes: inflight.txHashes, fees }
  }
}

/** The output root of an L2 block: keccak256(abi.encode(0, stateRoot, blockHash)), as OutputRoots and the bridge define it. */
function outputRootOf(block: Block): Hex {
  return computeOutputRoot(bytesToHex(block.header.stateRoot), bytesToHex(block.hash()))
}
