import t from 'tap'
import { parseEventNotification } from './events.ts'

const txHash = `0x${'ab'.repeat(32)}`
const bettor = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc'

t.test('each channel event parses: decimal strings to bigints and numbers, addresses checksummed', async (t) => {
  const cases = [
    {
      event: 'MarketCreated',
      args: { marketId: '1', outcomeCount: '2', closeTime: '1900000000', maxStake: '100000000', maxLiability: '1000000000', odds: ['25000', '15000'] },
      want: { marketId: 1n, outcomeCount: 2, closeTime: 1_900_000_000n, maxStake: 100_000_000n, maxLiability: 1_000_000_000n, odds: [25_000, 15_000] },
    },
    { event: 'OddsChanged', args: { marketId: '1', odds: ['20000', '18000'] }, want: { marketId: 1n, odds: [20_000, 18_000] } },
    {
      event: 'BetPlaced',
      args: { betId: '7', marketId: '1', bettor, outcome: '0', stake: '10000000', odds: '25000', payout: '25000000' },
      want: {
        betId: 7n,
        marketId: 1n,
        bettor: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
        outcome: 0,
        stake: 10_000_000n,
        odds: 25_000,
        payout: 25_000_000n,
      },
    },
    { event: 'MarketResolved', args: { marketId: '1', result: '255' }, want: { marketId: 1n, result: 255 } },
    {
      event: 'ResultVoted',
      args: { marketId: '1', round: '0', member: bettor, result: '2' },
      want: { marketId: 1n, round: 0, member: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', result: 2 },
    },
    {
      event: 'ResultProposed',
      args: { marketId: '1', round: '3', result: '255', finalAt: '1900000600' },
      want: { marketId: 1n, round: 3, result: 255, finalAt: 1_900_000_600n },
    },
    {
      event: 'ResultFlagged',
      args: { marketId: '1', round: '3', by: bettor },
      want: { marketId: 1n, round: 3, by: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' },
    },
    {
      event: 'CommitteeSet',
      args: { members: [bettor], threshold: '1', disputeWindowSeconds: '600' },
      want: { members: ['0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'], threshold: 1, disputeWindowSeconds: 600 },
    },
    {
      event: 'BetSettled',
      args: { betId: '7', marketId: '1', bettor, paid: '340282366920938463463374607431768211455' },
      want: { betId: 7n, marketId: 1n, bettor: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', paid: 2n ** 128n - 1n },
    },
  ]
  for (const { event, args, want } of cases) {
    const parsed = parseEventNotification({ event, args, transactionHash: txHash, blockNumber: '0x1f', logIndex: '0x2' })
    t.same(parsed, { success: true, event: { event, args: want, transactionHash: txHash, blockNumber: 31n, logIndex: 2 } }, event)
  }
})

t.test('malformed notifications are refused, naming the bad field', async (t) => {
  const good = { event: 'MarketResolved', args: { marketId: '1', result: '0' }, transactionHash: txHash, blockNumber: '0x1', logIndex: '0x0' }
  const bad: Array<[string, unknown]> = [
    ['unknown event', { ...good, event: 'Transfer' }],
    ['negative integer', { ...good, args: { marketId: '-1', result: '0' } }],
    ['float', { ...good, args: { marketId: '1.5', result: '0' } }],
    ['missing arg', { ...good, args: { marketId: '1' } }],
    ['bad hash', { ...good, transactionHash: '0x12' }],
    ['not an object', 'MarketResolved'],
    ['bad address', { ...good, event: 'BetSettled', args: { betId: '1', marketId: '1', bettor: '0x12', paid: '1' } }],
  ]
  for (const [name, payload] of bad) {
    const parsed = parseEventNotification(payload)
    t.equal(parsed.success, false, name)
  }
  const missing = parseEventNotification(bad[3][1])
  t.same(!missing.success && missing.error.issues[0].path, ['args', 'result'])
})
