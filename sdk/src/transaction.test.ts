import t from 'tap'
import { decodeFunctionData, fromRlp, encodeErrorResult, keccak256, parseTransaction, recoverTransactionAddress, type Hex } from 'viem'
import { mnemonicToAccount, nonceManager as viemNonceManager } from 'viem/accounts'
import { placeBet } from './actions/placeBet.ts'
import { betEngineAbi } from './betEngine/index.ts'
import { defineRollbookChain } from './chain.ts'
import { BET_ENGINE_ADDRESS, DEV_MNEMONIC, TX_GAS_LIMIT } from './constants.ts'
import { BetRejectedError } from './errors.ts'
import { answeringClient } from './testing.ts'

const chain = defineRollbookChain({ id: 42069, rpcUrl: 'http://127.0.0.1:1' })
const bettor = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 2 })
const bet = { marketId: 3n, outcome: 1, stake: 10_000_000n, minOdds: 18_000 }

function node(sent: Hex[], nonce = '0x5') {
  return {
    eth_getTransactionCount: () => nonce,
    eth_sendRawTransaction: ([raw]: unknown[]) => {
      sent.push(raw as Hex)
      return keccak256(raw as Hex)
    },
  }
}

t.test('a local account signs a tx with exactly the fixed fields, fetching only the nonce', async (t) => {
  const sent: Hex[] = []
  const { client, requests } = answeringClient(node(sent), { chain, account: bettor })
  const hash = await placeBet(client, bet)

  t.same(
    requests.map((r) => r.method),
    ['eth_getTransactionCount', 'eth_sendRawTransaction'],
  )
  t.equal(hash, keccak256(sent[0]))
  const tx = parseTransaction(sent[0])
  t.equal(tx.type, 'eip1559')
  t.equal(tx.chainId, 42069)
  t.equal(tx.nonce, 5)
  t.equal(tx.gas, TX_GAS_LIMIT)
  // viem's parser leaves zero fields out, so read the zeros off the RLP list as the node does.
  const fields = fromRlp(`0x${sent[0].slice(4)}`, 'hex')
  t.same([fields[2], fields[3], fields[6]], ['0x', '0x', '0x'], 'maxPriorityFeePerGas, maxFeePerGas and value are 0')
  t.equal(tx.to, BET_ENGINE_ADDRESS)
  t.same(decodeFunctionData({ abi: betEngineAbi, data: tx.data! }), { functionName: 'placeBet', args: [3n, 1, 10_000_000n, 18_000] })
  t.equal(await recoverTransactionAddress({ serializedTransaction: sent[0] as never }), bettor.address)
})

t.test('with a nonce given, sending is one round trip; a nonce manager counts concurrent sends', async (t) => {
  const sent: Hex[] = []
  const { client, requests } = answeringClient(node(sent), { chain, account: bettor })
  await placeBet(client, { ...bet, nonce: 9 })
  t.same(requests.map((r) => r.method), ['eth_sendRawTransaction'])
  t.equal(parseTransaction(sent[0]).nonce, 9)

  const managed = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 2, nonceManager: viemNonceManager })
  const second = answeringClient(node(sent, '0x0'), { chain, account: managed })
  await Promise.all([placeBet(second.client, bet), placeBet(second.client, bet)])
  t.same(sent.slice(1).map((raw) => parseTransaction(raw).nonce), [0, 1])
})

t.test('without a chain on the client the chain id is asked once, and still nothing is estimated', async (t) => {
  const sent: Hex[] = []
  const { client, requests } = answeringClient({ ...node(sent), eth_chainId: () => '0xa455' }, { account: bettor })
  await placeBet(client, bet)
  t.same(requests.map((r) => r.method).sort(), ['eth_chainId', 'eth_getTransactionCount', 'eth_sendRawTransaction'])
  t.equal(parseTransaction(sent[0]).chainId, 42069)
})

t.test('a JSON-RPC account sends eth_sendTransaction with the fixed fields', async (t) => {
  const { client, requests } = answeringClient(
    { eth_chainId: () => '0xa455', eth_sendTransaction: () => `0x${'ab'.repeat(32)}` },
    { chain, account: { address: bettor.address, type: 'json-rpc' } },
  )
  await placeBet(client, bet)
  const send = requests.find((r) => r.method === 'eth_sendTransaction')!
  t.match(send.params[0], {
    from: bettor.address,
    to: BET_ENGINE_ADDRESS,
    gas: '0xf4240',
    maxFeePerGas: '0x0',
    maxPriorityFeePerGas: '0x0',
    value: '0x0',
    type: '0x2',
  })
})

t.test('a node rejection becomes BetRejectedError with the reason; the nonce manager forgets the nonce', async (t) => {
  let count = 0
  const managed = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 2, nonceManager: viemNonceManager })
  const { client } = answeringClient(
    {
      eth_getTransactionCount: () => {
        count++
        return '0x7'
      },
      eth_sendRawTransaction: () => {
        throw Object.assign(new Error('nonce too low: next nonce 8, tx nonce 7'), { code: -32000 })
      },
    },
    { chain, account: managed },
  )
  const error = await placeBet(client, bet).catch((e: unknown) => e)
  t.type(error, BetRejectedError)
  t.equal((error as BetRejectedError).name, 'BetRejectedError')
  t.equal((error as BetRejectedError).code, -32000)
  t.equal((error as BetRejectedError).reason, 'nonce too low: next nonce 8, tx nonce 7')
  t.equal((error as BetRejectedError).revert, undefined)
  await placeBet(client, bet).catch(() => {})
  t.equal(count, 2, 'the nonce is fetched again after a rejection')
})

t.test('revert data in a rejection is decoded', async (t) => {
  const data = encodeErrorResult({ abi: betEngineAbi, errorName: 'OddsBelowMinimum', args: [17_000] })
  const { client } = answeringClient(
    {
      eth_sendRawTransaction: () => {
        throw Object.assign(new Error('execution reverted'), { code: 3, data })
      },
    },
    { chain, account: bettor },
  )
  const error = (await placeBet(client, { ...bet, nonce: 0 }).catch((e: unknown) => e)) as BetRejectedError
  t.equal(error.name, 'BetRejectedError')
  t.same(error.revert, { name: 'OddsBelowMinimum', args: [17_000] })
  t.match(error.shortMessage, /OddsBelowMinimum/)
})

t.test('a transport failure is not a rejection', async (t) => {
  const { client } = answeringClient(
    {
      eth_sendRawTransaction: () => {
        throw new TypeError('fetch failed')
      },
    },
    { chain, account: bettor },
  )
  const error = await placeBet(client, { ...bet, nonce: 0 }).catch((e: unknown) => e)
  t.not((error as Error).name, 'BetRejectedError')
})

t.test('without an account, a write fails before any request', async (t) => {
  const { client, requests } = answeringClient({}, { chain })
  await t.rejects(placeBet(client, bet), { name: 'AccountNotFoundError' })
  t.same(requests, [])
})
