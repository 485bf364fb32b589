import type { z } from 'zod'
import type { WsConnection } from './wsConnection.ts'

/** What a handler knows about the call: which transport, and the socket for WS calls. */
export interface RequestContext {
  transport: 'http' | 'ws'
  connection?: WsConnection
  /** WS only: runs after this message's response is sent (subscriptions start notifying then). */
  afterReply?: (run: () => void) => void
}

export interface MethodDefinition<S extends z.ZodTypeAny = z.ZodTypeAny> {
  name: string
  /** A tuple (or array) schema of the positional params. */
  params: S
  /** Returns JSON-ready values (hex strings, not bigints); may throw RpcError. */
  handler: (params: z.output<S>, ctx: RequestContext) => unknown
}

/** Typed helper: infers the handler's params from the schema. */
export function defineMethod<S extends z.ZodTypeAny>(definition: MethodDefinition<S>): MethodDefinition<S> {
  return definition
}

export class MethodRegistry {
  private readonly methods = new Map<string, MethodDefinition>()

  constructor(definitions: readonly MethodDefinition[] = []) {
    this.registerAll(definitions)
  }

  register(definition: MethodDefinition): this {
    if (this.methods.has(definition.name)) throw new Error(`method ${definition.name} is already registered`)
    this.methods.set(definition.name, definition)
    return this
  }

  registerAll(definitions: readonly MethodDefinition[]): this {
    for (const definition of definitions) this.register(definition)
    return this
  }

  get(name: string): MethodDefinition | undefined {
    return this.methods.get(name)
  }

  has(name: string): boolean {
    return this.methods.has(name)
  }

  names(): string[] {
    return [...this.methods.keys()]
  }
}
