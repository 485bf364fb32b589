import { z } from 'zod'
import { isHex } from 'viem'
import { parseOrThrow } from './schema.ts'

const httpUrl = z.string().regex(/^https?:\/\/\S+$/, 'expected an http(s) URL')

/** Operator options of one node (the protocol config, identical on every node, is the genesis file). */
export const NodeOptionsSchema = z
  .object({
    mode: z.enum(['sequencer', 'replica', 'challenger']).default('sequencer'),
    datadir: z.string().min(1, 'must not be empty'),
    dev: z.boolean().default(false),
    genesis: z.string().optional(),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8547),
    blockTimeMs: z.number().int().min(10).max(60_000).default(250),
    sealAtTxs: z.number().int().min(0).max(20_000).default(0),
    /** L1 JSON-RPC endpoint: the batcher posts there, a replica derives from it */
    l1Rpc: httpUrl.optional(),
    /** the rollup config JSON (genesis + L1 contracts); its genesis replaces --genesis / --dev */
    rollup: z.string().min(1, 'must not be empty').optional(),
    /** the sequencer's L1 key: with --l1-rpc and --rollup, a sequencer runs the batcher */
    batcherKey: z
      .string()
      .refine((v) => isHex(v) && v.length === 66, { message: 'expected 32 bytes of 0x-prefixed hex' })
      .optional(),
    /** the proposer's L1 key: with --batcher-key, the sequencer posts an output root per posted batch */
    proposerKey: z
      .string()
      .refine((v) => isHex(v) && v.length === 66, { message: 'expected 32 bytes of 0x-prefixed hex' })
      .optional(),
    /**
     * the commitment worker (DATADIR/trace): the proposer's batch traces, the challenger's own; false
     * runs none, which a proposer cannot do (OutputRoots takes no output without its trace leaves)
     */
    trace: z.boolean().default(true),
    /** wei bonded per output (a decimal string); the contract's minBond when omitted */
    proposerBond: z.string().regex(/^\d+$/, 'expected wei as a decimal string').optional(),
    /** sequencer: the L2 key the settlement service settles resolved markets' bets from (docs/decisions/0007) */
    settlerKey: z
      .string()
      .refine((v) => isHex(v) && v.length === 66, { message: 'expected 32 bytes of 0x-prefixed hex' })
      .optional(),
    /** sequencer: the bet engine operator's L2 key; with --api-key, the operator API (docs/operator-api.md) signs with it */
    operatorKey: z
      .string()
      .refine((v) => isHex(v) && v.length === 66, { message: 'expected 32 bytes of 0x-prefixed hex' })
      .optional(),
    /** the key the operator API's callers present (Authorization: Bearer KEY or x-api-key: KEY) */
    apiKey: z
      .string()
      .regex(/^[A-Za-z0-9._~+/=-]{16,256}$/, 'expected 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -')
      .optional(),
    /** challenger: the L1 key fraud proofs are sent from */
    challengerKey: z
      .string()
      .refine((v) => isHex(v) && v.length === 66, { message: 'expected 32 bytes of 0x-prefixed hex' })
      .optional(),
    /** a replica forwards eth_sendRawTransaction here */
    sequencerRpc: httpUrl.optional(),
    /** L1 blocks deep before the batcher counts a chunk posted / a replica derives a block */
    l1Confirmations: z.number().int().min(0).max(1_000).default(0),
    /** the batcher takes the sealed blocks as a batch this often (ms); unset: the batcher's default */
    batchIntervalMs: z.number().int().min(1).max(3_600_000).optional(),
    /** the batcher's largest chunk (one L1 call), version byte included; unset: the batcher's default */
    maxChunkBytes: z.number().int().min(2).max(1_000_000).optional(),
    /** how often a sequencer asks L1 for new queue messages (deposits, forced txs), in ms */
    l1PollMs: z.number().int().min(50).max(60_000).default(500),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()

export type NodeOptions = z.output<typeof NodeOptionsSchema>
export type NodeOptionsInput = z.input<typeof NodeOptionsSchema>

export class OptionsError extends Error {
  override readonly name = 'OptionsError'
}

export function parseNodeOptions(input: unknown): NodeOptions {
  const opts = parseOrThrow(NodeOptionsSchema, input, (path, message) => {
    const flag = (path || 'options').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
    return new OptionsError(`--${flag}: ${message}`)
  })
  checkCombinations(opts)
  return opts
}

/** Flags that only make sense together, or only in one mode. */
function checkCombinations(opts: NodeOptions): void {
  if (opts.rollup !== undefined && opts.genesis !== undefined) throw new OptionsError('--genesis: not with --rollup (the rollup config holds the genesis)')
  if (opts.mode === 'replica' || opts.mode === 'challenger') {
    if (opts.l1Rpc === undefined) throw new OptionsError(`--mode ${opts.mode} needs --l1-rpc URL (it derives the chain from L1)`)
    if (opts.rollup === undefined) throw new OptionsError(`--mode ${opts.mode} needs --rollup FILE (the rollup config: genesis and L1 contracts)`)
    if (opts.batcherKey !== undefined) throw new OptionsError(`--batcher-key: only a sequencer posts batches, not --mode ${opts.mode}`)
  }
  if (opts.batcherKey !== undefined) {
    if (opts.l1Rpc === undefined) throw new OptionsError('--batcher-key needs --l1-rpc URL (where batches are posted)')
    if (opts.rollup === undefined) throw new OptionsError('--batcher-key needs --rollup FILE (the L1 inbox to post to)')
  }
  if (opts.proposerKey !== undefined) {
    if (opts.mode !== 'sequencer') throw new OptionsError('--proposer-key: only a sequencer proposes output roots')
    if (opts.batcherKey === undefined) throw new OptionsError('--proposer-key needs --batcher-key (it proposes the batches this node posts)')
    if (opts.proposerKey.toLowerCase() === opts.batcherKey.toLowerCase()) throw new OptionsError('--proposer-key: must not be the --batcher-key (they would share one L1 nonce)')
    if (!opts.trace) throw new OptionsError('--no-trace: not with --proposer-key (an output needs its batch trace, which the commitment worker computes)')
  }
  if (opts.proposerBond !== undefined && opts.proposerKey === undefined) throw new OptionsError('--proposer-bond needs --proposer-key')
  if (opts.challengerKey !== undefined && opts.mode !== 'challenger') throw new OptionsError('--challenger-key: only --mode challenger sends fraud proofs')
  if (opts.settlerKey !== undefined && opts.mode !== 'sequencer') throw new OptionsError('--settler-key: only the sequencer settles markets')
  if (opts.operatorKey !== undefined) {
    if (opts.mode !== 'sequencer') throw new OptionsError('--operator-key: only the sequencer runs the operator API')
    if (opts.apiKey === undefined) throw new OptionsError('--operator-key needs --api-key KEY (the operator API is never open to anyone)')
  }
  if (opts.apiKey !== undefined && opts.operatorKey === undefined) throw new OptionsError('--api-key needs --operator-key (the API key guards the operator API, which signs with it)')
  if (opts.sequencerRpc !== undefined && opts.mode === 'sequencer') throw new OptionsError('--sequencer-rpc: only --mode replica forwards transactions')
}
