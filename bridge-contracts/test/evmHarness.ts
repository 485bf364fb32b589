/**
 * A small, real in-memory EVM (@ethereumjs/vm, hardfork prague) with the bet engine predeploy
 * at BET_ENGINE_ADDRESS and its genesis storage from sdk/src/betEngine/layout.ts.
 */
import { createBlock } from '@ethereumjs/block'
import { createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
import { createAddressFromString, bytesToBigInt, hexToBytes } from '@ethereumjs/util'
import { createVM, type VM } from '@ethereumjs/vm'
import type { Common } from '@ethereumjs/common'
import {
  bytesToHex,
  decodeEventLog,
  decodeFunctionResult,
  encodeFunctionData,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type Hex,
} from 'viem'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { genesisStorage, type GenesisStorageParameters } from '../../sdk/src/betEngine/layout.ts'
import { decodeBetEngineError, type BetEngineRevert } from '../../sdk/src/betEngine/errors.ts'
import { betEngineAbi, betEngineDeployedBytecode } from '../../sdk/src/generated/contracts.ts'

type Abi = typeof betEngineAbi
type WriteName = ContractFunctionName<Abi, 'nonpayable'>
type ReadName = ContractFunctionName<Abi, 'view'>

export interface DecodedLog {
  eventName: string
  args: Record<string, unknown>
}

export type CallOutcome =
  | { ok: true; result: unknown; logs: DecodedLog[]; gasUsed: bigint }
  | { ok: false; error: BetEngineRevert | undefined; revertData: Hex; gasUsed: bigint }

const engine = createAddressFromString(BET_ENGINE_ADDRESS)

/** Intrinsic gas of a call transaction carrying `data` (EIP-2028 calldata prices). */
export function intrinsicGas(data: Hex): bigint {
  let gas = 21_000n
  for (const byte of hexToBytes(data)) gas += byte === 0 ? 4n : 16n
  return gas
}

export class BetEngineHarness {
  /** Block timestamp used for every call until changed. */
  time = 1_700_000_000n

  private constructor(
    readonly vm: VM,
    private readonly common: Common,
  ) {}

  static async create(genesis: GenesisStorageParameters): Promise<BetEngineHarness> {
    const common = createCustomCommon({ chainId: 901 }, Mainnet, { hardfork: Hardfork.Prague })
    const vm = await createVM({ common })
    await vm.stateManager.putCode(engine, hexToBytes(betEngineDeployedBytecode))
    for (const [slot, value] of genesisStorage(genesis)) {
      await vm.stateManager.putStorage(engine, hexToBytes(slot), hexToBytes(value))
    }
    return new BetEngineHarness(vm, common)
  }

  /** Raw storage word, as eth_getStorageAt(BET_ENGINE_ADDRESS, slot) would return it. */
  async storageAt(slot: Hex): Promise<bigint> {
    return bytesToBigInt(await this.vm.stateManager.getStorage(engine, hexToBytes(slot)))
  }

  async callRaw(from: Address, data: Hex): Promise<{ ok: boolean; returnData: Hex; logs: DecodedLog[]; gasUsed: bigint }> {
    // Start each call as a fresh transaction would: cold slots, original values re-read (EIP-2929/2200).
    await this.vm.evm.journal.cleanup()
    this.vm.stateManager.originalStorageCache.clear()
    const block = createBlock({ header: { timestamp: this.time, gasLimit: TX_GAS_LIMIT * 10n } }, { common: this.common })
    const { execResult } = await this.vm.evm.runCall({
      caller: createAddressFromString(from),
      to: engine,
      data: hexToBytes(data),
      gasLimit: TX_GAS_LIMIT - intrinsicGas(data),
      block,
    })
    const gasUsed = execResult.executionGasUsed + intrinsicGas(data)
    const returnData = bytesToHex(execResult.returnValue)
    if (execResult.exceptionError) return { ok: false, returnData, logs: [], gasUsed }
    const logs = (execResult.logs ?? []).map(([, topics, logData]) => {
      const decoded = decodeEventLog({
        abi: betEngineAbi,
        topics: topics.map((topic) => bytesToHex(topic)) as [Hex, ...Hex[]],
        data: bytesToHex(logData),
      })
      return { eventName: decoded.eventName, args: decoded.args as Record<string, unknown> }
    })
    return { ok: true, returnData, logs, gasUsed }
  }

  /** Sends a state-changing call from `from`; a revert is an outcome, not an exception. */
  async write<N extends WriteName>(
    from: Address,
    functionName: N,
    args: ContractFunctionArgs<Abi, 'nonpayable', N>,
  ): Promise<CallOutcome> {
    const data = encodeFunctionData({ abi: betEngineAbi, functionName, args } as never) as Hex
    const raw = await this.callRaw(from, data)
    if (!raw.ok) {
      return { ok: false, error: decodeBetEngineError(raw.returnData), revertData: raw.returnData, gasUsed: raw.gasUsed }
    }
    const result = decodeFunctionResult({ abi: betEngineAbi, functionName, data: raw.returnData } as never)
    return { ok: true, result, logs: raw.logs, gasUsed: raw.gasUsed }
  }

  async read<N extends ReadName>(
    functionName: N,
    ...args: ContractFunctionArgs<Abi, 'view', N> extends readonly [] ? [] : [ContractFunctionArgs<Abi, 'view', N>]
  ): Promise<ContractFunctionReturnType<Abi, 'view', N>> {
    const data = encodeFunctionData({ abi: betEngineAbi, functionName, args: args[0] } as never) as Hex
    await this.vm.stateManager.checkpoint()
    try {
      const raw = await this.callRaw('0x000000000000000000000000000000000000dEaD', data)
      if (!raw.ok) throw new Error(`view ${functionName} reverted: ${raw.returnData}`)
      return decodeFunctionResult({ abi: betEngineAbi, functionName, data: raw.returnData } as never) as never
    } finally {
      await this.vm.stateManager.revert()
    }
  }
}
