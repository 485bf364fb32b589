import { getAddress, parseEventLogs, type Address, type Hash, type Log } from 'viem'
import { z } from 'zod'
import { betEngineAbi } from './betEngine/index.ts'
import { BET_ENGINE_ADDRESS } from './constants.ts'

/** Decoded arguments of each bet engine event: bigints for ids and amounts, numbers for small fields. */
export interface BetEngineEventArgs {
  MarketCreated: {
    marketId: bigint
    outcomeCount: number
    closeTime: bigint
    maxStake: bigint
    maxLiability: bigint
    odds: readonly number[]
  }
  OddsChanged: { marketId: bigint; odds: readonly number[] }
  BetPlaced: {
    betId: bigint
    marketId: bigint
    bettor: Address
    outcome: number
    stake: bigint
    odds: number
    payout: bigint
  }
  MarketResolved: { marketId: bigint; result: number }
  /** A committee member's vote in `round` (docs/decisions/0007); result 255 is void. */
  ResultVoted: { marketId: bigint; round: number; member: Address; result: number }
  /** `threshold` members agreed: the result is final at `finalAt` unless flagged before. */
  ResultProposed: { marketId: bigint; round: number; result: number; finalAt: bigint }
  /** The proposal of `round` was dropped; voting starts again in round + 1. */
  ResultFlagged: { marketId: bigint; round: number; by: Address }
  CommitteeSet: { members: readonly Address[]; threshold: number; disputeWindowSeconds: number }
  BetSettled: { betId: bigint; marketId: bigint; bettor: Address; paid: bigint }
}

export type BetEngineEventName = keyof BetEngineEventArgs

export type BetEngineEvent<name extends BetEngineEventName = BetEngineEventName> = {
  [N in name]: {
    event: N
    args: BetEngineEventArgs[N]
    transactionHash: Hash
    blockNumber: bigint
    logIndex: number
  }
}[name]

/** The first event of that name, e.g. the BetPlaced of a placeBet receipt (for its betId). */
export function findEvent<name extends BetEngineEventName>(
  events: readonly BetEngineEvent[],
  name: name,
): BetEngineEvent<name> | undefined {
  return events.find((e) => e.event === name) as BetEngineEvent<name> | undefined
}

/** Decodes the bet engine's events among a receipt's logs; logs of other contracts are skipped. */
export function decodeBetEngineLogs(logs: readonly Log[]): BetEngineEvent[] {
  const own = logs.filter((log) => log.address.toLowerCase() === BET_ENGINE_ADDRESS.toLowerCase())
  return parseEventLogs({ abi: betEngineAbi, logs: own }).map(
    (log) =>
      ({
        event: log.eventName,
        args: log.args,
        transactionHash: log.transactionHash,
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
      }) as BetEngineEvent,
  )
}

// Channel notifications carry integers as decimal strings (or hex quantities); parse, never trust.
const integer = z
  .union([z.string().regex(/^(\d+|0x[0-9a-fA-F]+)$/), z.number().int().nonnegative()])
  .transform((value) => BigInt(value))
const smallInteger = integer.pipe(z.bigint().max(BigInt(Number.MAX_SAFE_INTEGER))).transform(Number)
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/)
  .transform((value) => getAddress(value))
const hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/) as unknown as z.ZodType<Hash>

const argsSchemas = {
  MarketCreated: z.object({
    marketId: integer,
    outcomeCount: smallInteger,
    closeTime: integer,
    maxStake: integer,
    maxLiability: integer,
    odds: z.array(smallInteger),
  }),
  OddsChanged: z.object({ marketId: integer, odds: z.array(smallInteger) }),
  BetPlaced: z.object({
    betId: integer,
    marketId: integer,
    bettor: address,
    outcome: smallInteger,
    stake: integer,
    odds: smallInteger,
    payout: integer,
  }),
  MarketResolved: z.object({ marketId: integer, result: smallInteger }),
  ResultVoted: z.object({ marketId: integer, round: smallInteger, member: address, result: smallInteger }),
  ResultProposed: z.object({ marketId: integer, round: smallInteger, result: smallInteger, finalAt: integer }),
  ResultFlagged: z.object({ marketId: integer, round: smallInteger, by: address }),
  CommitteeSet: z.object({ members: z.array(address), threshold: smallInteger, disputeWindowSeconds: smallInteger }),
  BetSettled: z.object({ betId: integer, marketId: integer, bettor: address, paid: integer }),
} satisfies { [N in BetEngineEventName]: z.ZodType<BetEngineEventArgs[N], z.ZodTypeDef, unknown> }

const eventName = z.enum([
  'MarketCreated',
  'OddsChanged',
  'BetPlaced',
  'MarketResolved',
  'ResultVoted',
  'ResultProposed',
  'ResultFlagged',
  'CommitteeSet',
  'BetSettled',
])

const notificationSchema = z
  .object({
    event: eventName,
    args: z.unknown(),
    transactionHash: hash,
    blockNumber: integer,
    logIndex: smallInteger,
  })
  .transform((value, ctx) => {
    const args = argsSchemas[value.event].safeParse(value.args)
    if (!args.success) {
      for (const issue of args.error.issues) ctx.addIssue({ ...issue, path: ['args', ...issue.path] })
      return z.NEVER
    }
    return { ...value, args: args.data } as BetEngineEvent
  })

export type ParseEventNotificationResult =
  | { success: true; event: BetEngineEvent }
  | { success: false; error: z.ZodError }

/** Parses the `result` of a `market` or `account` channel notification. */
export function parseEventNotification(result: unknown): ParseEventNotificationResult {
  const parsed = notificationSchema.safeParse(result)
  return parsed.success ? { success: true, event: parsed.data } : { success: false, error: parsed.error }
}
