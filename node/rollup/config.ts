import { z } from 'zod'
import { getAddress, isAddress } from 'viem'
import { GenesisSchema } from '../chain/genesis.ts'
import { parseOrThrow } from '../schema.ts'

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), { message: 'not a 20-byte hex address' })
  .transform((v) => getAddress(v))

/**
 * The rollup's protocol config, identical on every node (sequencer, replica, challenger): the L2
 * genesis and where the rollup lives on L1. `rollbook devnet` writes it; `--rollup FILE` reads it.
 */
export const RollupConfigSchema = z
  .object({
    genesis: GenesisSchema,
    l1: z
      .object({
        chainId: z.number().int().positive(),
        /** the L1 block the contracts were deployed in: derivation starts there */
        startBlock: z.number().int().nonnegative(),
        contracts: z
          .object({
            inbox: address,
            outputRoots: address,
            bridge: address,
            messageQueue: address,
            stablecoin: address,
            /** FraudVerifier (docs/decisions/0006): a challenger sends its proofs there */
            fraudVerifier: address.optional(),
          })
          .strict(),
      })
      .strict(),
    /** L1 blocks within which the sequencer must include a queued deposit or forced tx */
    sequencerWindow: z.number().int().positive().default(100),
  })
  .strict()

export type RollupConfig = z.output<typeof RollupConfigSchema>
export type RollupConfigInput = z.input<typeof RollupConfigSchema>

export class RollupConfigError extends Error {
  override readonly name = 'RollupConfigError'
}

export function parseRollupConfig(json: unknown): RollupConfig {
  return parseOrThrow(RollupConfigSchema, json, (path, message) => new RollupConfigError(`invalid rollup config: ${path || '(root)'}: ${message}`))
}
