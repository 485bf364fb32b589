import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { Capability, TransactionType, getCalldataFloorGas, type TypedTransaction } from '@ethereumjs/tx'
import { Account, Address, KECCAK256_NULL, bigIntToBytes, bytesToBigInt, equalsBytes, hexToBytes } from '@ethereumjs/util'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../../../sdk/src/constants.ts'
import type { EvmLog } from '../types.ts'
import { decodePlaceBetCalldata, placeBetEffects, u256, type PlaceBetEffects, type SlotWrite } from './placeBetRules.ts'

export const BET_ENGINE = new Address(hexToBytes(BET_ENGINE_ADDRESS))

/** What a placeBet executed natively produced: what the EVM's runTx would report for it. */
export interface FastResult {
  gasUsed: bigint
  logs: EvmLog[]
}

/** Gas rules of the hardfork, read from the VM's Common (EIP-3529 values under Prague). */
export interface FastPathGasParams {
  /** refund for an SSTORE that clears a slot that was nonzero at the start of the tx */
  sstoreClearRefund: bigint
  /** the refund is at most gasUsed / this */
  maxRefundQuotient: bigint
}

/** Everything a successful placeBet does, computed from the state but not yet written. */
export interface PlaceBetPlan {
  tx: TypedTransaction
  sender: Address
  effects: PlaceBetEffects
  logs: EvmLog[]
  /** the gas-relevant facts of this bet; bets of one shape run the same opcodes and SSTORE cases */
  shape: string
  intrinsicGas: bigint
  floorGas: bigint
  refund: bigint
  /** runTx's totalGasSpent, when the shape's execution gas has been learned from the EVM */
  gasUsed: bigint | undefined
}

/** The start-of-tx value, the value written: EIP-2200 cases (each slot is written once per bet). */
function sstoreCase(w: SlotWrite): string {
  if (w.after === w.before) return 'n'
  if (w.before === 0n) return 's'
  return w.after === 0n ? 'c' : 'r'
}

function shapeOf(effects: PlaceBetEffects): string {
  const b = effects.branch
  return `${b.bettorIsHouse ? 'H' : 'h'}${b.houseWritten ? 'W' : 'w'}${b.betIdCounterUnset ? 'U' : 'u'}:${effects.writes.map(sstoreCase).join('')}`
}

function storageValue(value: bigint): Uint8Array {
  // as the EVM's SSTORE hands it to putStorage: shortest big-endian bytes, empty for zero
  return value === 0n ? new Uint8Array() : bigIntToBytes(value)
}

function zeroFeeCall(tx: TypedTransaction): boolean {
  if (tx.type !== TransactionType.Legacy && tx.type !== TransactionType.AccessListEIP2930 && tx.type !== TransactionType.FeeMarketEIP1559) return false
  if (tx.to === undefined || !equalsBytes(tx.to.bytes, BET_ENGINE.bytes)) return false
  if (tx.value !== 0n || tx.gasLimit !== TX_GAS_LIMIT) return false
  if (tx.supports(Capability.EIP2930AccessLists) && (tx as { accessList: unknown[] }).accessList.length !== 0) return false
  if ('maxFeePerGas' in tx) return tx.maxFeePerGas === 0n && tx.maxPriorityFeePerGas === 0n
  return (tx as { gasPrice: bigint }).gasPrice === 0n
}

/**
 * Executes the success path of `placeBet` natively: the same storage writes, sender nonce, gas and
 * log as runTx in the EVM. Anything else (another function, a bet that would revert, fees, access
 * lists, a sender with code) is declined with `undefined`, and the caller runs the EVM.
 *
 * Gas: a bet's execution gas is a constant per shape (bytecode branch taken and the EIP-2200 case of
 * each SSTORE; every slot is touched once, so cold/warm access is fixed per branch). The first bet of
 * a shape is declined and its gas learned from the EVM's run (`learn`); intrinsic gas, the refund
 * cap and the EIP-7623 floor are recomputed per tx. The table only decides which bets skip the EVM,
 * never a result.
 */
export class PlaceBetFastPath {
  private readonly executionGasByShape = new Map<string, bigint>()
  private readonly refusedShapes = new Set<string>()

  constructor(private readonly gas: FastPathGasParams) {}

  get learnedShapes(): number {
    return this.executionGasByShape.size
  }

  /** The bet's effects and gas, or undefined when the EVM must run it. Reads state, writes nothing. */
  async plan(state: MerkleStateManager, tx: TypedTransaction, sender: Address, blockContext: { timestamp: bigint }): Promise<PlaceBetPlan | undefined> {
    if (!zeroFeeCall(tx)) return undefined
    const args = decodePlaceBetCalldata(tx.data)
    if (args === undefined) return undefined
    const account = await state.getAccount(sender)
    if ((account?.nonce ?? 0n) !== tx.nonce) return undefined
    if (account !== undefined && !equalsBytes(account.codeHash, KECCAK256_NULL)) return undefined
    const load = async (slot: bigint) => bytesToBigInt(await state.getStorage(BET_ENGINE, u256(slot)))
    const effects = await placeBetEffects(args, bytesToBigInt(sender.bytes), blockContext.timestamp, load)
    if (effects === undefined) return undefined
    const shape = shapeOf(effects)
    const clears = effects.writes.filter((w) => w.before !== 0n && w.after === 0n).length
    const plan: PlaceBetPlan = {
      tx,
      sender,
      effects,
      logs: [[BET_ENGINE.bytes, effects.topics, effects.data]],
      shape,
      intrinsicGas: tx.getIntrinsicGas(),
      floorGas: getCalldataFloorGas(tx, sender),
      refund: BigInt(clears) * this.gas.sstoreClearRefund,
      gasUsed: undefined,
    }
    const execution = this.refusedShapes.has(shape) ? undefined : this.executionGasByShape.get(shape)
    if (execution !== undefined) plan.gasUsed = this.totalGas(plan, execution)
    return plan
  }

  /** Writes a plan's storage and bumps the sender's nonce, into the state's current checkpoint. */
  async apply(state: MerkleStateManager, plan: PlaceBetPlan): Promise<void> {
    for (const w of plan.effects.writes) await state.putStorage(BET_ENGINE, u256(w.slot), storageValue(w.after))
    // runTx creates a missing sender as an empty account before it bumps the nonce; fees are zero
    const account = (await state.getAccount(plan.sender)) ?? new Account()
    account.nonce += 1n
    await state.putAccount(plan.sender, account)
  }

  /** Applies the bet natively when its shape is known; undefined means the EVM must run it. */
  async tryApply(state: MerkleStateManager, tx: TypedTransaction, sender: Address, blockContext: { timestamp: bigint }): Promise<FastResult | undefined> {
    const plan = await this.plan(state, tx, sender, blockContext)
    if (plan?.gasUsed === undefined) return undefined
    await this.apply(state, plan)
    return { gasUsed: plan.gasUsed, logs: plan.logs }
  }

  /**
   * Records the execution gas of the plan's shape from the EVM's `totalGasSpent` for the same tx.
   * Returns false (and never uses the shape) when the gas cannot be recovered exactly.
   */
  learn(plan: PlaceBetPlan, totalGasSpent: bigint): boolean {
    if (this.refusedShapes.has(plan.shape) || this.executionGasByShape.has(plan.shape)) return false
    // totalGasSpent = max(T - min(refund, T / q), floor) with T = intrinsic + execution; invert it
    // only where it is one-to-one: above the floor and with the refund under its cap
    const gross = totalGasSpent + plan.refund
    if (totalGasSpent <= plan.floorGas || plan.refund > gross / this.gas.maxRefundQuotient || gross < plan.intrinsicGas) return false
    const execution = gross - plan.intrinsicGas
    if (this.totalGas(plan, execution) !== totalGasSpent) return false
    this.executionGasByShape.set(plan.shape, execution)
    return true
  }

  /** Never handles this shape again (the EVM disagreed with it once). */
  refuse(shape: string): void {
    this.refusedShapes.add(shape)
    this.executionGasByShape.delete(shape)
  }

  private totalGas(plan: PlaceBetPlan, execution: bigint): bigint {
    const gross = plan.intrinsicGas + execution
    const cap = gross / this.gas.maxRefundQuotient
    const spent = gross - (plan.refund < cap ? plan.refund : cap)
    return spent < plan.floorGas ? plan.floorGas : spent
  }
}
