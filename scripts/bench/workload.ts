import { pbkdf2Sync } from 'node:crypto'
import { encodeFunctionData, type Address, type Hex } from 'viem'
import { HDKey, hdKeyToAccount } from 'viem/accounts'
import { devAccounts, devGenesis, parseGenesis, type Genesis } from '../../node/chain/genesis.ts'
import { betEngineAbi } from '../../sdk/src/betEngine/index.ts'
import { DEV_MNEMONIC, STAKE_DECIMALS } from '../../sdk/src/constants.ts'
import type { SignTask } from './signing.ts'

const TOKEN = 10n ** BigInt(STAKE_DECIMALS)
export const BETTOR_BALANCE = 1_000_000n * TOKEN
export const HOUSE_BALANCE = 10n ** 15n * TOKEN
/** accounts 0..9 are the dev genesis' (operator 0, oracle 1); bettors come after them */
const FIRST_BETTOR = 10

export interface BenchAccount {
  address: Address
  privateKey: Hex
}

export interface BenchAccounts {
  operator: BenchAccount
  oracle: BenchAccount
  bettors: BenchAccount[]
}

/**
 * The test mnemonic's accounts, as devAccounts() derives them, but with the BIP-39 seed computed
 * once (devAccounts recomputes its 2048 PBKDF2 rounds per account: ~60 ms each here).
 */
export function benchAccounts(bettorCount: number): BenchAccounts {
  const seed = pbkdf2Sync(DEV_MNEMONIC.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512')
  const root = HDKey.fromMasterSeed(seed)
  const all = Array.from({ length: FIRST_BETTOR + bettorCount }, (_, i) => {
    const account = hdKeyToAccount(root, { addressIndex: i })
    const key = account.getHdKey().privateKey
    if (key === null) throw new Error('HD account without a private key')
    return { address: account.address, privateKey: `0x${Buffer.from(key).toString('hex')}` as Hex }
  })
  const [operator, oracle] = devAccounts(2)
  if (operator.address !== all[0].address || oracle.address !== all[1].address) throw new Error('bench accounts differ from devAccounts()')
  return { operator: all[0], oracle: all[1], bettors: all.slice(FIRST_BETTOR) }
}

/** The dev genesis' shape and parties, plus a stake balance for every bettor and a deep house. */
export function benchGenesis(accounts: BenchAccounts, timestamp: number, chainId: number): Genesis {
  const genesis = parseGenesis(devGenesis(timestamp, chainId))
  const balances = { ...genesis.betEngine.balances }
  for (const b of accounts.bettors) balances[b.address] = BETTOR_BALANCE
  balances[accounts.operator.address] = HOUSE_BALANCE
  return { ...genesis, betEngine: { ...genesis.betEngine, balances } }
}

function outcomeCount(marketId: number): number {
  return 2 + (marketId % 2)
}

/** The operator's markets: 2 or 3 outcomes, caps far above what the run can reach, closing in an hour. */
export function marketTasks(accounts: BenchAccounts, markets: number, nowSeconds: number): SignTask[] {
  const closeTime = BigInt(nowSeconds + 3600)
  return Array.from({ length: markets }, (_, i) => {
    const id = i + 1
    const odds = outcomeCount(id) === 2 ? [19_000, 21_000] : [25_000, 30_000, 35_000]
    return {
      privateKey: accounts.operator.privateKey,
      nonce: i,
      data: encodeFunctionData({ abi: betEngineAbi, functionName: 'createMarket', args: [outcomeCount(id), odds, closeTime, 10n ** 24n, 10n ** 30n] }),
    }
  })
}

/**
 * Bet `j` of the whole sequence: bettor j % n with nonce floor(j / n), so any prefix (and the rest
 * after it) is gap free per account, spread over every market and outcome; minOdds lets all pass.
 */
export function betTasks(accounts: BenchAccounts, markets: number, count: number): SignTask[] {
  const n = accounts.bettors.length
  return Array.from({ length: count }, (_, j) => {
    const round = Math.floor(j / n)
    const marketId = 1 + ((j + round * 7) % markets)
    return {
      privateKey: accounts.bettors[j % n].privateKey,
      nonce: round,
      data: encodeFunctionData({
        abi: betEngineAbi,
        functionName: 'placeBet',
        args: [BigInt(marketId), j % outcomeCount(marketId), TOKEN + BigInt(j % 1000) * 1000n, 10_001],
      }),
    }
  })
}
