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
  /** The odds engine moved one outcome's odds (a bet on a priced market changed its liability). */
  OddsMoved: { marketId: bigint; outcome: number; odds: number }
  /** Market type (1 1X2, 2 moneyline, 3 over/under, 4 handicap) and line in tenths of a point. */
  MarketInfoSet: { marketId: bigint; marketType: number; line: number }
  MarketSuspended: { marketId: bigint }
  MarketReopened: { marketId: bigint }
  MarketClosedEarly: { marketId: bigint; closeTime: bigint }
  LimitsSet: { marketId: bigint; maxStakePerBettor: bigint; maxMarketLiability: bigint }
  PricingSet: { marketId: bigint; probabilitiesBps: readonly number[]; marginBps: number; slope: number; floorOdds: number }
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
  /** A parlay: one outcome per market, the combined odds (rounded down once, at most 10,000.0). */
  ParlayPlaced: {
    betId: bigint
    bettor: Address
    marketIds: readonly bigint[]
    outcomes: readonly number[]
    stake: bigint
    odds: number
    payout: bigint
  }
  /** An open single bet sold back to the house for `value`. */
  BetCashedOut: { betId: bigint; bettor: Address; value: bigint }
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
const signedSmallInteger = z.union([z.string().regex(/^-?\d+$/), z.number().int()]).transform(Number).pipe(z.number().int().min(-(2 ** 31)).max(2 ** 31))
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
  OddsMoved: z.object({ marketId: integer, outcome: smallInteger, odds: smallInteger }),
  MarketInfoSet: z.object({ marketId: integer, marketType: smallInteger, line: signedSmallInteger }),
  MarketSuspended: z.object({ marketId: integer }),
  MarketReopened: z.object({ marketId: integer }),
  MarketClosedEarly: z.object({ marketId: integer, closeTime: integer }),
  LimitsSet: z.object({ marketId: integer, maxStakePerBettor: integer, maxMarketLiability: integer }),
  PricingSet: z.object({ marketId: integer, probabilitiesBps: z.array(smallInteger), marginBps: smallInteger, slope: smallInteger, floorOdds: smallInteger }),
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
  ParlayPlaced: z.object({
    betId: integer,
    bettor: address,
    marketIds: z.array(integer),
    outcomes: z.array(smallInteger),
    stake: integer,
    odds: smallInteger,
    payout: integer,
  }),
  BetCashedOut: z.object({ betId: integer, bettor: address, value: integer }),
} satisfies { [N in BetEngineEventName]: z.ZodType<BetEngineEventArgs[N], z.ZodTypeDef, unknown> }

const eventName = z.enum([
  'MarketCreated',
  'OddsChanged',
  'OddsMoved',
  'MarketInfoSet',
  'MarketSuspended',
  'MarketReopened',
  'MarketClosedEarly',
  'LimitsSet',
  'PricingSet',
  'BetPlaced',
  'MarketResolved',
  'ResultVoted',
  'ResultProposed',
  'ResultFlagged',
  'CommitteeSet',
  'BetSettled',
  'ParlayPlaced',
  'BetCashedOut',
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
