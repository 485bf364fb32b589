/**
 * Micro-benchmark of the placeBet fast path: bets/s of L2Chain.applyTx + sealBlock for pre-signed
 * bets in one block, with the fast path off (every bet in the EVM) and on, interleaved in one run,
 * each on a fresh chain in LevelDB. Txs are signed and decoded (sender recovered) before timing.
 *
 *   npx tsx scripts/bench/fastpath.ts [bets=4000] [rounds=3]
 */
import type { TypedTransaction } from '@ethereumjs/tx'
import type { Address } from 'viem'
import { calldata, openTestChain, testAccounts, testGenesis, TestSigner } from '../../node/chain/fastpath/testing.ts'

const BETS = Number(process.argv[2] ?? 4000)
const ROUNDS = Number(process.argv[3] ?? 3)
const CHAIN_ID = 901
const T0 = 1_700_000_000
const BETTORS = 200
const MARKETS = 20

const accounts = testAccounts(BETTORS + 2)
const operator = accounts[0]
const balances = new Map<Address, bigint>(accounts.map((a) => [a.address, 10n ** 15n]))
const genesis = testGenesis(CHAIN_ID, T0, operator.address, accounts[1].address, balances)
const signer = new TestSigner(CHAIN_ID)

let seed = 42
function random(n: number): number {
  seed = (seed * 1103515245 + 12345) >>> 0
  return seed % n
}

const outcomes = Array.from({ length: MARKETS }, () => 2 + random(7))
const setup = outcomes.map((count, i) =>
  signer.sign(operator, BigInt(i), calldata.createMarket(count, Array.from({ length: count }, () => 11_000 + random(40_000)), BigInt(T0 + 100_000), 10n ** 9n, 10n ** 14n)),
)
const nonces = new Map<number, bigint>()
const bets = Array.from({ length: BETS }, () => {
  const bettor = 2 + random(BETTORS)
  const nonce = nonces.get(bettor) ?? 0n
  nonces.set(bettor, nonce + 1n)
  const market = random(MARKETS)
  return signer.sign(accounts[bettor], nonce, calldata.placeBet(BigInt(market + 1), random(outcomes[market]), 1_000_000n + BigInt(random(50_000_000)), 0))
})

async function measure(fastPath: boolean): Promise<{ total: number; exec: number; fast: number }> {
  const { chain, close } = await openTestChain(genesis, { fastPath, shadowExec: false })
  try {
    const first = await chain.openBlock(BigInt(T0 + 1))
    for (const raw of setup) await chain.applyTx(first, chain.decodeTx(raw))
    await chain.sealBlock(first)
    const txs: TypedTransaction[] = bets.map((raw) => chain.decodeTx(raw))
    for (const tx of txs) tx.getSenderAddress()
    const start = performance.now()
    const pending = await chain.openBlock(BigInt(T0 + 2))
    for (const tx of txs) {
      const executed = await chain.applyTx(pending, tx)
      if (executed.status !== 1) throw new Error(`bet ${executed.index} failed`)
    }
    const executedAt = performance.now()
    await (await chain.sealBlock(pending)).written
    const end = performance.now()
    return { total: (BETS / (end - start)) * 1000, exec: (BETS / (executedAt - start)) * 1000, fast: chain.fastPathStats?.fast ?? 0 }
  } finally {
    await close()
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

const results = { off: [] as Array<{ total: number; exec: number; fast: number }>, on: [] as Array<{ total: number; exec: number; fast: number }> }
for (let round = 0; round < ROUNDS; round++) {
  results.off.push(await measure(false))
  results.on.push(await measure(true))
  const last = (r: { total: number; exec: number; fast: number }) => `${r.total.toFixed(0)} bets/s (execution alone ${r.exec.toFixed(0)}/s, ${r.fast} native)`
  console.log(`round ${round + 1}: fastPath off ${last(results.off[round])} | on ${last(results.on[round])}`)
}
const off = median(results.off.map((r) => r.total))
const on = median(results.on.map((r) => r.total))
const offExec = median(results.off.map((r) => r.exec))
const onExec = median(results.on.map((r) => r.exec))
console.log(
  `${BETS} bets in one block, applyTx + sealBlock, medians of ${ROUNDS}: fastPath off ${off.toFixed(0)} bets/s, on ${on.toFixed(0)} bets/s (${(on / off).toFixed(1)}x); ` +
    `execution alone: off ${offExec.toFixed(0)}/s, on ${onExec.toFixed(0)}/s (${(onExec / offExec).toFixed(1)}x)`,
)
