import { z } from 'zod'
import { parseOrThrow } from '../schema.ts'
import { getAddress, isAddress, type Address } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { DEV_MNEMONIC, STAKE_DECIMALS } from '../../sdk/src/constants.ts'

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), { message: 'not a 20-byte hex address' })
  .transform((v) => getAddress(v))
const amount = z
  .union([z.string().regex(/^\d+$/, 'a decimal integer of base units'), z.number().int().nonnegative()])
  .transform((v) => BigInt(v))

/** The protocol's genesis: identical on every node of a chain (DESIGN.md, STYLE.md: protocol config apart from operator options). */
export const GenesisSchema = z
  .object({
    chainId: z.number().int().positive().max(2 ** 53 - 1),
    /** unix seconds of block 0 */
    timestamp: z.number().int().nonnegative(),
    /** a block is sealed when it holds this many txs, even before the block time */
    maxTxsPerBlock: z.number().int().min(1).max(20_000).default(4_000),
    betEngine: z.object({
      operator: address,
      /** seated alone on the genesis oracle committee (threshold 1, no dispute window: docs/decisions/0007) */
      oracle: address,
      balances: z
        .record(z.string(), amount)
        .default({})
        .transform((rec, ctx) => {
          const out: Record<Address, bigint> = {}
          for (const [key, value] of Object.entries(rec)) {
            if (!isAddress(key, { strict: false })) {
              ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${key} is not an address` })
              return z.NEVER
            }
            out[getAddress(key)] = value
          }
          return out
        }),
    }),
  })
  .strict()

export type Genesis = z.output<typeof GenesisSchema>
export type GenesisInput = z.input<typeof GenesisSchema>

export class GenesisError extends Error {
  override readonly name = 'GenesisError'
}

export function parseGenesis(json: unknown): Genesis {
  return parseOrThrow(GenesisSchema, json, (path, message) => new GenesisError(`invalid genesis: ${path || '(root)'}: ${message}`))
}

export const DEV_CHAIN_ID = 42069
export const DEV_ACCOUNT_COUNT = 10
export const DEV_STAKE_BALANCE = 1_000_000n * 10n ** BigInt(STAKE_DECIMALS)

export function devAccounts(count = DEV_ACCOUNT_COUNT) {
  return Array.from({ length: count }, (_, i) => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: i }))
}

/** Dev genesis: the ten test accounts each hold 1,000,000 stake tokens; account 0 operates, account 1 is the oracle. */
export function devGenesis(timestamp: number, chainId = DEV_CHAIN_ID): GenesisInput {
  const accounts = devAccounts()
  const balances: Record<Address, string> = {}
  for (const a of accounts) balances[a.address] = DEV_STAKE_BALANCE.toString()
  return {
    chainId,
    timestamp,
    betEngine: { operator: accounts[0].address, oracle: accounts[1].address, balances },
  }
}

export function genesisToJson(genesis: Genesis): GenesisInput {
  const balances: Record<Address, string> = {}
  for (const [a, v] of Object.entries(genesis.betEngine.balances)) balances[a as Address] = String(v)
  return { ...genesis, betEngine: { ...genesis.betEngine, balances } }
}
