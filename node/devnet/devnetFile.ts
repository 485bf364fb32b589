/**
 * DIR/devnet.json: everything a wallet, a script or a test needs to use a running devnet (URLs,
 * chain ids, contract addresses, accounts with keys and roles, demo markets). Written at the end
 * of every start; its presence means the devnet was set up and a start resumes it.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { z } from 'zod'
import { getAddress, isAddress, isHex } from 'viem'
import { parseOrThrow } from '../schema.ts'
import { DevnetError } from './errors.ts'

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), { message: 'not a 20-byte hex address' })
  .transform((v) => getAddress(v))
const baseUnits = z.string().regex(/^\d+$/, 'a decimal integer of base units')
const port = z.number().int().min(1).max(65535)
const endpoint = z.object({ httpUrl: z.string().url(), wsUrl: z.string().url(), port }).strict()

export const DevnetFileSchema = z
  .object({
    version: z.literal(1),
    createdAt: z.string().datetime(),
    /** the rollup config (L2 genesis and L1 addresses) the nodes run with, beside this file */
    rollupConfig: z.string().min(1),
    l1: z
      .object({
        chainId: z.number().int().positive(),
        ...endpoint.shape,
        blockTimeSeconds: z.number().int().positive(),
        /** the L1 block the contracts were deployed in */
        startBlock: z.number().int().nonnegative(),
        challengeWindowSeconds: z.number().int().positive(),
        /** the proposer's minimum bond, in wei */
        minBond: baseUnits,
        contracts: z.object({ inbox: address, outputRoots: address, bridge: address, messageQueue: address, stablecoin: address, fraudVerifier: address.optional() }).strict(),
      })
      .strict(),
    l2: z
      .object({
        chainId: z.number().int().positive(),
        betEngine: address,
        sequencer: endpoint,
        replica: endpoint,
      })
      .strict(),
    accounts: z
      .array(
        z
          .object({
            index: z.number().int().nonnegative(),
            address,
            privateKey: z.string().refine((v) => isHex(v) && v.length === 66, { message: 'expected 32 bytes of 0x-prefixed hex' }),
            role: z.enum(['operator', 'oracle', 'bettor', 'batcher', 'proposer']),
            description: z.string(),
            /** test stablecoin minted on L1 at setup, base units (6 decimals) */
            l1Minted: baseUnits,
            /** the part of it deposited to L2 through the bridge */
            l2Deposit: baseUnits,
          })
          .strict(),
      )
      .min(1),
    markets: z.array(
      z
        .object({
          id: z.number().int().positive(),
          name: z.string(),
          outcomes: z.array(z.string()).min(2),
          /** decimal odds × 10⁴, one per outcome */
          odds: z.array(z.number().int().positive()).min(2),
          /** unix seconds */
          closeTime: z.number().int().positive(),
        })
        .strict(),
    ),
  })
  .strict()

export type DevnetFile = z.output<typeof DevnetFileSchema>

export function readDevnetFile(file: string): DevnetFile | undefined {
  if (!existsSync(file)) return undefined
  let json: unknown
  try {
    json = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new DevnetError(`${file} is not valid JSON (${(e as Error).message}); remove the datadir to start a fresh devnet`)
  }
  return parseOrThrow(DevnetFileSchema, json, (path, message) => new DevnetError(`${file}: ${path || '(root)'}: ${message}; remove the datadir to start a fresh devnet`))
}

/** Written to a temp file and renamed, so a reader never sees half a file; returns it as written (checksummed addresses). */
export function writeDevnetFile(file: string, contents: DevnetFile): DevnetFile {
  const checked = DevnetFileSchema.parse(contents)
  writeFileSync(`${file}.tmp`, `${JSON.stringify(checked, null, 2)}\n`)
  renameSync(`${file}.tmp`, file)
  return checked
}
