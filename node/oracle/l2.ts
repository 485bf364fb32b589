import { BaseError, encodeFunctionData, createPublicClient, createWalletClient, defineChain, http, type Address, type Hash, type Hex, type PublicClient, type WalletClient, type Account, type Chain, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { getMarket } from '../../sdk/src/actions/getMarket.ts'
import { getOracle } from '../../sdk/src/actions/getOracle.ts'
import { getReceipt } from '../../sdk/src/actions/getReceipt.ts'
import { reportResult } from '../../sdk/src/actions/reportResult.ts'
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

export interface ProposalSeen {
  marketId: bigint
  round: number
  result: number
  finalAt: bigint
  blockNumber: bigint
}

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
    try {
      const market = await getMarket(this.client, { marketId })
      const final = market.status === 'resolved' ? (market.result === 'void' ? RESULT_VOID : market.result!) : null
      return { outcomeCount: market.outcomeCount, closeTime: market.closeTime, final, round: 0, proposed: null }
    } catch (e) {
      if (e instanceof MarketNotFoundError) return null
      throw e
    }
  }

  /** Whether this key may vote and flag now (the committee can change under a running oracle). */
  async role(): Promise<{ member: boolean; mayFlag: boolean }> {
    const member = (await getOracle(this.client)).toLowerCase() === this.address.toLowerCase()
    return { member, mayFlag: false }
  }

  async vote(marketId: bigint, result: number): Promise<TxOutcome> {
    const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'reportResult', args: [marketId, result] })
    return this.send(data, () => reportResult(this.wallet, { marketId, result: result === RESULT_VOID ? 'void' : result }))
  }

  async flag(_marketId: bigint): Promise<TxOutcome> {
    return { ok: false, hash: undefined, reason: 'this chain has no result committee (flagResult)' }
  }

  /** ResultProposed events in [fromBlock, toBlock]. */
  async proposals(_fromBlock: bigint, _toBlock: bigint): Promise<ProposalSeen[]> {
    return []
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
