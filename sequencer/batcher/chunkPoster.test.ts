import t from 'tap'
import { bumpFees } from './chunkPoster.ts'

t.test('bumpFees_raisesBothCapsByAnEighthAtLeast', async (t) => {
  const previous = { maxFeePerGas: 1_000n, maxPriorityFeePerGas: 100n }
  const bumped = bumpFees(previous, { maxFeePerGas: 900n, maxPriorityFeePerGas: 50n })
  t.ok(bumped.maxFeePerGas * 8n >= previous.maxFeePerGas * 9n)
  t.ok(bumped.maxPriorityFeePerGas * 8n >= previous.maxPriorityFeePerGas * 9n)
  t.same(bumpFees(previous, { maxFeePerGas: 5_000n, maxPriorityFeePerGas: 700n }), { maxFeePerGas: 5_000n, maxPriorityFeePerGas: 700n }, 'what L1 asks now, when higher')
  const fromZero = bumpFees({ maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }, { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n })
  t.ok(fromZero.maxFeePerGas > 0n && fromZero.maxPriorityFeePerGas > 0n, 'zero fees still go up')
  const odd = bumpFees({ maxFeePerGas: 7n, maxPriorityFeePerGas: 9n }, { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n })
  t.ok(odd.maxFeePerGas * 8n >= 7n * 9n && odd.maxPriorityFeePerGas * 8n >= 9n * 9n, 'rounded up')
  t.ok(odd.maxFeePerGas >= odd.maxPriorityFeePerGas, 'the fee cap covers the priority fee')
})
