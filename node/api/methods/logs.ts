import type { Block } from '@ethereumjs/block'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { Bloom } from '@ethereumjs/vm'
import { invalidParams, limitExceeded } from '../errors.ts'
import type { RpcBackend } from './backend.ts'
import { formatLog } from './format.ts'
import type { BlockRef, LogFilter } from './schemas.ts'
import type { EvmLog } from '../../chain/types.ts'

export const MAX_LOG_BLOCK_RANGE = 10_000n
export const MAX_LOG_RESULTS = 10_000

/** A compiled log filter: does a log match, and might a block (by its bloom) hold one. */
export class LogMatcher {
  private readonly addresses: Set<string> | undefined
  private readonly topics: Array<Set<string> | undefined>

  constructor(filter: Pick<LogFilter, 'address' | 'topics'>) {
    const addrs = filter.address === undefined ? [] : Array.isArray(filter.address) ? filter.address : [filter.address]
    this.addresses = addrs.length === 0 ? undefined : new Set(addrs)
    this.topics = (filter.topics ?? []).map((t) => {
      if (t === null) return undefined
      const list = (Array.isArray(t) ? t : [t]).filter((x): x is `0x${string}` => x !== null)
      return list.length === 0 ? undefined : new Set(list)
    })
  }

  matches(log: EvmLog): boolean {
    if (this.addresses !== undefined && !this.addresses.has(bytesToHex(log[0]))) return false
    for (let i = 0; i < this.topics.length; i++) {
      const wanted = this.topics[i]
      if (wanted === undefined) continue
      const topic = log[1][i]
      if (topic === undefined || !wanted.has(bytesToHex(topic))) return false
    }
    return true
  }

  mayContain(block: Block, bloomOf: (b: Block) => Bloom): boolean {
    const bloom = bloomOf(block)
    if (this.addresses !== undefined && ![...this.addresses].some((a) => bloom.check(hexToBytes(a as `0x${string}`)))) return false
    for (const wanted of this.topics) {
      if (wanted !== undefined && ![...wanted].some((t) => bloom.check(hexToBytes(t as `0x${string}`)))) return false
    }
    return true
  }
}

function blockNumberOf(backend: RpcBackend, ref: BlockRef | undefined): bigint {
  if (ref === undefined) return backend.chain.head.header.number
  if ('number' in ref) return ref.number
  if ('tag' in ref && ref.tag === 'earliest') return 0n
  return backend.chain.head.header.number
}

export async function queryLogs(backend: RpcBackend, filter: LogFilter) {
  const { chain } = backend
  const matcher = new LogMatcher(filter)
  let blocks: bigint[]
  if (filter.blockHash !== undefined) {
    if (filter.fromBlock !== undefined || filter.toBlock !== undefined) throw invalidParams('cannot specify both BlockHash and FromBlock/ToBlock')
    const block = await chain.store.getBlockByHash(hexToBytes(filter.blockHash))
    if (block === undefined) throw invalidParams('unknown block')
    blocks = [block.header.number]
  } else {
    const from = blockNumberOf(backend, filter.fromBlock)
    const requestedTo = blockNumberOf(backend, filter.toBlock)
    if (from > requestedTo) throw invalidParams('invalid block range params: fromBlock is after toBlock')
    if (requestedTo - from + 1n > MAX_LOG_BLOCK_RANGE) throw limitExceeded(`block range too large: at most ${MAX_LOG_BLOCK_RANGE} blocks`)
    const head = chain.head.header.number
    const to = requestedTo > head ? head : requestedTo
    if (from > to) return []
    blocks = []
    for (let n = from; n <= to; n++) blocks.push(n)
  }
  const bloomOf = (b: Block) => new Bloom(b.header.logsBloom, chain.common)
  const out: ReturnType<typeof formatLog>[] = []
  for (const number of blocks) {
    const block = await chain.store.getBlockByNumber(number)
    if (block === undefined || !matcher.mayContain(block, bloomOf)) continue
    const outcomes = (await chain.store.getOutcomes(block.hash())) ?? []
    let logsBefore = 0
    for (let index = 0; index < outcomes.length; index++) {
      const place = { blockHash: block.hash(), blockNumber: number, index, logsBefore }
      outcomes[index].logs.forEach((log, i) => {
        if (matcher.matches(log)) out.push(formatLog(log, block.transactions[index].hash(), place, i))
      })
      logsBefore += outcomes[index].logs.length
      if (out.length > MAX_LOG_RESULTS) throw limitExceeded(`query returned more than ${MAX_LOG_RESULTS} results`)
    }
  }
  return out
}
