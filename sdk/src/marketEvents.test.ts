/** The market management and odds engine events as the `market` channel sends them (decimal strings). */
import t from 'tap'
import { parseEventNotification } from './events.ts'

const place = { transactionHash: `0x${'cd'.repeat(32)}`, blockNumber: '0x5', logIndex: '0x1' }

t.test('market events parse, a negative line included', async (t) => {
  const cases = [
    { event: 'OddsMoved', args: { marketId: '3', outcome: '1', odds: '17100' }, want: { marketId: 3n, outcome: 1, odds: 17_100 } },
    { event: 'MarketInfoSet', args: { marketId: '3', marketType: '4', line: '-15' }, want: { marketId: 3n, marketType: 4, line: -15 } },
    { event: 'MarketInfoSet', args: { marketId: '3', marketType: '3', line: '25' }, want: { marketId: 3n, marketType: 3, line: 25 } },
    { event: 'MarketSuspended', args: { marketId: '3' }, want: { marketId: 3n } },
    { event: 'MarketReopened', args: { marketId: '3' }, want: { marketId: 3n } },
    { event: 'MarketClosedEarly', args: { marketId: '3', closeTime: '1900000000' }, want: { marketId: 3n, closeTime: 1_900_000_000n } },
    {
      event: 'LimitsSet',
      args: { marketId: '3', maxStakePerBettor: '20000000', maxMarketLiability: '0' },
      want: { marketId: 3n, maxStakePerBettor: 20_000_000n, maxMarketLiability: 0n },
    },
    {
      event: 'PricingSet',
      args: { marketId: '3', probabilitiesBps: ['5000', '5000'], marginBps: '500', slope: '100', floorOdds: '10500' },
      want: { marketId: 3n, probabilitiesBps: [5_000, 5_000], marginBps: 500, slope: 100, floorOdds: 10_500 },
    },
  ]
  for (const c of cases) {
    const parsed = parseEventNotification({ event: c.event, args: c.args, ...place })
    t.ok(parsed.success, c.event)
    if (parsed.success) t.same(parsed.event.args, c.want, c.event)
  }
  for (const bad of [
    { event: 'OddsMoved', args: { marketId: '3', outcome: '-1', odds: '17100' } },
    { event: 'MarketInfoSet', args: { marketId: '3', marketType: '4', line: '1.5' } },
  ]) {
    t.notOk(parseEventNotification({ ...bad, ...place }).success, `refused: ${JSON.stringify(bad.args)}`)
  }
})
