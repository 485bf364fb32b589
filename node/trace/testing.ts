/**
 * Test support for the trace: a random workload on a real in-process sequencer (markets, bets,
 * odds, deposits and forced txs relayed as L1 queue messages, withdrawals, results, settlements),
 * and an independent trace of a batch from its posted chunks: decodeChunk, the upstream
 * MerkleStateManager with runTx per tx (no cache-only SSTOREs, no one-pass trie update, no native
 * placeBet), the step rules written out again, leaves with viem's ABI encoder, a recursive tree.
 */
import { createBlock } from '@ethereumjs/block'
import { createMPT } from '@ethereumjs/mpt'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createTxFromRLP } from '@ethereumjs/tx'
import { createZeroAddress } from '@ethereumjs/util'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import { bytesToHex, concat, encodeAbiParameters, encodeFunctionData, hexToBytes, keccak256, zeroHash, type Hex } from 'viem'
import { decodeChunk, rebuildTx, type TxRecord } from '../../sdk/src/batch/index.ts'
import { TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { betEngineAbi } from '../../sdk/src/generated/contracts.ts'
import { genesisRoot } from '../chain/chain.ts'
import { createL2Common } from '../chain/common.ts'
import { calldata, TestSigner, type TestAccount } from '../chain/fastpath/testing.ts'
import { devAccounts, type Genesis } from '../chain/genesis.ts'
import { createSharedTxCommon } from '../chain/txCommon.ts'
import { MESSAGE_KIND_DEPOSIT, MESSAGE_KIND_FORCED_TX, relayTx, type QueueMessage } from '../l1/messages.ts'
import type { RollbookNode } from '../rollbookNode.ts'

export const accounts: TestAccount[] = devAccounts().map((a) => ({ address: a.address, privateKey: a.getHdKey().privateKey! }))

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface Workload {
  messages: QueueMessage[]
  txs: number
}

/**
 * Runs `actions` random actions against the node's sequencer, then (when `settle`) waits for the
 * markets to close, reports results and settles bets. Reverting txs are part of it (status 0).
 * `between(i)` runs before action i (to stop or restart things mid-way).
 */
export async function randomWorkload(node: RollbookNode, opts: { seed: number; actions: number; settle: boolean; between?: (i: number) => Promise<void> }): Promise<Workload> {
  const random = prng(opts.seed)
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]
  const sequencer = node.sequencer!
  const signer = new TestSigner(node.chain.genesis.chainId)
  const nonces = new Map<string, bigint>()
  const nextNonce = (a: TestAccount) => {
    const n = nonces.get(a.address) ?? 0n
    nonces.set(a.address, n + 1n)
    return n
  }
  let txs = 0
  const submit = async (account: TestAccount, data: Hex) => {
    const result = await sequencer.submitRawTx(signer.sign(account, nextNonce(account), data))
    if (result.status !== 'preconfirmed') throw new Error('tx not preconfirmed')
    txs++
  }
  const [operator, oracle, ...rest] = accounts
  const forcer = rest[rest.length - 1]
  const bettors = rest.slice(0, -1)
  const messages: QueueMessage[] = []
  const queue = (kind: number, payload: Hex) => {
    const message: QueueMessage = { index: BigInt(messages.length), kind, sender: '0x00000000000000000000000000000000000000d1', payload, l1BlockNumber: 1n, timestamp: 1n, queueHash: zeroHash }
    messages.push(message)
    sequencer.relayL1Messages([message])
  }
  const closeTime = BigInt(Math.floor(Date.now() / 1000) + 5)
  const markets = [1n, 2n, 3n]
  for (const outcomes of [2, 3, 2]) {
    const odds = Array.from({ length: outcomes }, (_, i) => 15_000 + 5_000 * i)
    await submit(operator, calldata.createMarket(outcomes, odds, closeTime, 5_000_000n, 10n ** 15n))
  }
  for (let i = 0; i < opts.actions; i++) {
    await opts.between?.(i)
    const r = random()
    if (r < 0.68) {
      // outcome 0..2: a 2-outcome market's outcome 2 reverts (BadOutcome)
      await submit(pick(bettors), calldata.placeBet(pick(markets), Math.floor(random() * 3), BigInt(1 + Math.floor(random() * 6_000_000)), 1))
    } else if (r < 0.78) {
      queue(MESSAGE_KIND_DEPOSIT, encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [pick(bettors).address, BigInt(Math.floor(random() * 1e9))]))
    } else if (r < 0.82) {
      const raw = signer.sign(forcer, nextNonce(forcer), calldata.placeBet(pick(markets), 0, 1_000_000n, 1))
      queue(MESSAGE_KIND_FORCED_TX, bytesToHex(raw))
    } else if (r < 0.88) {
      const data = encodeFunctionData({ abi: betEngineAbi, functionName: 'withdraw', args: ['0x00000000000000000000000000000000000000e1', BigInt(1 + Math.floor(random() * 1e6))] })
      await submit(pick(bettors), data)
    } else if (r < 0.94) {
      const market = pick(markets)
      await submit(operator, calldata.setOdds(market, market === 2n ? [16_000, 21_000, 26_000] : [16_000, 19_000]))
    } else {
      await new Promise((resolve) => setTimeout(resolve, 30))
    }
  }
  if (opts.settle) {
    while (BigInt(Math.floor(Date.now() / 1000)) <= closeTime) await new Promise((resolve) => setTimeout(resolve, 200))
    for (const market of markets) await submit(oracle, calldata.reportResult(market, market === 3n ? 255 : 0))
    const lastBet = Number(txs)
    for (let id = 1; id <= lastBet; id += 1 + Math.floor(random() * 2)) await submit(pick(bettors), calldata.settleBet(BigInt(id)))
  }
  return { messages, txs }
}

/** The leaf preimage of the decision, as a separate implementation: viem's ABI encoder. */
export interface RefStepState {
  stateRoot: Hex
  parentTimestamp: bigint
  blockTimestamp: bigint
  blockOpen: boolean
  txCount: number
  chunkIndex: number
  offset: number
  chunkBase: bigint | undefined
}

export function refLeaf(s: RefStepState): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint64' }, { type: 'uint64' }, { type: 'bool' }, { type: 'uint32' }, { type: 'uint32' }, { type: 'uint32' }, { type: 'bool' }, { type: 'uint64' }],
      [s.stateRoot, s.parentTimestamp, s.blockTimestamp, s.blockOpen, s.txCount, s.chunkIndex, s.offset, s.chunkBase !== undefined, s.chunkBase ?? 0n],
    ),
  )
}

export function refRoot(leaves: Hex[]): Hex {
  let width = 1
  while (width < leaves.length) width *= 2
  let level = [...leaves, ...Array<Hex>(width - leaves.length).fill(`0x${'00'.repeat(32)}`)]
  while (level.length > 1) level = level.filter((_, i) => i % 2 === 0).map((l, i) => keccak256(concat([l, level[2 * i + 1]])))
  return level[0]
}

/**
 * Re-derives batches from their chunks on a state of its own and keeps every step state. The end
 * of each block is checked against `sealedRoot(number)`.
 */
export class ReferenceTracer {
  private state!: RefStepState
  private blocks = 0n
  private constructor(
    private readonly genesis: Genesis,
    private readonly vm: VM,
    private readonly sm: MerkleStateManager,
    private readonly messages: Map<bigint, QueueMessage>,
    private readonly sealedRoot: (number: bigint) => Promise<Hex>,
  ) {}

  static async init(genesis: Genesis, messages: QueueMessage[], sealedRoot: (number: bigint) => Promise<Hex>): Promise<ReferenceTracer> {
    const common = createL2Common(genesis.chainId)
    const trie = await createMPT({ useKeyHashing: true, common })
    const root = await genesisRoot(genesis, common, trie)
    const sm = new MerkleStateManager({ trie, common })
    const vm = await createVM({ common, stateManager: sm })
    const tracer = new ReferenceTracer(genesis, vm, sm, new Map(messages.map((m) => [m.index, m])), sealedRoot)
    tracer.state = { stateRoot: bytesToHex(root), parentTimestamp: BigInt(genesis.timestamp), blockTimestamp: 0n, blockOpen: false, txCount: 0, chunkIndex: 0, offset: 0, chunkBase: undefined }
    return tracer
  }

  /** The step states of one batch: [before, after each record]. */
  async traceBatch(chunks: readonly Uint8Array[]): Promise<RefStepState[]> {
    this.state = { ...this.state, chunkIndex: 0, offset: 0, chunkBase: undefined }
    const states = [this.state]
    let first = true
    for (const [chunkIndex, chunk] of chunks.entries()) {
      for (const { record, offset, length } of decodeChunk(chunk, { chainId: this.genesis.chainId }).records) {
        if (first) {
          await this.seal()
          this.state = { ...this.state, blockOpen: false, blockTimestamp: 0n }
          first = false
        }
        if (record.type === 'blockStart') {
          await this.seal()
          this.state = { ...this.state, blockTimestamp: record.timestamp, blockOpen: true }
        } else if (record.type === 'deposit') {
          const message = this.messages.get(record.queueIndex)!
          const txCommon = createSharedTxCommon(this.genesis.chainId)
          let count = 1
          await this.run(relayTx(message, txCommon).serialize())
          if (message.kind === MESSAGE_KIND_FORCED_TX) {
            const forced = createTxFromRLP(hexToBytes(message.payload), { common: txCommon })
            const nonce = (await this.sm.getAccount(forced.getSenderAddress()))?.nonce ?? 0n
            if (forced.nonce === nonce) {
              await this.run(hexToBytes(message.payload))
              count++
            }
          }
          this.state = { ...this.state, stateRoot: bytesToHex(await this.sm.getStateRoot()), txCount: this.state.txCount + count }
        } else {
          await this.run(rebuildTx(record as TxRecord, { chainId: this.genesis.chainId }))
          this.state = { ...this.state, stateRoot: bytesToHex(await this.sm.getStateRoot()), txCount: this.state.txCount + 1 }
        }
        const base = chunkIndex === this.state.chunkIndex ? this.state.chunkBase : undefined
        this.state = { ...this.state, chunkIndex, offset: offset + length, chunkBase: record.type === 'blockStart' ? record.timestamp : base }
        states.push(this.state)
      }
    }
    return states
  }

  private async seal(): Promise<void> {
    if (this.state.txCount === 0) return
    this.blocks++
    const sealed = await this.sealedRoot(this.blocks)
    if (sealed !== this.state.stateRoot) throw new Error(`reference: block ${this.blocks} ends at ${this.state.stateRoot}, the sequencer sealed ${sealed}`)
    const at = this.state.blockTimestamp > this.state.parentTimestamp ? this.state.blockTimestamp : this.state.parentTimestamp
    this.state = { ...this.state, parentTimestamp: at, txCount: 0 }
  }

  private async run(raw: Uint8Array): Promise<void> {
    const common = createSharedTxCommon(this.genesis.chainId)
    const tx = createTxFromRLP(raw, { common })
    const at = this.state.blockTimestamp > this.state.parentTimestamp ? this.state.blockTimestamp : this.state.parentTimestamp
    const block = createBlock(
      { header: { number: this.blocks + 1n, timestamp: at, gasLimit: TX_GAS_LIMIT * BigInt(this.genesis.maxTxsPerBlock), baseFeePerGas: 0n, coinbase: createZeroAddress() } },
      { common: this.vm.common, skipConsensusFormatValidation: true },
    )
    await runTx(this.vm, { tx, block, skipHardForkValidation: true, skipBlockGasLimitValidation: true })
  }
}
