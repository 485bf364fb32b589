import t from 'tap'
import { WebSocketServer, type WebSocket } from 'ws'
import { BET_ENGINE_ADDRESS } from './constants.ts'
import { createRollbookSocket, watchAccount, watchMarket, watchPreconfirmations, type WatchErrorType } from './watch.ts'
import type { BetEngineEvent } from './events.ts'
import type { BetEngineReceipt } from './receipt.ts'

interface Frame {
  id: number
  method: string
  params: unknown[]
}

/**
 * A WebSocket peer speaking the node's rollbook_subscribe protocol, scripted by the test: the real
 * node's channels are exercised in sdk.integration.test.ts; this covers what a node rarely does.
 */
async function startPeer(answer: (frame: Frame, socket: WebSocket) => unknown) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const frames: Frame[] = []
  const sockets: WebSocket[] = []
  server.on('connection', (socket) => {
    sockets.push(socket)
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame
      frames.push(frame)
      const reply = answer(frame, socket)
      if (reply !== undefined) socket.send(JSON.stringify({ jsonrpc: '2.0', id: frame.id, ...(reply as object) }))
    })
  })
  const { port } = server.address() as { port: number }
  return {
    url: `ws://127.0.0.1:${port}`,
    frames,
    sockets,
    notify(subscription: string, result: unknown) {
      for (const socket of sockets) socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'rollbook_subscription', params: { subscription, result } }))
    },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.terminate()
      server.close(() => resolve())
    }),
  }
}

const subscribing = (frame: Frame) =>
  frame.method === 'rollbook_subscribe' ? { result: `0x${String(frame.params[0]).length}${frame.id}` } : frame.method === 'rollbook_unsubscribe' ? { result: true } : undefined

function waitFor(check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const timer = setInterval(() => {
      if (check()) {
        clearInterval(timer)
        resolve()
      } else if (Date.now() - started > 2_000) {
        clearInterval(timer)
        reject(new Error('timed out'))
      }
    }, 5)
  })
}

const txHash = `0x${'ab'.repeat(32)}`
const bettor = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'

t.test('channels are subscribed with the node params, notifications routed by id and parsed', async (t) => {
  const peer = await startPeer(subscribing)
  t.teardown(peer.close)
  const socket = await createRollbookSocket(peer.url)
  const marketEvents: BetEngineEvent[] = []
  const accountEvents: BetEngineEvent[] = []
  const receipts: BetEngineReceipt[] = []
  const errors: WatchErrorType[] = []
  const onError = (e: WatchErrorType) => errors.push(e)
  const unwatchMarket = await watchMarket(socket, { marketId: 255n, onEvent: (e) => marketEvents.push(e), onError })
  await watchAccount(socket, { address: bettor, onEvent: (e) => accountEvents.push(e), onError })
  await watchPreconfirmations(socket, { onReceipt: (r) => receipts.push(r), onError })
  t.same(
    peer.frames.map((f) => [f.method, f.params]),
    [
      ['rollbook_subscribe', ['market', '0xff']],
      ['rollbook_subscribe', ['account', bettor]],
      ['rollbook_subscribe', ['preconfirmations']],
    ],
  )
  const [marketId, accountId, preconfId] = peer.frames.map((f) => `0x${String(f.params[0]).length}${f.id}`)

  const resolved = { event: 'MarketResolved', args: { marketId: '255', result: '1' }, transactionHash: txHash, blockNumber: '0x3', logIndex: '0x0' }
  peer.notify(marketId, resolved)
  peer.notify(accountId, { ...resolved, event: 'BetSettled', args: { betId: '9', marketId: '255', bettor: bettor.toLowerCase(), paid: '0' } })
  peer.notify(preconfId, {
    transactionHash: txHash,
    transactionIndex: '0x0',
    blockHash: null,
    blockNumber: '0x3',
    from: bettor.toLowerCase(),
    to: BET_ENGINE_ADDRESS,
    cumulativeGasUsed: '0x5208',
    gasUsed: '0x5208',
    effectiveGasPrice: '0x0',
    contractAddress: null,
    logs: [],
    logsBloom: `0x${'00'.repeat(256)}`,
    status: '0x1',
    type: '0x2',
  })
  peer.notify('0xunknown', resolved)
  await waitFor(() => marketEvents.length + accountEvents.length + receipts.length === 3)
  t.match(marketEvents[0], { event: 'MarketResolved', args: { marketId: 255n, result: 1 }, blockNumber: 3n, logIndex: 0 })
  t.match(accountEvents[0], { event: 'BetSettled', args: { betId: 9n, bettor, paid: 0n } })
  t.match(receipts[0], { transactionHash: txHash, status: 'success', blockNumber: 3n, blockHash: null, events: [] })

  peer.notify(marketId, { ...resolved, args: { marketId: 'x' } })
  peer.notify(preconfId, { transactionHash: txHash })
  await waitFor(() => errors.length === 2)
  t.same(
    errors.map((e) => [e.name, (e as { shortMessage: string }).shortMessage]),
    [
      ['InvalidNotificationError', 'The node sent a malformed market notification.'],
      ['InvalidNotificationError', 'The node sent a malformed preconfirmations notification.'],
    ],
  )

  await unwatchMarket()
  t.same(peer.frames.at(-1)?.method, 'rollbook_unsubscribe')
  t.same(peer.frames.at(-1)?.params, [marketId])
  peer.notify(marketId, resolved)
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(marketEvents.length, 1, 'nothing arrives after unsubscribing')
  await socket.close()
  t.equal(errors.length, 2, 'closing by the client tells no subscriber')
})

t.test('answers are matched to requests by id, in whatever order they come', async (t) => {
  const held: Frame[] = []
  const peer = await startPeer((frame, socket) => {
    held.push(frame)
    if (held.length < 2) return undefined
    for (const f of held.reverse()) socket.send(JSON.stringify({ jsonrpc: '2.0', id: f.id, result: `sub-${f.params[1]}` }))
    return undefined
  })
  t.teardown(peer.close)
  const socket = await createRollbookSocket(peer.url)
  t.teardown(() => socket.close())
  const seen: bigint[] = []
  await Promise.all([
    watchMarket(socket, { marketId: 1n, onEvent: (e) => seen.push(e.blockNumber) }),
    watchMarket(socket, { marketId: 2n, onEvent: (e) => seen.push(e.blockNumber * 100n) }),
  ])
  const event = { event: 'MarketResolved', args: { marketId: '1', result: '0' }, transactionHash: txHash, logIndex: '0x0' }
  peer.notify('sub-0x1', { ...event, blockNumber: '0x1' })
  peer.notify('sub-0x2', { ...event, blockNumber: '0x2' })
  await waitFor(() => seen.length === 2)
  t.same(seen, [1n, 200n])
})

t.test('an error answer rejects with RollbookRpcError', async (t) => {
  const peer = await startPeer((frame) => ({ error: { code: -32602, message: 'invalid argument 1: hex string of 20 bytes expected', data: frame.params } }))
  t.teardown(peer.close)
  const socket = await createRollbookSocket(peer.url)
  t.teardown(() => socket.close())
  await t.rejects(watchAccount(socket, { address: bettor, onEvent: () => {} }), {
    name: 'RollbookRpcError',
    code: -32602,
    shortMessage: 'invalid argument 1: hex string of 20 bytes expected',
    data: ['account', bettor],
  })
})

t.test('a request without an answer times out', async (t) => {
  const peer = await startPeer(() => undefined)
  t.teardown(peer.close)
  const socket = await createRollbookSocket(peer.url, { requestTimeoutMs: 50 })
  t.teardown(() => socket.close())
  await t.rejects(watchPreconfirmations(socket, { onReceipt: () => {} }), { name: 'RollbookRpcError', shortMessage: /no answer within 50 ms/ })
})

t.test('the node going away fails pending requests and tells every subscriber', async (t) => {
  let answered = false
  const peer = await startPeer((frame) => {
    if (answered) return undefined
    answered = true
    return subscribing(frame)
  })
  const socket = await createRollbookSocket(peer.url)
  const errors: WatchErrorType[] = []
  await watchPreconfirmations(socket, { onReceipt: () => {}, onError: (e) => errors.push(e) })
  const pending = watchMarket(socket, { marketId: 1n, onEvent: () => {} })
  await waitFor(() => peer.frames.length === 2)
  await peer.close()
  await t.rejects(pending, { name: 'SocketClosedError' })
  await waitFor(() => errors.length === 1)
  t.equal(errors[0].name, 'SocketClosedError')
  await t.rejects(watchMarket(socket, { marketId: 1n, onEvent: () => {} }), { name: 'SocketClosedError' })
  await socket.close()
})

t.test('connecting to nothing is SocketClosedError', async (t) => {
  const peer = await startPeer(() => undefined)
  const url = peer.url
  await peer.close()
  await t.rejects(createRollbookSocket(url), { name: 'SocketClosedError' })
})
