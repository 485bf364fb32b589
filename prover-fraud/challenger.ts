import { bytesToHex } from '@ethereumjs/util'
import type { Logger } from 'pino'
import type { Address, Hex, PublicClient } from 'viem'
import type { L2Chain } from '../node/chain/chain.ts'
import { outputRootsAbi } from '../sdk/src/generated/contracts.ts'
import { computeOutputRoot } from '../sdk/src/l1/encoding.ts'

/** What the challenger concluded about one output on L1. */
export interface OutputVerdict {
  index: bigint
  l2BlockNumber: bigint
  posted: Hex
  /** the output root of the derived chain at that L2 block */
  derived: Hex
  ok: boolean
}

export interface ChallengerOptions {
  outputRoots: Address
  pollMs: number
}

export interface ChallengerModules {
  client: PublicClient
  /** the chain derived from L1 (a replica's: read it again each time, a rewind replaces it) */
  chain: () => L2Chain
  logger: Logger
  /** each verdict, as soon as it is reached */
  onVerdict?: (verdict: OutputVerdict) => void
}

/**
 * Challenger mode, first stage (issue 4): follows the proposer's outputs on L1 and checks each
 * against the chain this node derived from L1 alone. An output is checked once the derived chain
 * has reached its L2 block; a mismatch is logged as an error with both roots. Outputs deleted on
 * L1 (a proven fraud, or a reorg) are checked again when re-posted. Building and sending the fraud
 * proof is the next stage (docs/decisions/0005).
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

  /** One pass: checks every output the derived chain can check. Returns how many were checked. */
  async poll(): Promise<number> {
    const { client } = this.modules
    const count = await client.readContract({ address: this.opts.outputRoots, abi: outputRootsAbi, functionName: 'outputCount' })
    if (count < this.checked) {
      this.log.warn({ from: Number(count), was: Number(this.checked) }, 'outputs were deleted on L1: checking the re-posted ones again')
      for (const index of [...this.verdictsByIndex.keys()]) if (index >= count) this.verdictsByIndex.delete(index)
      this.checked = count
    }
    let done = 0
    while (this.checked < count) {
      const output = await client.readContract({ address: this.opts.outputRoots, abi: outputRootsAbi, functionName: 'getOutput', args: [this.checked] })
      const chain = this.modules.chain()
      if (chain.head.header.number < output.l2BlockNumber) break
      const block = await chain.store.getBlockByNumber(output.l2BlockNumber)
      if (block === undefined) break
      const derived = computeOutputRoot(bytesToHex(block.header.stateRoot) as Hex, bytesToHex(block.hash()) as Hex)
      const verdict: OutputVerdict = { index: this.checked, l2BlockNumber: output.l2BlockNumber, posted: output.outputRoot, derived, ok: derived === output.outputRoot }
      this.verdictsByIndex.set(verdict.index, verdict)
      if (verdict.ok) this.log.info({ output: Number(verdict.index), l2Block: Number(verdict.l2BlockNumber) }, 'output root agrees with the derived chain')
      else this.log.error({ output: Number(verdict.index), l2Block: Number(verdict.l2BlockNumber), posted: verdict.posted, derived }, 'WRONG output root on L1: it differs from the chain derived from L1')
      this.modules.onVerdict?.(verdict)
      this.checked++
      done++
    }
    return done
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.poll()
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'reading outputs from L1 failed: retrying')
      }
      if (!this.running) return
      await new Promise<void>((resolve) => {
        this.wake = resolve
        this.timer = setTimeout(resolve, this.opts.pollMs)
      })
    }
  }
}
