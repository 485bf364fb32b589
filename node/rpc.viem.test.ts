import t from 'tap'
import { createMPT, verifyMPTWithMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { decodeEventLog, hexToBytes, parseEventLogs, toRlp, type Hex } from 'viem'
import { betEngineAbi, balanceSlot } from '../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../sdk/src/constants.ts'
import { DEV_STAKE_BALANCE } from './chain/genesis.ts'
import { bettors, clients, operator } from './testing/accounts.ts'
import { startTestNode } from './testing/testNode.ts'

const fees = { gas: TX_GAS_LIMIT, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n } as const

t.test('viem clients, unmodified, against a real node', async (t) => {
  const node = await startTestNode()
  t.teardown(() => node.close())
  const op = clients(node.chainId, node.httpUrl, operator)
  const bettor = clients(node.chainId, node.httpUrl, bettors[0])
  const { publicClient } = op

  t.equal(await publicClient.getChainId(), node.chainId, 'eth_chainId')
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 3600)

  const createHash = await op.walletClient.writeContract({
    address: BET_ENGINE_ADDRESS,
    abi: betEngineAbi,
    functionName: 'createMarket',
    args: [2, [20_000, 18_000], closeTime, 1_000_000_000n, 100_000_000_000n],
    ...fees,
  })
  // preconfirmed: the receipt is readable as soon as eth_sendRawTransaction answered
  const createReceipt = await publicClient.getTransactionReceipt({ hash: createHash })
  t.equal(createReceipt.status, 'success', 'createMarket receipt at once')
  const [created] = parseEventLogs({ abi: betEngineAbi, logs: createReceipt.logs, eventName: 'MarketCreated' })
  t.equal(created.args.marketId, 1n, 'MarketCreated log decodes')

  const stake = 10_000_000n
  const betHash = await bettor.walletClient.writeContract({
    address: BET_ENGINE_ADDRESS,
    abi: betEngineAbi,
    functionName: 'placeBet',
    args: [1n, 0, stake, 20_000],
    ...fees,
  })
  const betReceipt = await publicClient.getTransactionReceipt({ hash: betHash })
  t.equal(betReceipt.status, 'success', 'bet receipt')
  const betLog = decodeEventLog({ abi: betEngineAbi, ...betReceipt.logs[0] })
  t.equal(betLog.eventName, 'BetPlaced')
  t.match(betLog.args, { betId: 1n, marketId: 1n, bettor: bettors[0].address, stake, odds: 20_000, payout: 20_000_000n })

  const tx = await publicClient.getTransaction({ hash: betHash })
  t.equal(tx.from.toLowerCase(), bettors[0].address.toLowerCase(), 'eth_getTransactionByHash')
  t.equal(tx.gas, TX_GAS_LIMIT)

  const balance = await publicClient.readContract({ address: BET_ENGINE_ADDRESS, abi: betEngineAbi, functionName: 'balanceOf', args: [bettors[0].address] })
  t.equal(balance, DEV_STAKE_BALANCE - stake, 'eth_call sees the preconfirmed bet')
  t.equal(await publicClient.getTransactionCount({ address: bettors[0].address, blockTag: 'pending' }), 1, 'pending nonce')
  t.equal(await publicClient.estimateGas({ account: bettors[0].address, to: BET_ENGINE_ADDRESS, data: '0x' }).catch(() => -1n), -1n, 'estimateGas of a call that reverts is an error')

  // wait until the bet's block is sealed
  let receipt = betReceipt
  for (let i = 0; i < 100 && receipt.blockHash === `0x${'00'.repeat(32)}`; i++) {
    await new Promise((r) => setTimeout(r, 50))
    receipt = await publicClient.getTransactionReceipt({ hash: betHash })
  }
  const block = await publicClient.getBlock({ blockHash: receipt.blockHash })
  t.ok(block.transactions.includes(betHash), 'the sealed block lists the bet')
  t.equal(block.hash, receipt.blockHash)
  const parent = await publicClient.getBlock({ blockNumber: block.number - 1n })
  t.equal(block.parentHash, parent.hash, 'parent hash chain')

  const logs = await publicClient.getContractEvents({ address: BET_ENGINE_ADDRESS, abi: betEngineAbi, eventName: 'BetPlaced', fromBlock: 0n })
  t.equal(logs.length, 1, 'eth_getLogs finds the bet')
  t.equal(logs[0].transactionHash, betHash)

  // eth_getProof verifies against the block's state root with @ethereumjs/mpt
  const slot = balanceSlot(bettors[0].address)
  const proof = await publicClient.getProof({ address: BET_ENGINE_ADDRESS, storageKeys: [slot], blockNumber: block.number })
  const accountRlp = await verifyMPTWithMerkleProof(
    await createMPT({ useKeyHashing: true }),
    hexToBytes(block.stateRoot),
    hexToBytes(BET_ENGINE_ADDRESS),
    proof.accountProof.map((p) => hexToBytes(p)),
  )
  t.ok(accountRlp, 'account proof verifies against the state root')
  const decoded = RLP.decode(accountRlp!) as Uint8Array[]
  t.equal(Buffer.from(decoded[2]).toString('hex'), proof.storageHash.slice(2), 'storage root in the account matches storageHash')
  const valueRlp = await verifyMPTWithMerkleProof(
    await createMPT({ useKeyHashing: true }),
    hexToBytes(proof.storageHash),
    hexToBytes(slot),
    proof.storageProof[0].proof.map((p) => hexToBytes(p)),
  )
  t.equal(toRlp(`0x${(DEV_STAKE_BALANCE - stake).toString(16).padStart(2, '0')}` as Hex), `0x${Buffer.from(valueRlp!).toString('hex')}`, 'storage proof proves the balance')
  t.equal(proof.storageProof[0].value, DEV_STAKE_BALANCE - stake)
})
