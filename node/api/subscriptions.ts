import type { z } from 'zod'

export type SubscribeMethod = 'eth_subscribe' | 'rollbook_subscribe'

/** Notification method and unsubscribe method that go with each subscribe method. */
export const subscriptionNamespaces = {
  eth_subscribe: { notification: 'eth_subscription', unsubscribe: 'eth_unsubscribe' },
  rollbook_subscribe: { notification: 'rollbook_subscription', unsubscribe: 'rollbook_unsubscribe' },
} as const satisfies Record<SubscribeMethod, { notification: string; unsubscribe: string }>

export type Unsubscribe = () => void

export interface SubscriptionDefinition<S extends z.ZodTypeAny> {
  method: SubscribeMethod
  /** e.g. 'newHeads', 'logs', 'preconfirmations', 'market', 'account' */
  kind: string
  /** A tuple schema of the params after the kind; argument numbers in errors start at 1. */
  params: S
  /** Starts the feed; `emit` sends one notification. Returns the teardown. May throw RpcError. */
  subscribe: (params: z.output<S>, emit: (result: unknown) => void) => Unsubscribe
}

export function defineSubscription<S extends z.ZodTypeAny>(
  definition: SubscriptionDefinition<S>,
): SubscriptionDefinition<S> {
  return definition
}

/** Any subscription kind, whatever its params schema (a generic default would be invariant). */
export type AnySubscriptionDefinition = SubscriptionDefinition<any>

export class SubscriptionRegistry {
  private readonly kinds = new Map<string, AnySubscriptionDefinition>()

  constructor(definitions: readonly AnySubscriptionDefinition[] = []) {
    for (const definition of definitions) this.register(definition)
  }

  register(definition: AnySubscriptionDefinition): this {
    const key = kindKey(definition.method, definition.kind)
    if (this.kinds.has(key)) throw new Error(`subscription ${definition.method} ${definition.kind} is already registered`)
    this.kinds.set(key, definition)
    return this
  }

  get(method: SubscribeMethod, kind: string): AnySubscriptionDefinition | undefined {
    return this.kinds.get(kindKey(method, kind))
  }
}

function kindKey(method: SubscribeMethod, kind: string): string {
  return `${method}\u0000${kind}`
}
