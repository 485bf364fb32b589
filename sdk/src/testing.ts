/** Test helpers for the sdk's unit tests: a viem transport answered in process, no node. */
import { createClient, custom, type Account, type Chain, type Client, type Transport } from 'viem'

export interface RecordedRequest {
  method: string
  params: unknown[]
}

export type Answer = (params: unknown[]) => unknown

/** A client whose requests are answered by `answers[method]`; every request is recorded in order. */
export function answeringClient<account extends Account | undefined = undefined>(
  answers: Record<string, Answer>,
  options: { chain?: Chain; account?: account } = {},
): { client: Client<Transport, Chain | undefined, account>; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = []
  const transport = custom({
    async request({ method, params }: { method: string; params?: unknown }) {
      const list = (params ?? []) as unknown[]
      requests.push({ method, params: list })
      const answer = answers[method]
      if (answer === undefined) throw Object.assign(new Error(`the method ${method} does not exist/is not available`), { code: -32601 })
      return answer(list)
    },
  })
  const client = createClient({ chain: options.chain, account: options.account, transport }) as unknown as Client<
    Transport,
    Chain | undefined,
    account
  >
  return { client, requests }
}
