import { BaseError, encodeFunctionData, parseEventLogs, createPublicClient, createWalletClient, defineChain, http, type Address, type Hash, type Hex, type PublicClient, type WalletClient, type Account, type Chain, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getMarket } from '../../sdk/src/actions/getMarket.ts'
import { getCommittee } from '../../sdk/src/actions/getCommittee.ts'
import { getOperator } from '../../sdk/src/actions/getOperator.ts'
import { getReceipt } from '../../sdk/src/actions/getReceipt.ts'
import { getResultState } from '../../sdk/src/actions/getResultState.ts'
import { voteResult } from '../../sdk/src/actions/voteResult.ts'
import { flagResult } from '../../sdk/src/actions/flagResult.ts'
import { finalizeResult } from '../../sdk/src/actions/finalizeResult.ts'
import { MarketNotFoundError } from '../../sdk/src/errors.ts'
import { BET_ENGINE_ADDRESS, RESULT_VOID, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { betEngineAbi, decodeBetEngineError } from '../../sdk/src/betEngine/index.ts'

/** What the oracle needs to know of one market's result on L2. */
export interface MarketResultView {
  outcomeCount: number
  /** Unix seconds: votes are taken at or after it. */
  closeTime: bigint
  /** The final result (an outcome index or RESULT_VOID), null while there is none. */
  final: number | null
  /** The market is resolved (MarketResolved): a final result past its window waits for finalizeResult or the first settleBet. */
  resolved: boolean
  /** This key's vote in the current round, null if none. */
  myVote: number | null
  /** The committee's voting round; a flag starts the next one. */
  round: number
  /** A result the committee proposed, final at finalAt unless flagged. */
  proposed: { result: number; finalAt: bigint } | null
}

/**
 * A write's outcome. Every write is first run as an eth_call from the key on the sequencer's open
 * block: one that would revert is not sent (hash undefined, `revert` names the error), since a
 * reverted tx is still included and spends a nonce.
 */
export type TxOutcome = { ok: true; hash: Hash } | { ok: false; hash: Hash | undefined; reason: string; revert?: string | undefined }

export type ResultEvent =
  | { kind: 'proposed'; marketId: bigint; round: number; result: number; finalAt: bigint; blockNumber: bigint }
  | { kind: 'flagged'; marketId: bigint; round: number; by: Address; blockNumber: bigint }

/** The oracle's view of L2 and its writes, over JSON-RPC with its own key. */
export class L2Results {
  private constructor(
    readonly rpcUrl: string,
    readonly account: Account,
    private readonly client: PublicClient<Transport, Chain>,
    private readonly wallet: WalletClient<Transport, Chain, Account>,
  ) {}

  get address(): Address {
    return this.account.address
  }

  static async connect(rpcUrl: string, key: Hex): Promise<L2Results> {
    const account = privateKeyToAccount(key)
    const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) })
    const chainId = await probe.getChainId()
    const chain = defineChain({
      id: chainId,
      name: 'rollbook',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
      // fees are zero on Rollbook (decision 2): nothing to estimate
      fees: { estimateFeesPerGas: async () => ({ maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }) },
    })
    const transport = http(rpcUrl, { retryCount: 1, timeout: 10_000 })
    return new L2Results(rpcUrl, account, createPublicClient({ chain, transport }), createWalletClient({ chain, transport, account }))
  }

  /** The latest block: its number and its time, which decides whether a market has closed. */
  async head(): Promise<{ number: bigint; timestamp: bigint }> {
    const block = await this.client.getBlock({ blockTag: 'latest' })
    return { number: block.number, timestamp: block.timestamp }
  }

  async market(marketId: bigint): Promise<MarketResultView | null> {
    let market
    try {
      market = await getMarket(this.client, { marketId })
    } catch (e) {
      if (e instanceof MarketNotFoundError) return null
      throw e
    }
    const state = await getResultState(this.client, { marketId })
    const asNumber = (r: number | 'void') => (r === 'void' ? RESULT_VOID : r)
    const resolved = market.status === 'resolved'
    const final = resolved ? asNumber(market.result!) : state.status === 'final' ? asNumber(state.proposedResult!) : null
    const mine = state.votes.find((v) => v.member.toLowerCase() === this.address.toLowerCase())
    return {
      outcomeCount: market.outcomeCount,
      closeTime: market.closeTime,
      final,
      resolved,
      round: state.round,
      proposed: state.status === 'proposed' ? { result: asNumber(state.proposedResult!), finalAt: state.finalAt! } : null,
      myVote: mine === undefined ? null : asNumber(mine.result),
    }
  }

  /** Whether this key may vote (a committee member) and flag (a member or the operator) now: the committee can change under a running oracle. */
  async role(): Promise<{ member: boolean; mayFlag: boolean }> {
    const me = this.address.toLowerCase()
    const [committee, operator] = await Promise.all([getCommittee(this.client), getOperator(this.client)])
    const member = committee.members.some((m) => m.toLowerCase() === me)
    return { member, mayFlag: member || operator.toLowerCase() === me }
  }

  async vote(marketId: bigint, result: number): Promise<TxOutcome> {
    const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'voteResult', args: [marketId, result] })
    return this.send(data, () => voteResult(this.wallet, { marketId, result: result === RESULT_VOID ? 'void' : result }))
  }

  async flag(marketId: bigint): Promise<TxOutcome> {
    const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'flagResult', args: [marketId] })
    return this.send(data, () => flagResult(this.wallet, { marketId }))
  }

  async finalize(marketId: bigint): Promise<TxOutcome> {
    const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'finalizeResult', args: [marketId] })
    return this.send(data, () => finalizeResult(this.wallet, { marketId }))
  }

  /** ResultProposed and ResultFlagged events in [fromBlock, toBlock] (sealed blocks). */
  async resultEvents(fromBlock: bigint, toBlock: bigint): Promise<ResultEvent[]> {
    const logs = await this.client.getLogs({ address: BET_ENGINE_ADDRESS, fromBlock, toBlock })
    const events: ResultEvent[] = []
    for (const log of parseEventLogs({ abi: betEngineAbi, logs, eventName: ['ResultProposed', 'ResultFlagged'] })) {
      if (log.eventName === 'ResultProposed') {
        const { marketId, round, result, finalAt } = log.args
        events.push({ kind: 'proposed', marketId, round, result, finalAt, blockNumber: log.blockNumber })
      } else {
        const { marketId, round, by } = log.args
        events.push({ kind: 'flagged', marketId, round, by, blockNumber: log.blockNumber })
      }
    }
    return events
  }

  /** The oracle account's next nonce on L2 (tests check nothing was sent). */
  async nonce(): Promise<number> {
    return this.client.getTransactionCount({ address: this.address, blockTag: 'pending' })
  }

  private async send(data: Hex, write: () => Promise<Hash>): Promise<TxOutcome> {
    try {
      await this.client.call({ account: this.address, to: BET_ENGINE_ADDRESS, data, gas: TX_GAS_LIMIT })
    } catch (e) {
      const revertData = revertDataOf(e)
      if (revertData === undefined) throw e
      const revert = decodeBetEngineError(revertData)?.name ?? revertData
      return { ok: false, hash: undefined, reason: `would revert: ${revert}`, revert }
    }
    let hash: Hash | undefined
    try {
      hash = await write()
      const receipt = await getReceipt(this.client, { hash })
      if (receipt.status === 'success') return { ok: true, hash }
      return { ok: false, hash, reason: `reverted: ${receipt.error?.name ?? receipt.revertData ?? 'no reason'}` }
    } catch (e) {
      return { ok: false, hash, reason: (e as { shortMessage?: string }).shortMessage ?? (e as Error).message }
    }
  }
}

/** The revert data of a failed eth_call, undefined when the call failed for another reason (transport, timeout). */
function revertDataOf(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined
  let data: Hex | undefined
  error.walk((e) => {
    const d = (e as { data?: unknown }).data
    if (typeof d === 'string' && d.startsWith('0x')) data = d as Hex
    else if (typeof d === 'object' && d !== null && typeof (d as { data?: unknown }).data === 'string') data = (d as { data: Hex }).data
    return false
  })
  return data
}
