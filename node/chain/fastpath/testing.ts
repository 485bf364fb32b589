/**
 * Test and bench support for the fast path: bettor keys, bet engine calldata, txs signed with native
 * libsecp256k1 (viem's @noble signing is ~700/s; thousands of bets would spend most of a test signing),
 * and real L2Chains on LevelDB in temp dirs.
 */
import { createRequire } from 'node:module'
import { rmSync } from 'node:fs'
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx, type AccessList } from '@ethereumjs/tx'
import { bytesToHex, concatBytes, createAddressFromPrivateKey, hexToBytes, type PrefixedHexString } from '@ethereumjs/util'
import { encodeFunctionData, type Address, type Hex } from 'viem'
import { pino, type Logger } from 'pino'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../../../sdk/src/constants.ts'
import { betEngineAbi } from '../../../sdk/src/generated/contracts.ts'
import { openLevel } from '../../storage/level.ts'
import { tempDatadir } from '../../testing/testNode.ts'
import { L2Chain } from '../chain.ts'
import { createCustomCommon, Mainnet } from '@ethereumjs/common'
import { L2_HARDFORK } from '../common.ts'
import { customCrypto, keccak256 } from '../crypto.ts'
import { parseGenesis, type Genesis } from '../genesis.ts'
import type { FastPathOptions } from './options.ts'
import type { PlaceBetFastPath } from './placeBet.ts'

const require = createRequire(import.meta.url)
const nativeSecp = require('secp256k1') as { ecdsaSign(msg: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number } }

export interface TestAccount {
  privateKey: Uint8Array
  address: Address
}

/** Deterministic keys: keccak256("rollbook-fastpath-" + i). */
export function testAccounts(count: number): TestAccount[] {
  return Array.from({ length: count }, (_, i) => {
    const privateKey = keccak256(new TextEncoder().encode(`rollbook-fastpath-${i}`))
    return { privateKey, address: createAddressFromPrivateKey(privateKey).toString() as Address }
  })
}

/** A genesis whose operator (the house) is accounts[0] and oracle accounts[1], with the given bet engine balances. */
export function testGenesis(chainId: number, timestamp: number, operator: Address, oracle: Address, balances: Map<Address, bigint>): Genesis {
  const rec: Record<string, string> = {}
  for (const [a, v] of balances) rec[a] = v.toString()
  return parseGenesis({ chainId, timestamp, maxTxsPerBlock: 20_000, betEngine: { operator, oracle, balances: rec } })
}

export const calldata = {
  placeBet: (marketId: bigint, outcome: number, stake: bigint, minOdds: number): Hex =>
    encodeFunctionData({ abi: betEngineAbi, functionName: 'placeBet', args: [marketId, outcome, stake, minOdds] }),
  createMarket: (outcomeCount: number, odds: number[], closeTime: bigint, maxStake: bigint, maxLiability: bigint): Hex =>
    encodeFunctionData({ abi: betEngineAbi, functionName: 'createMarket', args: [outcomeCount, odds, closeTime, maxStake, maxLiability] }),
  setOdds: (marketId: bigint, odds: number[]): Hex => encodeFunctionData({ abi: betEngineAbi, functionName: 'setOdds', args: [marketId, odds] }),
  reportResult: (marketId: bigint, result: number): Hex =>
    encodeFunctionData({ abi: betEngineAbi, functionName: 'reportResult', args: [marketId, result] }),
  settleBet: (betId: bigint): Hex => encodeFunctionData({ abi: betEngineAbi, functionName: 'settleBet', args: [betId] }),
}

/** Signs EIP-1559 txs as bettors' wallets send them: to the bet engine, zero fees, the fixed gas limit. */
export class TestSigner {
  private readonly common

  constructor(chainId: number) {
    const ecsign = (msgHash: Uint8Array, key: Uint8Array) => {
      const { signature, recid } = nativeSecp.ecdsaSign(msgHash, key)
      return concatBytes(Uint8Array.of(recid), signature)
    }
    this.common = createCustomCommon({ chainId, name: 'rollbook' }, Mainnet, { hardfork: L2_HARDFORK, customCrypto: { ...customCrypto, ecsign: ecsign as never } })
  }

  /** EIP-1559 by default; `type` 0 (EIP-155 legacy) and 1 (EIP-2930) carry gas price 0. */
  sign(account: TestAccount, nonce: bigint, data: Hex | Uint8Array, opts: { to?: Address; type?: 0 | 1 | 2; accessList?: AccessList } = {}): Uint8Array {
    const fields = {
      nonce,
      to: opts.to ?? BET_ENGINE_ADDRESS,
      data: typeof data === 'string' ? hexToBytes(data as PrefixedHexString) : data,
      gasLimit: TX_GAS_LIMIT,
      value: 0n,
    }
    const common = { common: this.common }
    const chainId = this.common.chainId()
    const accessList = opts.accessList ?? []
    const tx =
      opts.type === 0
        ? createLegacyTx({ ...fields, gasPrice: 0n }, common)
        : opts.type === 1
          ? createAccessList2930Tx({ ...fields, chainId, gasPrice: 0n, accessList }, common)
          : createFeeMarket1559Tx({ ...fields, chainId, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, accessList }, common)
    return tx.sign(account.privateKey).serialize()
  }
}

export interface TestChain {
  chain: L2Chain
  close(): Promise<void>
}

/** A real L2Chain on LevelDB in a temp dir. */
export async function openTestChain(genesis: Genesis, opts: Partial<FastPathOptions>, modules: { logger?: Logger; fastPath?: PlaceBetFastPath } = {}): Promise<TestChain> {
  const dir = tempDatadir('rollbook-fastpath-')
  const db = await openLevel(dir)
  const logger = modules.logger ?? pino({ level: process.env.ROLLBOOK_TEST_LOG ?? 'silent' })
  const chain = await L2Chain.init(genesis, { db, logger, fastPath: modules.fastPath }, opts)
  return {
    chain,
    close: async () => {
      await chain.flushWrites().catch(() => undefined)
      await db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export function hex(bytes: Uint8Array): string {
  return bytesToHex(bytes)
}
