/**
 * The operator API (issue 5, docs/operator-api.md): market management as `rollbook_*` methods. Each
 * write is one bet engine call signed with the operator key the node holds, answered once it is
 * preconfirmed; every method, the read included, needs the API key. Registered only on a sequencer
 * with an operator key; elsewhere they do not exist (-32601).
 */
import { bytesToBigInt, bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Logger } from 'pino'
import {
  decodeFunctionResult,
  encodeFunctionData,
  getAbiItem,
  toEventSelector,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type DecodeFunctionResultParameters,
  type EncodeFunctionDataParameters,
  type Hex,
} from 'viem'
import { z } from 'zod'
import { decodeBetEngineError } from '../../../sdk/src/betEngine/errors.ts'
import { MarketStatus } from '../../../sdk/src/betEngine/layout.ts'
import { BET_ENGINE_ADDRESS, RESULT_VOID } from '../../../sdk/src/constants.ts'
import { betEngineAbi } from '../../../sdk/src/generated/contracts.ts'
import { SequencerStoppedError, TxRejectedError } from '../../../sequencer/errors.ts'
import { OperatorTxNotExecutedError } from '../../../sequencer/operator/operatorSender.ts'
import type { PendingBlock } from '../../chain/chain.ts'
import type { ExecutedTx } from '../../chain/types.ts'
import { requireApiKey } from '../apiKey.ts'
import { serverError } from '../errors.ts'
import { defineMethod, type AnyMethodDefinition, type RequestContext } from '../registry.ts'
import type { RpcBackend } from './backend.ts'

export interface OperatorMethodsModules {
  backend: RpcBackend
  /** signs a bet engine call with the operator key and submits it; resolves once preconfirmed (OperatorSender#send) */
  send: (data: Hex) => Promise<ExecutedTx>
  /** the key every call must present */
  apiKey: string
  logger: Logger
}

/** What every write answers: the tx, whether the call went through, and why not. */
export interface OperatorTxResult {
  txHash: Hex
  /** the block the tx is preconfirmed in (a decimal string) */
  blockNumber: string
  status: 'success' | 'reverted'
  /** a revert as `Name(arg, ...)`, e.g. `MarketNotOpen()`; the raw data when it decodes to no bet engine error */
  error?: string
}

type Write = ContractFunctionName<typeof betEngineAbi, 'nonpayable'>

/** One write of the table: the method, its params (one object of named fields), the bet engine function and its args. */
interface OperatorWrite<S extends z.AnyZodObject, F extends Write> {
  name: string
  params: S
  functionName: F
  args: (params: z.output<S>) => ContractFunctionArgs<typeof betEngineAbi, 'nonpayable', F>
  /** fields added to a successful call's answer, read from its logs */
  results?: (executed: ExecutedTx) => Record<string, unknown>
}

type AnyOperatorWrite = Omit<OperatorWrite<z.AnyZodObject, Write>, 'args'> & { args: (params: any) => readonly unknown[] }

/** A decimal string, 0x hex or a safe integer, as a bigint of at most `bits` bits. */
const uintParam = (bits: number) =>
  z
    .union([
      z.string().regex(/^(\d{1,78}|0x[0-9a-fA-F]{1,64})$/, 'expected a decimal string or 0x hex'),
      z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    ])
    .transform((v) => BigInt(v))
    .refine((v) => v < 1n << BigInt(bits), `expected a number below 2^${bits}`)

/** A JSON integer of at most `bits` bits (counts, thresholds, seconds, odds). */
const smallUint = (bits: number) => z.number().int().nonnegative().max(2 ** bits - 1)

/** Decimal odds per outcome, 4 decimals as the contract keeps them (19000 is 1.9). */
const odds = z.array(smallUint(32)).min(1).max(255)
const marketId = uintParam(256)
const addressParam = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'hex string of 20 bytes expected').transform((v) => v as Hex)

const MARKET_CREATED = toEventSelector(getAbiItem({ abi: betEngineAbi, name: 'MarketCreated' }))
const BET_ENGINE = BigInt(BET_ENGINE_ADDRESS)

/** The market id of the MarketCreated log (its first indexed field). */
function createdMarketId(executed: ExecutedTx): Record<string, unknown> {
  const log = executed.logs.find(([address, topics]) => topics.length > 1 && bytesToBigInt(address) === BET_ENGINE && bytesToHex(topics[0]) === MARKET_CREATED)
  return log === undefined ? {} : { marketId: bytesToBigInt(log[1][1]).toString() }
}

/** The writes: one bet engine function each, its params an object of named fields. */
const writes = [
  write({
    name: 'rollbook_createMarket',
    params: z.object({ outcomeCount: smallUint(8).optional(), odds, closeTime: uintParam(64), maxStake: uintParam(96), maxLiability: uintParam(128) }).strict(),
    functionName: 'createMarket',
    args: (p) => [p.outcomeCount ?? p.odds.length, p.odds, p.closeTime, p.maxStake, p.maxLiability] as const,
    results: createdMarketId,
  }),
  write({
    name: 'rollbook_setOdds',
    params: z.object({ marketId, odds }).strict(),
    functionName: 'setOdds',
    args: (p) => [p.marketId, p.odds] as const,
  }),
  write({
    name: 'rollbook_setCommittee',
    params: z.object({ members: z.array(addressParam).min(1).max(255), threshold: smallUint(8), disputeWindowSeconds: smallUint(32) }).strict(),
    functionName: 'setCommittee',
    args: (p) => [p.members, p.threshold, p.disputeWindowSeconds] as const,
  }),
  write({
    name: 'rollbook_setMarketInfo',
    params: z.object({ marketId, marketType: smallUint(8), line: z.number().int().min(-32_768).max(32_767) }).strict(),
    functionName: 'setMarketInfo',
    args: (p) => [p.marketId, p.marketType, p.line] as const,
  }),
  write({ name: 'rollbook_suspendMarket', params: z.object({ marketId }).strict(), functionName: 'suspendMarket', args: (p) => [p.marketId] as const }),
  write({ name: 'rollbook_resumeMarket', params: z.object({ marketId }).strict(), functionName: 'reopenMarket', args: (p) => [p.marketId] as const }),
  write({ name: 'rollbook_closeMarket', params: z.object({ marketId }).strict(), functionName: 'closeMarket', args: (p) => [p.marketId] as const }),
  write({
    name: 'rollbook_setLimits',
    params: z.object({ marketId, maxStakePerBettor: uintParam(96), maxMarketLiability: uintParam(128) }).strict(),
    functionName: 'setLimits',
    args: (p) => [p.marketId, p.maxStakePerBettor, p.maxMarketLiability] as const,
  }),
  write({
    name: 'rollbook_setPricing',
    params: z.object({ marketId, probabilitiesBps: z.array(smallUint(16)).min(1).max(255), marginBps: smallUint(16), slope: smallUint(32), floorOdds: smallUint(32) }).strict(),
    functionName: 'setPricing',
    args: (p) => [p.marketId, p.probabilitiesBps, p.marginBps, p.slope, p.floorOdds] as const,
  }),
]

/** Checks an entry's args against its params and the function's ABI, then lets it join the table. */
function write<S extends z.AnyZodObject, F extends Write>(entry: OperatorWrite<S, F>): AnyOperatorWrite {
  return entry as unknown as AnyOperatorWrite
}

/** getMarketConfig's status byte: 0 none, 1 open, 2 resolved, 3 suspended. */
const MARKET_STATUS = ['none', 'open', 'resolved', 'suspended'] as const

type View = ContractFunctionName<typeof betEngineAbi, 'view'>
type ViewResult<F extends View> = ContractFunctionReturnType<typeof betEngineAbi, 'view', F>

export function operatorMethods(modules: OperatorMethodsModules): AnyMethodDefinition[] {
  const { backend, send } = modules
  const log = modules.logger.child({ module: 'operator-api' })
  // the API key comes first: a caller without it learns nothing, not even whether its params were good
  const checkApiKey = requireApiKey(modules.apiKey)
  const guardOf = (method: string) => (ctx: RequestContext) => {
    try {
      checkApiKey(ctx)
    } catch (e) {
      log.warn({ method, transport: ctx.transport, keyGiven: ctx.apiKey !== undefined }, 'operator API call refused: no or wrong API key')
      throw e
    }
  }
  const single = <S extends z.AnyZodObject>(params: S) => z.tuple([params])

  /** One bet engine view on the live (preconfirmed) state, inside Sequencer#readPending. */
  async function view<F extends View>(pending: PendingBlock, functionName: F, args: readonly unknown[]): Promise<ViewResult<F>> {
    const data = encodeFunctionData({ abi: betEngineAbi, functionName, args } as EncodeFunctionDataParameters<typeof betEngineAbi>)
    const { execResult } = await backend.chain.callPending(pending, { to: hexToBytes(BET_ENGINE_ADDRESS), data: hexToBytes(data) })
    if (execResult.exceptionError !== undefined) throw serverError(`${functionName} failed: ${execResult.exceptionError.error}`)
    return decodeFunctionResult({ abi: betEngineAbi, functionName, data: bytesToHex(execResult.returnValue) } as DecodeFunctionResultParameters<typeof betEngineAbi>) as ViewResult<F>
  }

  const writeMethod = (entry: AnyOperatorWrite) =>
    defineMethod({
      name: entry.name,
      params: single(entry.params),
      guard: guardOf(entry.name),
      handler: async ([params], ctx: RequestContext) => {
        const data = encodeFunctionData({ abi: betEngineAbi, functionName: entry.functionName, args: entry.args(params) } as EncodeFunctionDataParameters<typeof betEngineAbi>)
        let executed: ExecutedTx
        try {
          executed = await send(data)
        } catch (e) {
          log.warn({ method: entry.name, transport: ctx.transport, err: (e as Error).message }, 'operator tx refused')
          if (e instanceof TxRejectedError || e instanceof SequencerStoppedError || e instanceof OperatorTxNotExecutedError) throw serverError(e.message)
          throw e
        }
        const result = txResult(executed)
        const extra = result.status === 'success' ? (entry.results?.(executed) ?? {}) : {}
        log.info({ method: entry.name, transport: ctx.transport, txHash: result.txHash, status: result.status, error: result.error, ...extra }, 'operator tx')
        return { ...result, ...extra }
      },
    })

  return [
    ...writes.map(writeMethod),
    defineMethod({
      name: 'rollbook_getExposure',
      params: single(z.object({ marketId }).strict()),
      guard: guardOf('rollbook_getExposure'),
      handler: async ([{ marketId }]) => {
        const sequencer = backend.sequencer
        if (sequencer === undefined) throw serverError('this node does not sequence transactions')
        const [market, config] = await sequencer.readPending(async (pending) => [await view(pending, 'getMarket', [marketId]), await view(pending, 'getMarketConfig', [marketId])] as const)
        if (config.status === MarketStatus.none) throw serverError(`market ${marketId} does not exist`, { marketId: marketId.toString() })
        const liabilities = [...config.liability]
        return {
          marketId: marketId.toString(),
          status: MARKET_STATUS[config.status] ?? String(config.status),
          result: config.status !== MarketStatus.resolved ? null : market.result === RESULT_VOID ? 'void' : market.result,
          closeTime: Number(config.closeTime),
          marketType: config.marketType,
          line: config.line,
          maxStake: config.maxStake.toString(),
          maxLiability: config.maxLiability.toString(),
          limits: config.limited ? { maxStakePerBettor: config.maxStakePerBettor.toString(), maxMarketLiability: config.maxMarketLiability.toString() } : null,
          pricing: config.priced
            ? { probabilitiesBps: [...config.probabilitiesBps], marginBps: config.marginBps, slope: config.slope, floorOdds: config.floorOdds }
            : null,
          outcomes: config.odds.map((odds, outcome) => ({ outcome, odds, liability: (liabilities[outcome] ?? 0n).toString() })),
          totalLiability: config.totalLiability.toString(),
          worstCaseLiability: liabilities.reduce((max, l) => (l > max ? l : max), 0n).toString(),
        }
      },
    }),
  ]
}

function txResult(executed: ExecutedTx): OperatorTxResult {
  const result: OperatorTxResult = {
    txHash: bytesToHex(executed.hash) as Hex,
    blockNumber: executed.blockNumber.toString(),
    status: executed.status === 1 ? 'success' : 'reverted',
  }
  if (executed.status === 0) result.error = describeRevert(bytesToHex(executed.revertData) as Hex)
  return result
}

/** `MarketNotOpen()`, `OddsBelowMinimum(17000)`; the raw data when no bet engine error matches. */
export function describeRevert(data: Hex): string {
  if (data === '0x') return 'reverted without data'
  const decoded = decodeBetEngineError(data)
  if (decoded === undefined) return `unknown revert ${data}`
  return `${decoded.name}(${decoded.args.map((a) => String(a)).join(', ')})`
}
