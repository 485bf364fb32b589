import type { z } from 'zod'
import type { WsConnection } from './wsConnection.ts'

/** What a handler knows about the call: which transport, and the socket for WS calls. */
export interface RequestContext {
  transport: 'http' | 'ws'
  connection?: WsConnection
  /** WS only: runs after this message's response is sent (subscriptions start notifying then). */
  afterReply?: (run: () => void) => void
  /** the API key the caller presented (HTTP headers, or the WebSocket's upgrade request), if any */
  apiKey?: string
}

export interface MethodDefinition<S extends z.ZodTypeAny> {
  name: string
  /** A tuple (or array) schema of the positional params. */
  params: S
  /** Runs before the params are read; throws an RpcError to refuse the call (e.g. without the API key). */
  guard?: (ctx: RequestContext) => void
  /** Returns JSON-ready values (hex strings, not bigints); may throw RpcError. */
  handler: (params: z.output<S>, ctx: RequestContext) => unknown
}

/** Typed helper: infers the handler's params from the schema. */
export function defineMethod<S extends z.ZodTypeAny>(definition: MethodDefinition<S>): MethodDefinition<S> {
  return definition
}

/** Any method, whatever its params schema (a generic default would be invariant and refuse concrete ones). */
export type AnyMethodDefinition = MethodDefinition<any>

export class MethodRegistry {
  private readonly methods = new Map<string, AnyMethodDefinition>()

  constructor(definitions: readonly AnyMethodDefinition[] = []) {
    this.registerAll(definitions)
  }

  register(definition: AnyMethodDefinition): this {
    if (this.methods.has(definition.name)) throw new Error(`method ${definition.name} is already registered`)
    this.methods.set(definition.name, definition)
    return this
  }

  registerAll(definitions: readonly AnyMethodDefinition[]): this {
    for (const definition of definitions) this.register(definition)
    return this
  }

  get(name: string): AnyMethodDefinition | undefined {
    return this.methods.get(name)
  }

  has(name: string): boolean {
    return this.methods.has(name)
  }

  names(): string[] {
    return [...this.methods.keys()]
  }
}
