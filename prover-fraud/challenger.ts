import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Logger } from 'pino'
import { BaseError, ContractFunctionRevertedError, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from 'viem'
import type { L2Chain } from '../node/chain/chain.ts'
import { merkleRoot, TraceMismatchError, type CommitmentWorker } from '../node/trace/index.ts'
import { fraudVerifierAbi, outputRootsAbi } from '../sdk/src/generated/contracts.ts'
import { computeOutputRoot } from '../sdk/src/l1/encoding.ts'
import { readBatchChunks, type CommittedChunk } from '../node/derive/chunkRetrieval.ts'
import { readProposal } from './l1Data.ts'
import { buildStepProof, queueMessagesNamedBy } from './stepProof.ts'

/** What the challenger concluded about one output on L1. */
export interface OutputVerdict {
  index: bigint
  l2BlockNumber: bigint
  posted: Hex
  /** the output root of the derived chain at that L2 block */
  derived: Hex
  /** the output root and (when traced) every leaf of the trace agree with the derived chain */
  ok: boolean
  /** the first wrong step (from leaf step to step + 1), when the trace was judged wrong */
  wrongStep?: number
  /** the proveStep tx that deleted the output, when one was sent and mined */
  proofTx?: Hex
  /** why a wrong output could not be proven */
  unprovable?: string
}

export interface ChallengerOptions {
  outputRoots: Address
  inbox: Address
  messageQueue: Address
  /** the L1 block the rollup's contracts were deployed in: events are read from there */
  startBlock: bigint
  /** the fraud verifier; without it (or a wallet) the challenger only judges */
  fraudVerifier?: Address
  pollMs: number
}

export interface ChallengerModules {
  client: PublicClient
  /** the chain derived from L1 (a replica's: read it again each time, a rewind replaces it) */
  chain: () => L2Chain
  /** a commitment worker on the derived chain: without it only output roots are judged */
  trace?: CommitmentWorker
  /** the challenger's L1 account, which sends proofs and earns the reward */
  wallet?: WalletClient<Transport, Chain, Account>
  logger: Logger
  /** each verdict, as soon as it is reached */
  onVerdict?: (verdict: OutputVerdict) => void
}

/**
 * Challenger mode (issue 4, docs/decisions/0006): follows the proposer's outputs on L1 and judges
 * each against the chain this node derived from L1 alone: the output root at its L2 block and,
 * with a commitment worker, every leaf of the posted trace against the node's own trace of the
 * batch's chunks. At the first wrong leaf it builds the single-step proof (the agreed leaf before
 * it, the chunks, the queue message, the MPT witness) and sends FraudVerifier.proveStep, which
 * deletes the output and every later one. Outputs deleted on L1 are judged again when re-posted.
 */
export class Challenger {
  private readonly log: Logger
  private checked = 0n
  private readonly verdictsByIndex = new Map<bigint, OutputVerdict>()
  private running = false
  private loopDone: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  private wake: (() => void) | undefined

  constructor(
    private readonly opts: ChallengerOptions,
    private readonly modules: ChallengerModules,
  ) {
    this.log = modules.logger.child({ module: 'challenger' })
  }

  /** The verdicts whose proof deleted the output, in order. */
  readonly proven: OutputVerdict[] = []

  /** Every verdict so far, by output index (a re-posted output replaces the old verdict). */
  get verdicts(): OutputVerdict[] {
    return [...this.verdictsByIndex.values()].sort((a, b) => (a.index < b.index ? -1 : 1))
  }

  start(): void {
    if (this.running) return
    this.running = true
    this.loopDone = this.loop()
  }

  async stop(): Promise<void> {
    this.running = false
    clearTimeout(this.timer)
    this.wake?.()
    await this.loopDone
  }

  /** One pass: judges every output the derived chain (and its trace) can judge. Returns how many were judged. */
  async poll(): Promise<number> {
    const { client } = this.modules
    const count = await client.readContract({ address: this.opts.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
    if (count < this.checked) {
      this.log.warn({ from: Number(count), was: Number(this.checked) }, 'outputs were deleted on L1: judging the re-posted ones again')
      for (const index of [...this.verdictsByIndex.keys()]) if (index >= count) this.verdictsByIndex.delete(index)
      this.checked = count
    }
    let done = 0
    while (this.checked < count) {
      const output = await client.readContract({ address: this.opts.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [this.checked] })
      const chain = this.modules.chain()
      if (chain.head.header.number < output.l2BlockNumber) break
      if (this.modules.trace !== undefined && this.modules.trace.tracedHead < output.l2BlockNumber) break
      const block = await chain.store.getBlockByNumber(output.l2BlockNumber)
      if (block === undefined) break
      const derived = computeOutputRoot(bytesToHex(block.header.stateRoot) as Hex, bytesToHex(block.hash()) as Hex)
      const verdict: OutputVerdict = { index: this.checked, l2BlockNumber: output.l2BlockNumber, posted: output.outputRoot, derived, ok: derived === output.outputRoot }
      if (this.modules.trace !== undefined) await this.judgeTrace(verdict, output.traceRoot)
      this.verdictsByIndex.set(verdict.index, verdict)
      const fields = { output: Number(verdict.index), l2Block: Number(verdict.l2BlockNumber) }
      if (verdict.ok) this.log.info(fields, 'output agrees with the derived chain')
      else this.log.error({ ...fields, posted: verdict.posted, derived, wrongStep: verdict.wrongStep, proofTx: verdict.proofTx, unprovable: verdict.unprovable }, 'WRONG output on L1: it differs from the chain derived from L1')
      this.modules.onVerdict?.(verdict)
      done++
      if (verdict.proofTx !== undefined) {
        // this output and every later one are gone: judge whatever is posted at this index next
        this.proven.push(verdict)
        break
      }
      this.checked++
    }
    return done
  }

  /** Compares the posted trace with this node's; proves the first wrong step when it can. */
  private async judgeTrace(verdict: OutputVerdict, traceRoot: Hex): Promise<void> {
    const { client } = this.modules
    const trace = this.modules.trace!
    const index = verdict.index
    const rootOf = (leaves: Hex[]) => bytesToHex(merkleRoot(leaves.map((l) => hexToBytes(l)))) as Hex
    const proposal = await readProposal(client, this.opts.outputRoots, index, traceRoot, rootOf, this.opts.startBlock)
    const chunks = await readBatchChunks(client, this.opts.inbox, index, { fromBlock: this.opts.startBlock })
    const fromBlock = index === 0n ? 1n : (await client.readContract({ address: this.opts.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [index - 1n] })).l2BlockNumber + 1n
    const batch = { batchIndex: index, fromBlock, toBlock: verdict.l2BlockNumber }
    let mine: Hex[]
    try {
      mine = (await trace.traceBatch(batch, chunks.map((c) => c.data), chunks.map((c) => c.l1Timestamp))).leaves
    } catch (e) {
      if (!(e instanceof Error) || e.name !== TraceMismatchError.name) throw e
      verdict.ok = false
      verdict.unprovable = `the batch's chunks are not the derived blocks ${fromBlock}..${verdict.l2BlockNumber}: ${e.message}`
      return
    }
    const posted = proposal.leaves
    let first = 0
    while (first < mine.length && first < posted.length && mine[first] === posted[first]) first++
    if (first === mine.length && first === posted.length) return
    verdict.ok = false
    if (first === 0) {
      verdict.unprovable = 'leaf 0 differs, which OutputRoots enforces: the previous output is wrong'
      return
    }
    verdict.wrongStep = first - 1
    this.log.warn({ output: Number(index), step: verdict.wrongStep, postedLeaves: posted.length, ourLeaves: mine.length }, 'the posted trace differs from ours: building the proof of the first wrong step')
    if (this.opts.fraudVerifier === undefined || this.modules.wallet === undefined) {
      verdict.unprovable = 'no fraud verifier or challenger key configured'
      return
    }
    verdict.proofTx = await this.prove(index, verdict.wrongStep, batch, chunks, posted, mine.length)
  }

  private async prove(index: bigint, step: number, batch: { batchIndex: bigint; fromBlock: bigint; toBlock: bigint }, chunks: CommittedChunk[], posted: Hex[], ourLeafCount: number): Promise<Hex> {
    const { client } = this.modules
    const wallet = this.modules.wallet!
    const l1 = { messageQueue: this.opts.messageQueue, startBlock: this.opts.startBlock, chainId: this.modules.chain().genesis.chainId }
    const messages = () => queueMessagesNamedBy(client, l1, chunks.map((c) => c.data))
    const { args } = await buildStepProof(this.modules.trace!, { outputIndex: index, batch, step, chunks, posted, ourLeafCount, messages })
    try {
      const { request } = await client.simulateContract({ account: wallet.account, address: this.opts.fraudVerifier!, abi: fraudVerifierAbi, functionName: 'proveStep', args: [args] })
      const hash = await wallet.writeContract(request)
      const receipt = await client.waitForTransactionReceipt({ hash })
      if (receipt.status !== 'success') throw new Error(`proveStep tx ${hash} reverted`)
      this.log.warn({ output: Number(index), step, tx: hash, l1Block: Number(receipt.blockNumber), gasUsed: Number(receipt.gasUsed) }, 'FRAUD PROVEN: the output and every later one are deleted')
      return hash
    } catch (e) {
      const reason = e instanceof BaseError ? (e.walk((c) => c instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null)?.data?.errorName ?? e.shortMessage : (e as Error).message
      this.log.error({ output: Number(index), step, reason }, 'the fraud proof was not accepted')
      throw new Error(`proveStep of output ${index} step ${step} failed: ${reason}`, { cause: e })
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.poll()
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'judging outputs failed: retrying')
      }
      if (!this.running) return
      await new Promise<void>((resolve) => {
        this.wake = resolve
        this.timer = setTimeout(resolve, this.opts.pollMs)
      })
    }
  }
}
