import { bytesToHex } from '@ethereumjs/util'
import type { Address, Hex } from 'viem'
import type { HDAccount } from 'viem/accounts'
import { STAKE_DECIMALS } from '../../sdk/src/constants.ts'
import { devAccounts } from '../chain/genesis.ts'

export type DevnetRole = 'operator' | 'oracle' | 'bettor' | 'batcher' | 'proposer'

export interface DevnetAccount {
  index: number
  address: Address
  privateKey: Hex
  role: DevnetRole
  /** what the role means, for the summary and devnet.json */
  description: string
  /** test stablecoin minted on L1, in base units (6 decimals) */
  l1Minted: bigint
  /** the half of it deposited to L2 through the bridge */
  l2Deposit: bigint
}

const TUSD = 10n ** BigInt(STAKE_DECIMALS)
/** The house backs every bet (decision 0002), so the operator holds far more than a bettor. */
const OPERATOR_MINT = 1_000_000n * TUSD
const ACCOUNT_MINT = 10_000n * TUSD

const ROLES: Record<number, { role: DevnetRole; description: string }> = {
  0: { role: 'operator', description: 'operator and house: creates markets, backs every bet' },
  1: { role: 'oracle', description: 'oracle: reports results' },
  8: { role: 'batcher', description: 'sequencer L1 key: posts batches to the inbox' },
  9: { role: 'proposer', description: 'proposer L1 key: posts output roots with a bond' },
}

/** The test mnemonic's first ten accounts (anvil funds them with ETH) with their devnet roles. */
export function devnetAccounts(): { accounts: DevnetAccount[]; signers: HDAccount[] } {
  const signers = devAccounts()
  const accounts = signers.map((signer, index): DevnetAccount => {
    const { role, description } = ROLES[index] ?? { role: 'bettor', description: 'bettor' }
    const l1Minted = index === 0 ? OPERATOR_MINT : ACCOUNT_MINT
    return { index, address: signer.address, privateKey: bytesToHex(signer.getHdKey().privateKey!) as Hex, role, description, l1Minted, l2Deposit: l1Minted / 2n }
  })
  return { accounts, signers }
}

export function accountWithRole(accounts: DevnetAccount[], role: DevnetRole): DevnetAccount {
  const account = accounts.find((a) => a.role === role)
  if (account === undefined) throw new Error(`no devnet account has the role ${role}`)
  return account
}
