import { z } from 'zod'
import { getAddress, isAddress, isHex, type Hex } from 'viem'
import { parseOrThrow } from '../../node/schema.ts'
import { ProposerConfigError } from './errors.ts'

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), { message: 'not a 20-byte hex address' })
  .transform((v) => getAddress(v))
const positiveMs = z.number().int().positive()

export const ProposerOptionsSchema = z
  .object({
    /** L1 JSON-RPC endpoint (--l1-rpc) */
    l1RpcUrl: z.string().regex(/^https?:\/\/\S+$/, 'expected an http(s) URL'),
    /** the OutputRoots contract, from the rollup config's l1.contracts.outputRoots */
    outputRoots: address,
    /** the RollbookInbox, from l1.contracts.inbox: a batch is proposed once it is closed there, deep enough */
    inbox: address,
    /** the rollup config's l1.startBlock: a batch's ChunkPosted events are looked for from there */
    l1StartBlock: z.number().int().nonnegative().default(0),
    /**
     * the proposer's L1 key (--proposer-key): OutputRoots takes outputs from it only. It must not be the
     * batcher's key (the inbox's sequencer): the proposer stops at start if it is (they would share one nonce).
     */
    privateKey: z
      .string()
      .refine((v) => isHex(v) && v.length === 66, { message: 'expected 32 bytes of 0x-prefixed hex' })
      .transform((v) => v as Hex),
    /** the L1 chain id from the rollup config; checked against the RPC at start when given */
    l1ChainId: z.number().int().positive().optional(),
    /** wei sent with each output; omitted, the contract's minBond (read at start) */
    bond: z.union([z.bigint(), z.string().regex(/^\d+$/, 'expected wei as a decimal string').transform(BigInt)]).optional(),
    /** a batch is proposed once its last chunk is this many L1 blocks deep (the batcher's --l1-confirmations) */
    l1Confirmations: z.number().int().min(0).max(1_000).default(0),
    /** how often L1's output count and the posted batches are looked at, and a pending tx (ms) */
    pollIntervalMs: positiveMs.default(1_000),
    /** a proposal tx still pending after this long is re-sent with bumped fees (ms) */
    resubmitAfterMs: positiveMs.default(30_000),
    /** first and largest wait between retries after a temporary error (ms) */
    retryMinMs: positiveMs.default(250),
    retryMaxMs: positiveMs.default(30_000),
  })
  .strict()

export type ProposerOptions = z.output<typeof ProposerOptionsSchema>
export type ProposerOptionsInput = z.input<typeof ProposerOptionsSchema>

/** Defaults filled in and every field checked once, at construction. */
export function parseProposerOptions(input: ProposerOptionsInput): ProposerOptions {
  const opts = parseOrThrow(ProposerOptionsSchema, input, (path, message) => new ProposerConfigError(`${path || '(root)'}: ${message}`))
  if (opts.bond === 0n) throw new ProposerConfigError('bond: must be more than 0 wei')
  if (opts.retryMaxMs < opts.retryMinMs) throw new ProposerConfigError(`retryMaxMs: must be at least retryMinMs (${opts.retryMinMs})`)
  return opts
}
