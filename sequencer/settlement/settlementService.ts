/**
 * The settlement service (issue 5, docs/decisions/0007): as soon as a market's result is final, the
 * sequencer settles every open bet of it, so winners are paid without lifting a finger; each
 * BetSettled reaches the bettor on the `account` WebSocket channel like any other tx. A bettor can
 * still settle their own bet at any time (settleBet is open to anyone).
 *
 * It keeps, in memory, the open bets of every market from the BetPlaced, ParlayPlaced, BetSettled
 * and BetCashedOut logs of the txs the sequencer executes (rebuilt from the stored blocks at start),
 * and the results of resolved markets, so a parlay is settled once a leg has lost or every leg is
 * final. A market's result becomes
 * final with MarketResolved (at once for a single oracle), or at ResultProposed's `finalAt` when the
 * committee has a dispute window: then the service sends `finalizeResult` itself. Settlement txs
 * are ordinary signed txs from the service's own L2 key, sent through the sequencer's own path
 * (checked, executed, preconfirmed), each a `settleBets` of up to 4 bets (one signature, one
 * tx's overhead for four settlements), `chunkSize` txs at a time so bettors' txs interleave.
 */
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import type { Logger } from 'pino'
import { bytesToBigInt, bytesToHex, decodeAbiParameters, encodeFunctionData, getAbiItem, toEventSelector, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { L2Chain } from '../../node/chain/chain.ts'
import type { ChainEvents } from '../../node/chain/events.ts'
import type { EvmLog, ExecutedTx } from '../../node/chain/types.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { betEngineAbi } from '../../sdk/src/generated/contracts.ts'
import type { SubmitResult } from '../sequencer.ts'

export interface SettlementOptions {
  /** the service's L2 key (settleBet needs no balance: fees are zero) */
  privateKey: Hex
  /** settlement txs in flight at once */
  chunkSize: number
  /** bets per settleBets tx, at most the contract's bound (4); default 4 */
  betsPerTx?: number
}

/** BetEngineExtension.MAX_SETTLE_BATCH: the most bet ids one settleBets call takes. */
export const MAX_SETTLE_BATCH = 4

export interface SettlementModules {
  chain: L2Chain
  events: ChainEvents
  submitRawTx: (raw: Uint8Array) => Promise<SubmitResult>
  /** an account's nonce in the live state, read in order with execution (Sequencer#readPending) */
  nonceOf: (address: Uint8Array) => Promise<bigint>
  logger: Logger
}

const BET_ENGINE = BigInt(BET_ENGINE_ADDRESS)
type Watched = 'BetPlaced' | 'BetSettled' | 'MarketResolved' | 'ResultProposed' | 'ResultFlagged' | 'ParlayPlaced' | 'BetCashedOut'
const topicOf = (name: Watched) => toEventSelector(getAbiItem({ abi: betEngineAbi, name }))
const [BET_PLACED, BET_SETTLED, MARKET_RESOLVED, RESULT_PROPOSED, RESULT_FLAGGED, PARLAY_PLACED, BET_CASHED_OUT] = (
  ['BetPlaced', 'BetSettled', 'MarketResolved', 'ResultProposed', 'ResultFlagged', 'ParlayPlaced', 'BetCashedOut'] as const
).map(topicOf)
const RESULT_VOID = 255
/** ParlayPlaced's data: marketIds, outcomes, stake, odds, payout */
const PARLAY_DATA = [{ type: 'uint256[]' }, { type: 'uint8[]' }, { type: 'uint96' }, { type: 'uint32' }, { type: 'uint128' }] as const

interface OpenParlay {
  legs: { market: bigint; outcome: number }[]
}

/** A parlay's share of a settleBets call (BetEngineParlays._settleWithin): 1 + legs / 2. */
export const parlayWeight = (legs: number): number => 1 + (legs >> 1)

export class SettlementService {
  private readonly log: Logger
  private readonly key: Uint8Array
  private readonly address: Hex
  /** open single bets by market */
  private readonly open = new Map<bigint, Set<bigint>>()
  /** each open single bet's market (a cash-out names only the bet) and outcome (winners go first) */
  private readonly singles = new Map<bigint, { market: bigint; outcome: number }>()
  /** open parlays, and the open parlays with a leg on each market */
  private readonly parlays = new Map<bigint, OpenParlay>()
  private readonly parlaysOn = new Map<bigint, Set<bigint>>()
  /** final results of resolved markets */
  private readonly results = new Map<bigint, number>()
  /** markets whose result is final, waiting to be settled (in order) */
  private readonly due: bigint[] = []
  /** markets whose proposed result becomes final at a time (seconds) */
  private readonly finalAt = new Map<bigint, bigint>()
  private nonce: bigint | undefined
  private running = false
  private loopDone: Promise<void> = Promise.resolve()
  private wake: (() => void) | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly onPreconfirmed = (txs: ExecutedTx[]) => {
    for (const tx of txs) for (const log of tx.logs) this.apply(log)
    this.wake?.()
  }
  /** bets settled by this service since it started */
  settled = 0

  constructor(
    private readonly opts: SettlementOptions,
    private readonly modules: SettlementModules,
  ) {
    this.log = modules.logger.child({ module: 'settlement' })
    this.key = hexToBytes(opts.privateKey)
    this.address = privateKeyToAccount(opts.privateKey).address.toLowerCase() as Hex
  }

  /** Rebuilds the open bets from the stored blocks, then follows the chain. */
  async start(): Promise<void> {
    const { chain } = this.modules
    for (let n = 1n; n <= chain.head.header.number; n++) {
      const block = await chain.store.getBlockByNumber(n)
      const outcomes = block === undefined ? undefined : await chain.store.getOutcomes(block.hash())
      for (const outcome of outcomes ?? []) for (const log of outcome.logs) this.apply(log)
    }
    this.modules.events.on('preconfirmed', this.onPreconfirmed)
    this.running = true
    this.loopDone = this.loop()
    this.log.info({ address: this.address, markets: this.open.size, due: this.due.length }, 'settlement service started')
  }

  async stop(): Promise<void> {
    this.modules.events.off('preconfirmed', this.onPreconfirmed)
    this.running = false
    clearTimeout(this.timer)
    this.wake?.()
    await this.loopDone
  }

  /** Open single bets the service knows of, for a market. */
  openBets(marketId: bigint): number {
    return this.open.get(marketId)?.size ?? 0
  }

  /** Open parlays the service knows of. */
  openParlays(): number {
    return this.parlays.size
  }

  /**
   * Follows one log. It runs for every log of every preconfirmed tx, so it reads the indexed fields
   * straight from the topics (betId, marketId) and decodes nothing but ResultProposed's finalAt.
   */
  private apply([address, topics, data]: EvmLog): void {
    if (topics.length < 2 || bytesToBigInt(address) !== BET_ENGINE) return
    const marketId = (i: number) => bytesToBigInt(topics[i])
    switch (bytesToHex(topics[0])) {
      case BET_PLACED: {
        let bets = this.open.get(marketId(2))
        if (bets === undefined) this.open.set(marketId(2), (bets = new Set()))
        bets.add(bytesToBigInt(topics[1]))
        // data: outcome, stake, odds, payout; the outcome is the first word's last byte
        this.singles.set(bytesToBigInt(topics[1]), { market: marketId(2), outcome: data[31] })
        return
      }
      case PARLAY_PLACED: {
        const [markets, outcomes] = decodeAbiParameters(PARLAY_DATA, bytesToHex(data))
        const betId = bytesToBigInt(topics[1])
        this.parlays.set(betId, { legs: markets.map((market, i) => ({ market, outcome: outcomes[i] })) })
        for (const market of markets) {
          let on = this.parlaysOn.get(market)
          if (on === undefined) this.parlaysOn.set(market, (on = new Set()))
          on.add(betId)
        }
        return
      }
      case BET_SETTLED: {
        const betId = bytesToBigInt(topics[1])
        if (marketId(2) === 0n) this.dropParlay(betId)
        else this.dropSingle(betId, marketId(2))
        return
      }
      case BET_CASHED_OUT: {
        const betId = bytesToBigInt(topics[1])
        const single = this.singles.get(betId)
        if (single !== undefined) this.dropSingle(betId, single.market)
        return
      }
      case MARKET_RESOLVED:
        this.finalAt.delete(marketId(1))
        // data: the result, one word
        this.results.set(marketId(1), Number(bytesToBigInt(data)))
        if (!this.due.includes(marketId(1))) this.due.push(marketId(1))
        return
      case RESULT_PROPOSED: {
        // data: round, result, finalAt, each a 32-byte word
        const [, , finalAt] = decodeAbiParameters([{ type: 'uint32' }, { type: 'uint8' }, { type: 'uint64' }], bytesToHex(data))
        this.finalAt.set(marketId(1), finalAt)
        return
      }
      case RESULT_FLAGGED:
        this.finalAt.delete(marketId(1))
        return
    }
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.finalizeDue()
        await this.settleDue()
      } catch (e) {
        this.nonce = undefined
        this.log.warn({ err: (e as Error).message }, 'settlement failed: retrying')
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
      if (!this.running) return
      await new Promise<void>((resolve) => {
        this.wake = resolve
        this.timer = setTimeout(resolve, 250)
      })
    }
  }

  /** Proposed results whose dispute window has passed: finalizeResult (anyone may). */
  private async finalizeDue(): Promise<void> {
    const now = BigInt(Math.floor(Date.now() / 1000))
    for (const [marketId, at] of [...this.finalAt]) {
      if (at > now) continue
      this.finalAt.delete(marketId)
      await this.syncNonce()
      const result = await this.send(encodeFunctionData({ abi: betEngineAbi, functionName: 'finalizeResult', args: [marketId] }))
      this.log.info({ marketId: Number(marketId), ok: result.status === 'preconfirmed' && result.executed.status === 1 }, 'finalized a result whose dispute window passed')
    }
  }

  private dropSingle(betId: bigint, market: bigint): void {
    this.open.get(market)?.delete(betId)
    this.singles.delete(betId)
  }

  private dropParlay(betId: bigint): void {
    const parlay = this.parlays.get(betId)
    if (parlay === undefined) return
    this.parlays.delete(betId)
    for (const { market } of parlay.legs) this.parlaysOn.get(market)?.delete(betId)
  }

  /** A parlay can be settled once a leg has lost or every leg's market is final. */
  private settleable(parlay: OpenParlay): boolean {
    let pending = false
    for (const { market, outcome } of parlay.legs) {
      const result = this.results.get(market)
      if (result === undefined) pending = true
      else if (result !== RESULT_VOID && result !== outcome) return true
    }
    return !pending
  }

  /**
   * Settles every open bet of each market whose result is final, winners and refunds first, and
   * every parlay with a leg on it that can now be settled: settleBets calls of at most 4 bets whose weights (a single 1, a parlay
   * 1 + legs / 2) fit the contract's room of 4, so none is skipped; a parlay too heavy for one
   * call (7 legs or more) gets a settleParlay of its own. chunkSize txs at a time.
   */
  private async settleDue(): Promise<void> {
    const perTx = Math.min(Math.max(1, this.opts.betsPerTx ?? MAX_SETTLE_BATCH), MAX_SETTLE_BATCH)
    while (this.running && this.due.length > 0) {
      const marketId = this.due[0]
      // winners (and refunds) first: they are who waits for the money; a loss only moves the escrow to the house
      const result = this.results.get(marketId)
      const waits = (betId: bigint) => result === RESULT_VOID || this.singles.get(betId)?.outcome === result
      const open = [...(this.open.get(marketId) ?? [])]
      const singles = [...open.filter(waits), ...open.filter((betId) => !waits(betId))]
      const parlays = [...(this.parlaysOn.get(marketId) ?? [])].filter((id) => this.settleable(this.parlays.get(id)!))
      const calls: Hex[] = []
      let batch: bigint[] = []
      let room = perTx
      const flush = () => {
        if (batch.length > 0) calls.push(encodeFunctionData({ abi: betEngineAbi, functionName: 'settleBets', args: [batch] }))
        batch = []
        room = perTx
      }
      const add = (betId: bigint, weight: number) => {
        if (weight > perTx) {
          calls.push(encodeFunctionData({ abi: betEngineAbi, functionName: 'settleParlay', args: [betId] }))
          return
        }
        if (weight > room) flush()
        batch.push(betId)
        room -= weight
      }
      for (const betId of singles) add(betId, 1)
      for (const betId of parlays) add(betId, parlayWeight(this.parlays.get(betId)!.legs.length))
      flush()
      const started = Date.now()
      for (let i = 0; i < calls.length && this.running; i += this.opts.chunkSize) {
        await this.syncNonce()
        // submitted in nonce order, in one go: the sequencer runs them back to back
        const results = await Promise.all(calls.slice(i, i + this.opts.chunkSize).map((data) => this.send(data)))
        for (const r of results) {
          if (r.status !== 'preconfirmed' || r.executed.status !== 1) continue
          for (const [, topics] of r.executed.logs) if (topics.length > 0 && bytesToHex(topics[0]) === BET_SETTLED) this.settled++
        }
      }
      if (!this.running) return
      this.due.shift()
      this.open.delete(marketId)
      if (calls.length > 0) this.log.info({ marketId: Number(marketId), bets: singles.length, parlays: parlays.length, txs: calls.length, ms: Date.now() - started }, 'settled every open bet of a resolved market')
    }
  }

  private async syncNonce(): Promise<void> {
    this.nonce ??= await this.modules.nonceOf(hexToBytes(this.address))
  }

  /** Signs and submits with the next nonce (syncNonce first): synchronous up to the submission, so concurrent sends keep their order. */
  private send(data: Hex): Promise<SubmitResult> {
    const { chain } = this.modules
    if (this.nonce === undefined) throw new Error('send before syncNonce')
    const tx = createFeeMarket1559Tx(
      { chainId: chain.txCommon.chainId(), nonce: this.nonce++, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, gasLimit: TX_GAS_LIMIT, to: BET_ENGINE_ADDRESS, value: 0n, data: hexToBytes(data) },
      { common: chain.txCommon },
    ).sign(this.key)
    return this.modules.submitRawTx(tx.serialize())
  }
}
