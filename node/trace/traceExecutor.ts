import { createBlock, type Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { createMPT } from '@ethereumjs/mpt'
import { Caches } from '@ethereumjs/statemanager'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex, createZeroAddress } from '@ethereumjs/util'
import { installJumpAnalysisCache } from '../chain/jumpAnalysisCache.ts'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import type { Logger } from 'pino'
import { TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { genesisRoot } from '../chain/chain.ts'
import { createL2Common } from '../chain/common.ts'
import { FastPathExecutor, PlaceBetFastPath } from '../chain/fastpath/index.ts'
import type { Genesis } from '../chain/genesis.ts'
import { RollbookStateManager } from '../chain/stateManager.ts'
import { createSharedTxCommon } from '../chain/txCommon.ts'
import { relayInfo, relaysForcedTx } from '../l1/messages.ts'
import { LevelTrieDb } from '../storage/trieDb.ts'
import { bigIntToUnpaddedBytes } from '@ethereumjs/util'
import type { RollbookLevel } from '../storage/level.ts'
import { TraceDivergedError } from './errors.ts'
import { equalBytes } from './merkle.ts'
import { TraceStore, type TracedBlock, type TracedRecord } from './traceStore.ts'

/** A sealed L2 block as the commitment worker is fed it: header fields the EVM reads, the root to reach, the raw txs. */
export interface TraceBlockInput {
  number: bigint
  hash: Uint8Array
  parentHash: Uint8Array
  timestamp: bigint
  stateRoot: Uint8Array
  txs: Uint8Array[]
  /** each tx's sender public key, as the sequencer recovered it (saves recovering it again); recovered when absent */
  senderPublicKeys?: Uint8Array[]
}

export interface TraceExecutorModules {
  /** the trace's own LevelDB (DATADIR/trace) */
  db: RollbookLevel
  logger: Logger
}

const STORAGE_CACHE_LIMIT = 250_000

/**
 * Re-executes sealed blocks on a state of its own and takes the state root after every tx, without
 * the block-wide checkpoint the sequencer keeps: each tx commits on its own, so the cache-only
 * SSTOREs are flushed through the one-pass trie update (`RollbookStateManager.flush`) per tx. The
 * same execution code as the sequencer's (runTx, the native placeBet path); the root at the end of
 * a block must be the sealed block's, or the trace is worthless and the executor stops.
 *
 * Every intermediate trie node is kept, so a step's MPT witnesses can be read later.
 */
export class TraceExecutor {
  readonly store: TraceStore
  private readonly log: Logger
  private headValue: TracedBlock
  private failure: TraceDivergedError | undefined

  private constructor(
    private readonly genesis: Genesis,
    private readonly parts: { common: Common; txCommon: Common; trieDb: LevelTrieDb; state: RollbookStateManager; vm: VM; fastPath: FastPathExecutor },
    store: TraceStore,
    head: TracedBlock,
    logger: Logger,
  ) {
    this.store = store
    this.headValue = head
    this.log = logger.child({ module: 'trace' })
  }

  static async init(genesis: Genesis, modules: TraceExecutorModules): Promise<TraceExecutor> {
    const common = createL2Common(genesis.chainId)
    const trieDb = new LevelTrieDb(modules.db)
    const store = new TraceStore(modules.db)
    const trie = await createMPT({ db: trieDb, useKeyHashing: true, valueEncoding: 'view', common })
    const state = new RollbookStateManager({ trie, common, caches: new Caches() })
    await installJumpAnalysisCache()
    const vm = await createVM({ common, stateManager: state })
    const fastPath = new FastPathExecutor(
      { shadowExec: false },
      {
        fastPath: new PlaceBetFastPath({ sstoreClearRefund: vm.common.param('sstoreClearRefundEIP2200Gas'), maxRefundQuotient: vm.common.param('maxRefundQuotient') }),
        state,
        logger: modules.logger,
      },
    )
    if (await store.ensureFormat()) modules.logger.warn('the trace database was of an older format: tracing again from genesis')
    let head = await store.head()
    if (head === undefined) {
      trieDb.startBuffering()
      let root: Uint8Array
      let ops
      try {
        root = await genesisRoot(genesis, common, await createMPT({ db: trieDb, useKeyHashing: true, valueEncoding: 'view', common }))
      } finally {
        ops = trieDb.takeBuffered()
      }
      head = { number: 0n, hash: new Uint8Array(32), timestamp: BigInt(genesis.timestamp), stateRoot: root, records: [] }
      await store.writeBlock(head, ops.ops)
      trieDb.landed(ops)
    }
    await state.setStateRoot(head.stateRoot)
    return new TraceExecutor(genesis, { common, txCommon: createSharedTxCommon(genesis.chainId), trieDb, state, vm, fastPath }, store, head, modules.logger)
  }

  /** The last block traced (block 0: genesis, its hash zero). */
  get head(): TracedBlock {
    return this.headValue
  }

  /** Set once a block's root came out different from the sealed one: nothing is traced after it. */
  get error(): TraceDivergedError | undefined {
    return this.failure
  }

  /** Executes the block's txs one by one, records the root after each record's txs, checks the end root, and persists it all in one write. */
  async executeBlock(input: TraceBlockInput): Promise<TracedBlock> {
    if (this.failure !== undefined) throw this.failure
    if (input.number !== this.headValue.number + 1n) throw new Error(`trace: block ${input.number} fed after block ${this.headValue.number}`)
    const { state, trieDb, txCommon } = this.parts
    const context = this.blockContext(input)
    const txs = input.txs.map((raw, i) => {
      const tx = createTxFromRLP(raw, { common: txCommon })
      const publicKey = input.senderPublicKeys?.[i]
      if (publicKey !== undefined) tx.cache.senderPubKey = publicKey
      return tx
    })
    trieDb.startBuffering()
    let ops
    const roots: Uint8Array[] = []
    try {
      let gasUsed = 0n
      for (const tx of txs) {
        gasUsed += await this.executeTx(context, tx, gasUsed)
        roots.push(await state.getStateRoot())
      }
    } catch (e) {
      // the state holds part of the block now: nothing after it can be traced
      this.failure = new TraceDivergedError(`block ${input.number}: re-execution failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
      this.log.fatal({ number: Number(input.number), err: e }, 'TRACE FAILED: a sealed block did not re-execute')
      throw this.failure
    } finally {
      ops = trieDb.takeBuffered()
    }
    const endRoot = roots.at(-1) ?? this.headValue.stateRoot
    if (!equalBytes(endRoot, input.stateRoot)) {
      this.failure = new TraceDivergedError(
        `block ${input.number}: re-executed state root ${bytesToHex(endRoot)} is not the sealed root ${bytesToHex(input.stateRoot)}; the trace stops here`,
      )
      this.log.fatal({ number: Number(input.number), traced: bytesToHex(endRoot), sealed: bytesToHex(input.stateRoot) }, 'TRACE DIVERGED from the sealed chain: no trace root can be given from this block on')
      trieDb.landed(ops)
      throw this.failure
    }
    const traced: TracedBlock = { number: input.number, hash: input.hash, timestamp: input.timestamp, stateRoot: input.stateRoot, records: recordsOf(txs, roots) }
    try {
      await this.store.writeBlock(traced, ops.ops)
    } finally {
      trieDb.landed(ops)
    }
    this.headValue = traced
    if (this.storageCacheSize() > STORAGE_CACHE_LIMIT) state.clearCaches()
    return traced
  }

  private async executeTx(context: Block, tx: TypedTransaction, blockGasUsed: bigint): Promise<bigint> {
    const runEvm = () => runTx(this.parts.vm, { tx, block: context, blockGasUsed, skipHardForkValidation: true, skipBlockGasLimitValidation: true })
    const routed = await this.parts.fastPath.execute(tx, tx.getSenderAddress(), context.header, runEvm)
    if (routed !== undefined) return routed.kind === 'evm' ? routed.result.totalGasSpent : routed.result.gasUsed
    return (await runEvm()).totalGasSpent
  }

  /** The header the sequencer executed the block's txs under (openBlock): roots are not visible to the EVM. */
  private blockContext(input: TraceBlockInput): Block {
    return createBlock(
      {
        header: {
          number: input.number,
          timestamp: input.timestamp,
          gasLimit: TX_GAS_LIMIT * BigInt(this.genesis.maxTxsPerBlock),
          baseFeePerGas: 0n,
          coinbase: createZeroAddress(),
          parentHash: input.parentHash,
        },
      },
      { common: this.parts.common, skipConsensusFormatValidation: true },
    )
  }

  private storageCacheSize(): number {
    return (this.parts.state as unknown as { _caches?: Caches })._caches?.storage?.size() ?? 0
  }
}

/**
 * The block's txs grouped as the batcher makes records of them (sequencer/batcher/batchPlanner.ts
 * recordsOfBlockTxs): a relay tx of the L1 messenger and the forced tx right after it that it names
 * are one queue-message record; every other tx is one record. Each record carries the root after its last tx.
 */
export function recordsOf(txs: readonly TypedTransaction[], roots: readonly Uint8Array[]): TracedRecord[] {
  const records: TracedRecord[] = []
  for (let i = 0; i < txs.length; i++) {
    const relay = relayInfo(txs[i])
    if (relay === undefined) {
      records.push({ kind: 'tx', txs: 1, stateRoot: roots[i], id: txs[i].hash() })
      continue
    }
    const withForced = relaysForcedTx(relay, txs[i + 1])
    if (withForced) i++
    records.push({ kind: 'message', txs: withForced ? 2 : 1, stateRoot: roots[i], id: bigIntToUnpaddedBytes(relay.queueIndex) })
  }
  return records
}
