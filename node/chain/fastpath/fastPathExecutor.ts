import type { MerkleStateManager } from '@ethereumjs/statemanager'
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToBigInt, bytesToHex, type Address } from '@ethereumjs/util'
import type { RunTxResult } from '@ethereumjs/vm'
import type { Logger } from 'pino'
import type { EvmLog } from '../types.ts'
import { BET_ENGINE, type FastResult, type PlaceBetFastPath, type PlaceBetPlan } from './placeBet.ts'
import { u256 } from './placeBetRules.ts'

export interface FastPathExecutorOptions {
  /** run the EVM too for every tx the fast path handles, compare, and keep the EVM's result on a mismatch */
  shadowExec: boolean
}

export interface FastPathExecutorModules {
  fastPath: PlaceBetFastPath
  state: MerkleStateManager
  logger: Logger
}

/** Who produced a tx's result: the native path, or the EVM (on the fast path's behalf). */
export type RoutedTx = { kind: 'fast'; result: FastResult } | { kind: 'evm'; result: RunTxResult }

export interface FastPathStats {
  /** bets executed natively */
  fast: number
  /** bets the fast path could run but sent to the EVM to learn their shape's gas */
  learning: number
  /** shapes learned */
  learned: number
  /** the EVM disagreed with the fast path (a bug): the EVM's result was kept */
  mismatches: number
}

/** What a tx left behind, read back from the state: the terms the EVM and the fast path are compared on. */
interface Observation {
  status: 0 | 1
  gasUsed: bigint
  logs: string
  slots: string[]
  sender: string
}

/**
 * Routes a tx through the placeBet fast path when it can take it. A bet of an unknown shape runs in
 * the EVM and teaches the fast path its gas; with `shadowExec`, every fast bet first runs in the EVM
 * inside a checkpoint that is reverted, and a mismatch keeps the EVM's result, so a bug in the fast
 * path is logged and never reaches the chain.
 */
export class FastPathExecutor {
  readonly stats: FastPathStats = { fast: 0, learning: 0, learned: 0, mismatches: 0 }
  private readonly fastPath: PlaceBetFastPath
  private readonly state: MerkleStateManager
  private readonly log: Logger

  constructor(
    private readonly opts: FastPathExecutorOptions,
    modules: FastPathExecutorModules,
  ) {
    this.fastPath = modules.fastPath
    this.state = modules.state
    this.log = modules.logger.child({ module: 'fastpath' })
  }

  /** Undefined when the fast path does not take the tx: the caller runs the EVM as usual. */
  async execute(tx: TypedTransaction, sender: Address, blockContext: { timestamp: bigint }, runEvm: () => Promise<RunTxResult>): Promise<RoutedTx | undefined> {
    const plan = await this.fastPath.plan(this.state, tx, sender, blockContext)
    if (plan === undefined) return undefined
    if (plan.gasUsed === undefined) return this.learnFromEvm(plan, runEvm)
    if (this.opts.shadowExec) return this.shadowed(plan, plan.gasUsed, runEvm)
    await this.fastPath.apply(this.state, plan)
    this.endTx()
    this.stats.fast++
    return { kind: 'fast', result: { gasUsed: plan.gasUsed, logs: plan.logs } }
  }

  private async learnFromEvm(plan: PlaceBetPlan, runEvm: () => Promise<RunTxResult>): Promise<RoutedTx> {
    const result = await runEvm()
    this.stats.learning++
    // the EVM's run is the reference: check the plan's writes, log and nonce against it before trusting its shape
    const evm = evmOutcome(result)
    const differences: string[] = []
    if (evm.status !== 1) differences.push(`status: evm ${evm.status} fast 1`)
    if (logsToString(evm.logs) !== logsToString(plan.logs)) differences.push(`logs: evm ${logsToString(evm.logs)} fast ${logsToString(plan.logs)}`)
    for (const w of plan.effects.writes) {
      const value = bytesToBigInt(await this.state.getStorage(BET_ENGINE, u256(w.slot)))
      if (value !== w.after) differences.push(`slot ${w.slot.toString(16)}: evm ${value.toString(16)} fast ${w.after.toString(16)}`)
    }
    const nonce = (await this.state.getAccount(plan.sender))?.nonce
    if (nonce !== plan.tx.nonce + 1n) differences.push(`sender nonce: evm ${nonce} fast ${plan.tx.nonce + 1n}`)
    if (differences.length > 0) {
      this.reportMismatch(plan, differences)
    } else if (this.fastPath.learn(plan, result.totalGasSpent)) {
      this.stats.learned++
      this.log.info({ shape: plan.shape, gasUsed: Number(result.totalGasSpent) }, 'learned the gas of a placeBet shape')
    }
    return { kind: 'evm', result }
  }

  private async shadowed(plan: PlaceBetPlan, gasUsed: bigint, runEvm: () => Promise<RunTxResult>): Promise<RoutedTx> {
    await this.state.checkpoint()
    let evm: Observation
    try {
      evm = await this.observe(plan, evmOutcome(await runEvm()))
    } finally {
      await this.state.revert()
    }
    await this.state.checkpoint()
    let differences: string[]
    try {
      await this.fastPath.apply(this.state, plan)
      differences = compare(evm, await this.observe(plan, { status: 1, gasUsed, logs: plan.logs }))
    } catch (e) {
      await this.state.revert()
      throw e
    }
    if (differences.length === 0) {
      await this.state.commit()
      this.endTx()
      this.stats.fast++
      return { kind: 'fast', result: { gasUsed, logs: plan.logs } }
    }
    await this.state.revert()
    this.reportMismatch(plan, differences)
    return { kind: 'evm', result: await runEvm() }
  }

  private reportMismatch(plan: PlaceBetPlan, differences: string[]): void {
    this.stats.mismatches++
    this.fastPath.refuse(plan.shape)
    this.log.error({ tx: bytesToHex(plan.tx.hash()), shape: plan.shape, differences }, 'fast path disagrees with the EVM: kept the EVM result, shape disabled')
  }

  /** runTx clears the original-value cache after every tx (EIP-2200 originals are per tx). */
  private endTx(): void {
    this.state.originalStorageCache.clear()
  }

  private async observe(plan: PlaceBetPlan, outcome: { status: 0 | 1; gasUsed: bigint; logs: EvmLog[] }): Promise<Observation> {
    const slots: string[] = []
    const touched = new Set([...plan.effects.reads, ...plan.effects.writes.map((w) => w.slot)])
    for (const slot of touched) {
      const key = u256(slot)
      const value = await this.state.getStorage(BET_ENGINE, key)
      slots.push(`${bytesToHex(key)}=${value.length === 0 ? '0' : BigInt(bytesToHex(value)).toString(16)}`)
    }
    const account = await this.state.getAccount(plan.sender)
    return {
      status: outcome.status,
      gasUsed: outcome.gasUsed,
      logs: logsToString(outcome.logs),
      slots,
      sender: account === undefined ? 'none' : bytesToHex(account.serialize()),
    }
  }
}

function evmOutcome(result: RunTxResult): { status: 0 | 1; gasUsed: bigint; logs: EvmLog[] } {
  return {
    status: result.execResult.exceptionError === undefined ? 1 : 0,
    gasUsed: result.totalGasSpent,
    logs: (result.execResult.logs ?? []) as EvmLog[],
  }
}

function logsToString(logs: EvmLog[]): string {
  return logs.map(([address, topics, data]) => [bytesToHex(address), ...topics.map((t) => bytesToHex(t)), bytesToHex(data)].join(',')).join(';')
}

function compare(evm: Observation, fast: Observation): string[] {
  const differences: string[] = []
  if (evm.status !== fast.status) differences.push(`status: evm ${evm.status} fast ${fast.status}`)
  if (evm.gasUsed !== fast.gasUsed) differences.push(`gasUsed: evm ${evm.gasUsed} fast ${fast.gasUsed}`)
  if (evm.logs !== fast.logs) differences.push(`logs: evm ${evm.logs} fast ${fast.logs}`)
  if (evm.sender !== fast.sender) differences.push(`sender account: evm ${evm.sender} fast ${fast.sender}`)
  for (let i = 0; i < evm.slots.length; i++) {
    if (evm.slots[i] !== fast.slots[i]) differences.push(`slot: evm ${evm.slots[i]} fast ${fast.slots[i]}`)
  }
  return differences
}
