import { z } from 'zod'
import { parseOrThrow } from './schema.ts'

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
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()

export type NodeOptions = z.output<typeof NodeOptionsSchema>
export type NodeOptionsInput = z.input<typeof NodeOptionsSchema>

export class OptionsError extends Error {
  override readonly name = 'OptionsError'
}

export function parseNodeOptions(input: unknown): NodeOptions {
  return parseOrThrow(NodeOptionsSchema, input, (path, message) => {
    const flag = (path || 'options').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
    return new OptionsError(`--${flag}: ${message}`)
  })
}
