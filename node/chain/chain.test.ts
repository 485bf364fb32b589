import t from 'tap'
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import type { Address as Hex20 } from 'viem'
import { balanceSlot } from '../../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS } from '../../sdk/src/constants.ts'
import { calldata, openTestChain, testAccounts, testGenesis, TestSigner } from './fastpath/testing.ts'

const CHAIN_ID = 901
const T0 = 1_700_000_000

t.test('a sealed block is served from memory while its write is in flight, then from disk', async (t) => {
  const accounts = testAccounts(4)
  const genesis = testGenesis(CHAIN_ID, T0, accounts[0].address, accounts[1].address, new Map<Hex20, bigint>(accounts.map((a) => [a.address, 10n ** 12n])))
  const { chain, close } = await openTestChain(genesis, {})
  t.teardown(close)
  const signer = new TestSigner(CHAIN_ID)
  const pending = await chain.openBlock(BigInt(T0 + 1))
  await chain.applyTx(pending, chain.decodeTx(signer.sign(accounts[0], 0n, calldata.createMarket(2, [20_000, 20_000], BigInt(T0 + 1000), 10n ** 9n, 10n ** 12n))))
  const bet = await chain.applyTx(pending, chain.decodeTx(signer.sign(accounts[2], 0n, calldata.placeBet(1n, 0, 1_000_000n, 0))))
  t.equal(bet.status, 1)

  const sealed = await chain.sealBlock(pending)
  let landed = false
  void sealed.written.then(() => (landed = true))
  // before the write lands
  t.notOk(landed, 'the write is still in flight')
  t.equal(chain.head.header.number, 1n)
  t.equal(bytesToHex((await chain.store.getBlockByNumber(1n))!.hash()), bytesToHex(sealed.hash), 'block by number')
  t.same(await chain.store.getTxLocation(bet.hash), { blockNumber: 1n, index: 1 }, 'tx location')
  t.equal((await chain.store.getOutcomes(sealed.hash))?.length, 2, 'receipts')
  const state = await chain.stateAt(sealed.block)
  const slot = await state.getStorage(new Address(hexToBytes(BET_ENGINE_ADDRESS)), hexToBytes(balanceSlot(accounts[2].address)))
  t.equal(BigInt(bytesToHex(slot)), 10n ** 12n - 1_000_000n, 'state at the new root reads the unwritten trie nodes')

  await sealed.written
  t.ok(landed)
  t.same(await chain.store.getTxLocation(bet.hash), { blockNumber: 1n, index: 1 }, 'tx location from disk')
  t.equal(bytesToHex((await chain.store.getCanonicalHash(1n))!), bytesToHex(sealed.hash), 'canonical hash from disk')
  t.equal(bytesToHex((await chain.store.getHeadHash())!), bytesToHex(sealed.hash), 'head pointer on disk')
})
