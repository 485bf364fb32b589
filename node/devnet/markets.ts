/** The devnet's demo markets: opened by the operator on L2 at the first start, with realistic odds. */
import { createWalletClient, http, type Account } from 'viem'
import { STAKE_DECIMALS } from '../../sdk/src/constants.ts'
import { createMarket } from '../../sdk/src/actions/createMarket.ts'
import { getReceipt } from '../../sdk/src/actions/getReceipt.ts'
import { defineRollbookChain } from '../../sdk/src/chain.ts'
import { findEvent } from '../../sdk/src/events.ts'

export interface DemoMarket {
  id: number
  name: string
  outcomes: string[]
  /** decimal odds × 10⁴ */
  odds: number[]
  /** unix seconds */
  closeTime: number
}

const TUSD = 10n ** BigInt(STAKE_DECIMALS)
const HOUR = 3600

/** Odds with a bookmaker's margin of a few percent, closing a few hours to days ahead. */
const DEMO_MARKETS: ReadonlyArray<Omit<DemoMarket, 'id' | 'closeTime'> & { closesInSeconds: number }> = [
  { name: 'Arsenal v Chelsea: full-time result', outcomes: ['Arsenal', 'Draw', 'Chelsea'], odds: [21_000, 34_000, 35_000], closesInSeconds: 3 * HOUR },
  { name: 'Lakers v Celtics: moneyline', outcomes: ['Lakers', 'Celtics'], odds: [21_500, 17_200], closesInSeconds: 26 * HOUR },
  { name: 'Alcaraz v Sinner: match winner', outcomes: ['Alcaraz', 'Sinner'], odds: [18_300, 19_800], closesInSeconds: 3 * 24 * HOUR },
]

export async function createDemoMarkets(l2HttpUrl: string, chainId: number, operator: Account, now = Math.floor(Date.now() / 1000)): Promise<DemoMarket[]> {
  const client = createWalletClient({ chain: defineRollbookChain({ id: chainId, rpcUrl: l2HttpUrl }), transport: http(l2HttpUrl), account: operator })
  const markets: DemoMarket[] = []
  for (const { closesInSeconds, ...market } of DEMO_MARKETS) {
    const closeTime = now + closesInSeconds
    // the sequencer answers once the tx is executed and durable, so the receipt is there at once
    const hash = await createMarket(client, { odds: market.odds, closeTime: BigInt(closeTime), maxStake: 1_000n * TUSD, maxLiability: 100_000n * TUSD })
    const receipt = await getReceipt(client, { hash })
    const created = findEvent(receipt.events, 'MarketCreated')
    if (receipt.status !== 'success' || created === undefined) {
      throw new Error(`devnet: creating the market '${market.name}' failed${receipt.status === 'reverted' ? ` (${receipt.error?.name ?? 'reverted'})` : ''}`)
    }
    markets.push({ ...market, id: Number(created.args.marketId), closeTime })
  }
  return markets
}
