import t from 'tap'
import { createTxFromRLP } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import { privateKeyToAccount } from 'viem/accounts'
import { createSharedTxCommon } from './txCommon.ts'

t.test('decoded txs share the one Common, which applies tx params once', async (t) => {
  const common = createSharedTxCommon(42069)
  let rebuilds = 0
  const original = (common as unknown as { _buildParamsCache: () => void })._buildParamsCache.bind(common)
  ;(common as unknown as { _buildParamsCache: () => void })._buildParamsCache = () => {
    rebuilds++
    original()
  }
  const account = privateKeyToAccount(`0x${'11'.repeat(32)}`)
  const raws = await Promise.all(
    [0, 1, 2].map((nonce) =>
      account.signTransaction({ chainId: 42069, type: 'eip1559', nonce, to: account.address, gas: 21000n, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }),
    ),
  )
  const txs = raws.map((raw) => createTxFromRLP(hexToBytes(raw), { common }))
  for (const tx of txs) {
    t.equal(tx.common, common, 'no per-tx copy (upstream getCommon still copies through common.copy)')
    t.equal(tx.getSenderAddress().toString(), account.address.toLowerCase(), 'sender recovers with the shared Common')
  }
  t.ok(rebuilds <= 1, `params applied at most once, not per tx (rebuilt ${rebuilds} times)`)
  t.equal(common.param('txGas'), 21000n, 'tx params are present')
})
