import t, { type Test } from 'tap'
import { encodeFunctionData, parseTransaction, serializeTransaction, toHex, type Hex, type LocalAccount } from 'viem'
import { betEngineAbi, decodeBetEngineError } from '../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../sdk/src/constants.ts'
import { DEV_STAKE_BALANCE } from './chain/genesis.ts'
import { TestWsClient, postRpc } from './api/testing.ts'
import { bettors, operator } from './testing/accounts.ts'
import { startTestNode } from './testing/testNode.ts'

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const ZERO_HASH = `0x${'00'.repeat(32)}`
const MAX_STAKE = 1_000_000_000n

type TxFields = {
  type?: 'eip1559' | 'legacy' | 'eip2930'
  to?: Hex | null
  nonce: number
  gas?: bigint
  value?: bigint
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  gasPrice?: bigint
  data?: Hex
  chainId?: number
}

const call = (method: string, params: unknown[] = [], id: unknown = 1) => ({ jsonrpc: '2.0', id, method, params })

const placeBetData = (marketId: bigint, stake: bigint, outcome = 0, minOdds = 1) =>
  encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [marketId, outcome, stake, minOdds] })

/** Flips one byte, counted from the end, of a hex string. */
function flipByte(raw: Hex, fromEnd: number): Hex {
  const bytes = Buffer.from(raw.slice(2), 'hex')
  bytes[bytes.length - fromEnd] ^= 0xff
  return `0x${bytes.toString('hex')}`
}

t.test('bad input against a real node: every rejection is typed, nothing half-applied, the node keeps serving', async (t) => {
  const node = await startTestNode()
  t.teardown(() => node.close())
  const rpc = async (method: string, params: unknown[] = []) => (await postRpc(node.httpUrl, call(method, params))).json
  const [bettor, other] = bettors
  const nextNonce = new Map<string, number>()

  async function sign(account: LocalAccount, fields: TxFields): Promise<Hex> {
    const { type = 'eip1559', to = BET_ENGINE_ADDRESS, chainId = node.chainId, gas = TX_GAS_LIMIT, data = '0x', ...rest } = fields
    const fees = type === 'eip1559' ? { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } : { gasPrice: 0n }
    return account.signTransaction({ chainId, type, to: to ?? undefined, gas, data, ...fees, ...rest } as Parameters<LocalAccount['signTransaction']>[0])
  }

  /** Signs and sends a tx that must be accepted, returns its hash; tracks the sender's nonce. */
  async function send(account: LocalAccount, data: Hex): Promise<Hex> {
    const nonce = nextNonce.get(account.address) ?? 0
    const answer = await rpc('eth_sendRawTransaction', [await sign(account, { nonce, data })])
    if (answer.error !== undefined) throw new Error(`tx refused: ${answer.error.message}`)
    nextNonce.set(account.address, nonce + 1)
    return answer.result
  }

  const balanceOf = async (address: Hex): Promise<bigint> => {
    const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'balanceOf', args: [address] })
    return BigInt((await rpc('eth_call', [{ to: BET_ENGINE_ADDRESS, data }, 'latest'])).result)
  }
  const balances = async () => ({
    operator: await balanceOf(operator.address),
    bettor: await balanceOf(bettor.address),
    other: await balanceOf(other.address),
  })
  const nonceOf = async (address: Hex) => Number(BigInt((await rpc('eth_getTransactionCount', [address, 'pending'])).result))

  let cases = 0
  /** After every bad input the node still answers a plain request. */
  async function stillServing(t: Test) {
    cases++
    const answer = await rpc('eth_blockNumber')
    t.match(answer.result, /^0x[0-9a-f]+$/, 'eth_blockNumber still answers')
  }

  function expectRpcError(t: Test, answer: any, code: number, message: RegExp, what: string) {
    t.equal(answer?.error?.code, code, `${what}: code ${code}`)
    t.match(answer?.error?.message, message, `${what}: message`)
    t.notMatch(JSON.stringify(answer), /\bat .*\.ts:\d+|node_modules/, `${what}: no stack trace`)
  }

  // A market and one executed bet to replay and to read balances against.
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 3600)
  const createHash = await send(
    operator,
    encodeFunctionData({ abi: betEngineAbi, functionName: 'createMarket', args: [2, [20_000, 18_000], closeTime, MAX_STAKE, 100_000_000_000n] }),
  )
  t.equal((await rpc('eth_getTransactionReceipt', [createHash])).result.status, '0x1', 'market created')
  const firstBetRaw = await sign(bettor, { nonce: 0, data: placeBetData(1n, 5_000_000n) })
  const firstBet = await rpc('eth_sendRawTransaction', [firstBetRaw])
  nextNonce.set(bettor.address, 1)
  t.equal((await rpc('eth_getTransactionReceipt', [firstBet.result])).result.status, '0x1', 'first bet placed')
  const before = await balances()
  t.equal(before.bettor, DEV_STAKE_BALANCE - 5_000_000n)

  const validBet = (fields: Partial<TxFields> = {}) => sign(bettor, { nonce: nextNonce.get(bettor.address)!, data: placeBetData(1n, 1_000_000n), ...fields })

  t.test('raw transactions', async (t) => {
    const rejections: Array<{ what: string; raw: () => Promise<Hex> | Hex; message: RegExp }> = [
      { what: 'random bytes', raw: () => '0xdeadbeefcafebabe0102030405060708', message: /^invalid transaction: invalid RLP/ },
      { what: 'truncated tx', raw: async () => (await validBet()).slice(0, -20) as Hex, message: /^invalid transaction: invalid RLP/ },
      { what: 'empty list as a legacy tx', raw: () => '0xc0', message: /^invalid transaction: .*Only expecting 6 values/ },
      { what: 'empty raw tx "0x"', raw: () => '0x', message: /^invalid transaction: empty input$/ },
      { what: 'wrong chain id (EIP-1559)', raw: () => validBet({ chainId: 1 }), message: /^invalid chain id for signer: have 1 want 42069$/ },
      { what: 'wrong chain id (EIP-155 legacy)', raw: () => validBet({ type: 'legacy', chainId: 10 }), message: /^invalid chain id for signer: have 10 want 42069$/ },
      { what: 'signature with r = 0', raw: async () => resign(await validBet(), (s) => ({ ...s, r: '0x0' })), message: /^invalid sender/ },
      { what: 'signature with s = 0', raw: async () => resign(await validBet(), (s) => ({ ...s, s: '0x0' })), message: /^invalid sender/ },
      { what: 'signature with r = n', raw: async () => resign(await validBet(), (s) => ({ ...s, r: toHex(SECP256K1_N) })), message: /^invalid sender/ },
      {
        what: 'signature with a high s (EIP-2)',
        raw: async () => resign(await validBet(), (s) => ({ ...s, s: toHex(SECP256K1_N - BigInt(s.s)) })),
        message: /^invalid transaction: Invalid Signature: s-values greater than secp256k1n\/2/,
      },
      { what: 'unsigned tx', raw: () => serializeTransaction({ chainId: node.chainId, type: 'eip1559', to: BET_ENGINE_ADDRESS, nonce: 1, gas: TX_GAS_LIMIT, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n }), message: /^invalid sender/ },
      {
        what: 'legacy tx without EIP-155',
        // no chainId: viem signs pre-EIP-155, v = 27 or 28
        raw: () => bettor.signTransaction({ type: 'legacy', to: BET_ENGINE_ADDRESS, nonce: nextNonce.get(bettor.address)!, gas: TX_GAS_LIMIT, gasPrice: 0n, data: placeBetData(1n, 1n) }),
        message: /^only replay-protected \(EIP-155\) transactions allowed over RPC$/,
      },
      { what: 'nonce too low (replay of an executed bet)', raw: () => firstBetRaw, message: /^nonce too low: next nonce 1, tx nonce 0$/ },
      { what: 'nonce 17 ahead', raw: () => validBet({ nonce: nextNonce.get(bettor.address)! + 17 }), message: /^nonce too high: next nonce 1, tx nonce 18, at most 16 ahead$/ },
      { what: 'tx to a non-predeploy address', raw: () => validBet({ to: `0x${'12'.repeat(20)}` }), message: /^transaction target 0x1212121212121212121212121212121212121212 is not a predeploy$/ },
      { what: 'contract creation', raw: () => validBet({ to: null }), message: /^contract creation is not allowed/ },
      { what: 'non-zero value', raw: () => validBet({ value: 1n }), message: /^transaction value must be zero$/ },
      { what: 'non-zero maxFeePerGas', raw: () => validBet({ maxFeePerGas: 1n }), message: /^fees must be zero/ },
      { what: 'non-zero priority fee', raw: () => validBet({ maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }), message: /^fees must be zero/ },
      { what: 'legacy non-zero gas price', raw: () => sign(bettor, { type: 'legacy', nonce: 1, gasPrice: 1n, data: placeBetData(1n, 1n) }), message: /^fees must be zero/ },
      { what: 'gas limit 21000', raw: () => validBet({ gas: 21_000n }), message: /^gas limit must be exactly 1000000: have 21000$/ },
      { what: 'gas limit one over', raw: () => validBet({ gas: TX_GAS_LIMIT + 1n }), message: /^gas limit must be exactly 1000000: have 1000001$/ },
      { what: 'blob tx type byte 0x03', raw: async () => `0x03${(await validBet()).slice(4)}` as Hex, message: /^transaction type not supported: 3$/ },
      { what: 'EIP-7702 type byte 0x04', raw: async () => `0x04${(await validBet()).slice(4)}` as Hex, message: /^transaction type not supported: 4$/ },
      { what: 'unknown type byte 0x7f', raw: () => '0x7fc0', message: /^transaction type not supported: 127$/ },
      { what: 'tx over 32 KiB', raw: () => validBet({ data: `0x${'ab'.repeat(33 * 1024)}` }), message: /^oversized data: transaction size \d+, limit 32768$/ },
    ]
    for (const { what, raw, message } of rejections) {
      expectRpcError(t, await rpc('eth_sendRawTransaction', [await raw()]), -32000, message, what)
      await stillServing(t)
    }

    // one flipped byte in r or s: recovery fails, or yields a stranger whose next nonce is 0, so nonce 20 is too high
    for (const [what, fromEnd] of [['flipped byte in s', 5], ['flipped byte in r', 40]] as const) {
      const raw = flipByte(await validBet({ nonce: 20 }), fromEnd)
      expectRpcError(t, await rpc('eth_sendRawTransaction', [raw]), -32000, /^(invalid sender|nonce too high: next nonce 0, tx nonce 20)/, what)
      await stillServing(t)
    }

    expectRpcError(t, await rpc('eth_sendRawTransaction', ['0x123']), -32602, /^invalid argument 0: hex string of even length/, 'odd-length hex')
    await stillServing(t)
    expectRpcError(t, await rpc('eth_sendRawTransaction', ['0xzz']), -32602, /^invalid argument 0: hex string/, 'non-hex digits')
    await stillServing(t)
    expectRpcError(t, await rpc('eth_sendRawTransaction', [42]), -32602, /^invalid argument 0: expected hex string$/, 'raw tx as a number')
    await stillServing(t)
    expectRpcError(t, await rpc('eth_sendRawTransaction', []), -32602, /^missing value for required argument 0$/, 'no raw tx')
    await stillServing(t)
  })

  t.test('HTTP envelope', async (t) => {
    const padding = 'x'.repeat(5 * 1024 * 1024)
    const oversized = await postRpc(node.httpUrl, JSON.stringify({ ...call('eth_blockNumber'), padding }))
    t.equal(oversized.status, 413, 'body over 5 MiB: HTTP 413')
    expectRpcError(t, oversized.json, -32005, /^request body too large$/, 'oversized body')
    await stillServing(t)

    const invalidJson = await postRpc(node.httpUrl, '{"jsonrpc":"2.0","id":1,"method":')
    t.equal(invalidJson.status, 200)
    expectRpcError(t, invalidJson.json, -32700, /^parse error$/, 'invalid JSON')
    await stillServing(t)

    const hugeBatch = await postRpc(node.httpUrl, Array.from({ length: 1_000 }, (_, i) => call('eth_blockNumber', [], i)))
    t.notOk(Array.isArray(hugeBatch.json), 'a batch of 1,000 is answered with one error')
    expectRpcError(t, hugeBatch.json, -32005, /^batch too large$/, 'batch of 1,000')
    await stillServing(t)

    expectRpcError(t, (await postRpc(node.httpUrl, [])).json, -32600, /^empty batch$/, 'empty batch')
    await stillServing(t)

    const mixed = (await postRpc(node.httpUrl, [call('eth_blockNumber', [], 1), 7, call('eth_nope', [], 2)])).json
    t.equal(mixed.length, 3, 'a batch with a bad member answers every member')
    t.match(mixed[0].result, /^0x/)
    expectRpcError(t, mixed[1], -32600, /^invalid request: expected a JSON-RPC object$/, 'non-object batch member')
    expectRpcError(t, mixed[2], -32601, /^the method eth_nope does not exist\/is not available$/, 'unknown method in a batch')
    await stillServing(t)

    expectRpcError(t, await rpc('eth_nope'), -32601, /^the method eth_nope does not exist\/is not available$/, 'unknown method')
    await stillServing(t)

    expectRpcError(t, (await postRpc(node.httpUrl, { jsonrpc: '1.0', id: 1, method: 'eth_blockNumber' })).json, -32600, /jsonrpc must be "2.0"/, 'wrong jsonrpc version')
    await stillServing(t)

    expectRpcError(t, (await postRpc(node.httpUrl, { jsonrpc: '2.0', id: 1, method: 'eth_getBalance', params: { a: 1 } })).json, -32602, /params must be an array/, 'params as an object')
    await stillServing(t)

    const wrongType = await postRpc(node.httpUrl, 'x', { 'content-type': 'application/xml' })
    t.equal(wrongType.status, 415)
    expectRpcError(t, wrongType.json, -32600, /invalid content type/, 'content type application/xml')
    await stillServing(t)
  })

  t.test('parameters', async (t) => {
    expectRpcError(t, await rpc('eth_getBalance', [5, 'latest']), -32602, /^invalid argument 0: expected address$/, 'eth_getBalance with a number')
    await stillServing(t)
    expectRpcError(t, await rpc('eth_getBalance', [bettor.address, 'latest', 'extra']), -32602, /^too many arguments, want at most 2$/, 'too many arguments')
    await stillServing(t)
    expectRpcError(t, await rpc('eth_getBlockByNumber', ['latestt', false]), -32602, /^invalid argument 0: hex block number without leading zeros, or latest/, 'eth_getBlockByNumber with a garbage tag')
    await stillServing(t)
    expectRpcError(t, await rpc('eth_getBlockByNumber', ['0x01', false]), -32602, /^invalid argument 0\b/, 'block number with a leading zero')
    await stillServing(t)
    expectRpcError(t, await rpc('eth_getTransactionReceipt', ['0x1234']), -32602, /^invalid argument 0: hex string of 32 bytes expected$/, 'short tx hash')
    await stillServing(t)
    expectRpcError(t, await rpc('eth_subscribe', ['newHeads']), -32601, /^notifications not supported$/, 'eth_subscribe over HTTP')
    await stillServing(t)

    const reverted = await rpc('eth_call', [{ from: bettor.address, to: BET_ENGINE_ADDRESS, data: placeBetData(99n, 1_000_000n) }, 'latest'])
    expectRpcError(t, reverted, 3, /^execution reverted/, 'eth_call that reverts')
    t.match(reverted.error.data, /^0x[0-9a-f]{8}/, 'revert data is returned')
    t.ok(decodeBetEngineError(reverted.error.data), 'revert data decodes as a bet engine error')
    await stillServing(t)

    expectRpcError(t, await rpc('eth_getLogs', [{ fromBlock: '0x0', blockHash: ZERO_HASH }]), -32602, /^cannot specify both BlockHash and FromBlock\/ToBlock$/, 'eth_getLogs with a hash and a range')
    await stillServing(t)
    expectRpcError(t, await rpc('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x989680' }]), -32005, /^block range too large: at most 10000 blocks$/, 'eth_getLogs over 10,000 blocks')
    await stillServing(t)
    expectRpcError(t, await rpc('eth_getLogs', [{ fromBlock: '0x5', toBlock: '0x1' }]), -32602, /^invalid block range params/, 'eth_getLogs with fromBlock after toBlock')
    await stillServing(t)
  })

  t.test('WebSocket', async (t) => {
    const client = await TestWsClient.connect(node.wsUrl)
    t.teardown(() => client.close())
    const unknownKind = await client.call(call('eth_subscribe', ['newPendingPotatoes']))
    expectRpcError(t, unknownKind, -32602, /^unknown subscription kind$/, 'unknown subscription kind')
    t.equal(unknownKind.error.data, 'newPendingPotatoes', 'the kind is echoed in data')
    await stillServing(t)

    expectRpcError(t, await client.call(call('rollbook_subscribe', ['market', 'abc'])), -32602, /^invalid argument 1: market id/, 'rollbook_subscribe with a bad market id')
    await stillServing(t)
    expectRpcError(t, await client.call(call('rollbook_subscribe', ['market', -1])), -32602, /^invalid argument 1\b/, 'rollbook_subscribe with a negative market id')
    await stillServing(t)

    expectRpcError(t, await client.call('{"jsonrpc":"2.0","id":1,"method":'), -32700, /^parse error$/, 'malformed WS frame')
    t.match((await client.call(call('eth_blockNumber', [], 2))).result, /^0x/, 'the same socket answers a valid request after a malformed frame')
    client.socket.send(Buffer.from(JSON.stringify(call('eth_blockNumber'))), { binary: true })
    expectRpcError(t, await client.next(), -32700, /^binary frames are not supported$/, 'binary WS frame')
    t.match((await client.call(call('eth_chainId', [], 3))).result, `0x${node.chainId.toString(16)}`, 'and after a binary frame')
    await stillServing(t)
  })

  t.test('all of the above changed no balance and no nonce', async (t) => {
    t.same(await balances(), before, 'balances unchanged')
    t.equal(await nonceOf(bettor.address), 1, "the bettor's nonce is unchanged")
    t.equal(await nonceOf(other.address), 0, "another account's nonce is unchanged")
  })

  t.test('a bet the engine refuses is a status 0 receipt with revertData and moves no money', async (t) => {
    const refused = [
      { what: 'stake above the market max', data: placeBetData(1n, MAX_STAKE + 1n), error: 'StakeTooHigh' },
      { what: 'a market that does not exist', data: placeBetData(42n, 1_000_000n), error: undefined },
      { what: 'an outcome the market does not have', data: placeBetData(1n, 1_000_000n, 7), error: undefined },
    ]
    for (const { what, data, error } of refused) {
      const snapshot = await balances()
      const hash = await send(other, data)
      const receipt = (await rpc('eth_getTransactionReceipt', [hash])).result
      t.equal(receipt.status, '0x0', `${what}: status 0`)
      t.equal(receipt.logs.length, 0, `${what}: no logs`)
      t.match(receipt.revertData, /^0x[0-9a-f]{8}/, `${what}: revertData`)
      const decoded = decodeBetEngineError(receipt.revertData)
      t.ok(decoded, `${what}: revertData decodes as ${decoded?.name}`)
      if (error !== undefined) t.equal(decoded?.name, error)
      t.same(await balances(), snapshot, `${what}: no balance moved`)
    }
    t.equal(await nonceOf(other.address), refused.length, 'a refused bet still uses its nonce, as on Ethereum')
  })

  t.test('after everything, a valid bet goes through', async (t) => {
    const snapshot = await balances()
    const stake = 2_000_000n
    const hash = await send(bettor, placeBetData(1n, stake, 1))
    const receipt = (await rpc('eth_getTransactionReceipt', [hash])).result
    t.equal(receipt.status, '0x1')
    t.equal(receipt.logs.length > 0, true, 'BetPlaced logged')
    t.equal(await balanceOf(bettor.address), snapshot.bettor - stake, 'the stake left the bettor')
    t.equal(await balanceOf(other.address), snapshot.other)
    t.ok(cases >= 24, `${cases} bad inputs, each followed by a live check`)
  })
})

/** The same tx with its signature replaced by `edit(signature)`. */
function resign(raw: Hex, edit: (s: { r: Hex; s: Hex; yParity: number }) => { r: Hex; s: Hex; yParity: number }): Hex {
  const tx = parseTransaction(raw)
  const signature = edit({ r: tx.r!, s: tx.s!, yParity: tx.yParity! })
  const { r: _r, s: _s, v: _v, yParity: _y, ...fields } = tx
  return serializeTransaction(fields as Parameters<typeof serializeTransaction>[0], signature)
}

