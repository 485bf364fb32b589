import t from 'tap'
import { formatOdds, formatStake, parseOdds, parseStake } from './units.ts'

t.test('odds: exact 4-decimal fixed point, above 1.0', async (t) => {
  t.equal(parseOdds('2.5'), 25_000)
  t.equal(parseOdds('1.1'), 11_000)
  t.equal(parseOdds('1.0001'), 10_001)
  t.equal(formatOdds(25_000), '2.5')
  t.throws(() => parseOdds('1'), RangeError)
  t.throws(() => parseOdds('0.5'), RangeError)
})

t.test('stakes: 6 decimals', async (t) => {
  t.equal(parseStake('10.5'), 10_500_000n)
  t.equal(parseStake('1000000'), 1_000_000_000_000n)
  t.equal(formatStake(25_000_000n), '25')
})
