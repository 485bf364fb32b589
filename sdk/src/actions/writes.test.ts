import t from 'tap'
import { decodeFunctionData, keccak256, parseTransaction, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { betEngineAbi } from '../betEngine/index.ts'
import { devnetChain } from '../chain.ts'
import { DEV_MNEMONIC, RESULT_VOID } from '../constants.ts'
import { answeringClient } from '../testing.ts'
import { createMarket } from './createMarket.ts'
import { placeBet } from './placeBet.ts'
import { reportResult } from './reportResult.ts'
import { setOdds } from './setOdds.ts'
import { settleBet } from './settleBet.ts'
import { finalizeResult } from './finalizeResult.ts'
import { flagResult } from './flagResult.ts'
import { setCommittee } from './setCommittee.ts'
import { voteResult } from './voteResult.ts'

const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 0 })

/** Sends one write through a client that keeps the raw tx, and returns its decoded call. */
async function sentCall(write: (client: ReturnType<typeof answeringClient>['client']) => Promise<Hex>) {
  let raw: Hex | undefined
  const { client } = answeringClient(
    {
      eth_sendRawTransaction: ([tx]) => {
        raw = tx as Hex
        return keccak256(raw)
      },
    },
    { chain: devnetChain, account },
  )
  const hash = await write(client)
  const tx = parseTransaction(raw!)
  return { hash, raw: raw!, tx, call: decodeFunctionData({ abi: betEngineAbi, data: tx.data! }) }
}

t.test('createMarket takes the outcome count from the odds', async (t) => {
  const { call, hash, raw } = await sentCall((c) =>
    createMarket(c, { odds: [18_000, 21_000, 40_000], closeTime: 1_900_000_000n, maxStake: 5n, maxLiability: 9n, nonce: 0 }),
  )
  t.equal(hash, keccak256(raw))
  t.same(call, { functionName: 'createMarket', args: [3, [18_000, 21_000, 40_000], 1_900_000_000n, 5n, 9n] })
})

t.test('setOdds', async (t) => {
  const { call } = await sentCall((c) => setOdds(c, { marketId: 4n, odds: [12_000, 50_000], nonce: 1 }))
  t.same(call, { functionName: 'setOdds', args: [4n, [12_000, 50_000]] })
})

t.test("reportResult: an outcome index, or 'void' as 255", async (t) => {
  t.same((await sentCall((c) => reportResult(c, { marketId: 4n, result: 1, nonce: 2 }))).call, {
    functionName: 'reportResult',
    args: [4n, 1],
  })
  t.same((await sentCall((c) => reportResult(c, { marketId: 4n, result: 'void', nonce: 3 }))).call, {
    functionName: 'reportResult',
    args: [4n, RESULT_VOID],
  })
})

t.test('placeBet and settleBet', async (t) => {
  t.same((await sentCall((c) => placeBet(c, { marketId: 4n, outcome: 2, stake: 7n, minOdds: 15_000, nonce: 4 }))).call, {
    functionName: 'placeBet',
    args: [4n, 2, 7n, 15_000],
  })
  const settle = await sentCall((c) => settleBet(c, { betId: 11n, nonce: 5 }))
  t.same(settle.call, { functionName: 'settleBet', args: [11n] })
  t.equal(settle.tx.nonce, 5)
})

t.test("the oracle committee's calls: voteResult ('void' as 255), flagResult, finalizeResult, setCommittee", async (t) => {
  t.same((await sentCall((c) => voteResult(c, { marketId: 4n, result: 2, nonce: 0 }))).call, { functionName: 'voteResult', args: [4n, 2] })
  t.same((await sentCall((c) => voteResult(c, { marketId: 4n, result: 'void', nonce: 1 }))).call, {
    functionName: 'voteResult',
    args: [4n, RESULT_VOID],
  })
  t.same((await sentCall((c) => flagResult(c, { marketId: 4n, nonce: 2 }))).call, { functionName: 'flagResult', args: [4n] })
  t.same((await sentCall((c) => finalizeResult(c, { marketId: 4n, nonce: 3 }))).call, { functionName: 'finalizeResult', args: [4n] })
  const members = [account.address, '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'] as const
  t.same((await sentCall((c) => setCommittee(c, { members, threshold: 2, disputeWindowSeconds: 600, nonce: 4 }))).call, {
    functionName: 'setCommittee',
    args: [members, 2, 600],
  })
  await t.rejects(sentCall((c) => setCommittee(c, { members, threshold: 256, disputeWindowSeconds: 0, nonce: 5 })))
  await t.rejects(sentCall((c) => setCommittee(c, { members, threshold: 1, disputeWindowSeconds: 2 ** 32, nonce: 5 })))
})

t.test('arguments out of their Solidity range fail before anything is sent', async (t) => {
  await t.rejects(sentCall((c) => placeBet(c, { marketId: 4n, outcome: 256, stake: 1n, minOdds: 0, nonce: 0 })))
  await t.rejects(sentCall((c) => placeBet(c, { marketId: 4n, outcome: 0, stake: 2n ** 96n, minOdds: 0, nonce: 0 })))
})
