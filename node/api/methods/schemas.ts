import { z } from 'zod'

/** Schemas of the JSON-RPC parameter types, with geth's wording for the errors. */
export const hexData = z
  .string({ invalid_type_error: 'expected hex string' })
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'hex string of even length with 0x prefix expected')

export const quantity = z
  .string({ invalid_type_error: 'expected hex quantity' })
  .regex(/^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,63})$/, 'hex quantity without leading zeros expected')
  .transform((v) => BigInt(v))

export const address = z
  .string({ invalid_type_error: 'expected address' })
  .regex(/^0x[0-9a-fA-F]{40}$/, 'hex string of 20 bytes expected')
  .transform((v) => v.toLowerCase() as `0x${string}`)

export const hash32 = z
  .string({ invalid_type_error: 'expected hash' })
  .regex(/^0x[0-9a-fA-F]{64}$/, 'hex string of 32 bytes expected')
  .transform((v) => v.toLowerCase() as `0x${string}`)

/** Storage keys may be given as any hex up to 32 bytes (geth left-pads them). */
export const storageKey = z
  .string({ invalid_type_error: 'expected storage key' })
  .regex(/^0x[0-9a-fA-F]{1,64}$/, 'hex storage key of at most 32 bytes expected')

export const blockTagName = z.enum(['latest', 'pending', 'earliest', 'safe', 'finalized'])

export type BlockRef = { tag: z.infer<typeof blockTagName> } | { number: bigint } | { hash: `0x${string}` }

const TAGS = new Set<string>(blockTagName.options)

export const blockTag = z.string({ invalid_type_error: 'expected a block number or tag' }).transform((v, ctx): BlockRef => {
  if (TAGS.has(v)) return { tag: v as z.infer<typeof blockTagName> }
  if (/^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,15})$/.test(v)) return { number: BigInt(v) }
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'hex block number without leading zeros, or latest, pending, earliest, safe, finalized' })
  return z.NEVER
})

/** A block number or tag, or (EIP-1898) an object naming the block by hash or number. */
export const blockRef = z.union([
  blockTag,
  z.object({ blockHash: hash32 }).transform(({ blockHash }): BlockRef => ({ hash: blockHash })),
  z.object({ blockNumber: quantity }).transform(({ blockNumber }): BlockRef => ({ number: blockNumber })),
])

export const defaultLatest = blockRef.optional().transform((v): BlockRef => v ?? { tag: 'latest' })

export const callObject = z
  .object({
    from: address.optional(),
    to: address,
    data: hexData.optional(),
    input: hexData.optional(),
    gas: quantity.optional(),
    gasPrice: quantity.optional(),
    maxFeePerGas: quantity.optional(),
    maxPriorityFeePerGas: quantity.optional(),
    value: quantity.optional(),
    nonce: quantity.optional(),
    type: z.string().optional(),
    chainId: quantity.optional(),
    accessList: z.array(z.unknown()).optional(),
  })
  .passthrough()

const topicEntry = z.union([hash32, z.null(), z.array(hash32.nullable())])

export const logFilter = z.object({
  fromBlock: blockTag.optional(),
  toBlock: blockTag.optional(),
  blockHash: hash32.optional(),
  address: z.union([address, z.array(address)]).optional(),
  topics: z.array(topicEntry).max(4, 'at most 4 topics').optional(),
})

export type LogFilter = z.output<typeof logFilter>
