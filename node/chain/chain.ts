import { Block, createBlock, createBlockHeader } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { Account, Address, KECCAK256_RLP, bytesToHex, createZeroAddress, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import { installJumpAnalysisCache } from './jumpAnalysisCache.ts'
import { Bloom, createVM, encodeReceipt, runTx, type RunTxResult, type VM } from '@ethereumjs/vm'
import type { Logger } from 'pino'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'
import { betEngineDeployedBytecode, genesisStorage } from '../../sdk/src/betEngine/index.ts'
import { ChainStore } from '../storage/chainStore.ts'
import type { RollbookLevel } from '../storage/level.ts'
import { LevelTrieDb } from '../storage/trieDb.ts'
import { createL2Common } from './common.ts'
import { FastPathExecutor, PlaceBetFastPath, fastPathOptions, type FastPathOptions, type FastPathStats, type RoutedTx } from './fastpath/index.ts'
import { createSharedTxCommon } from './txCommon.ts'
import type { Genesis } from './genesis.ts'
import { orderedTrieRoot } from './orderedTrie.ts'
import type { Pause } from './trieUpdate.ts'
import { RollbookStateManager, type CapturedWrites } from './stateManager.ts'
import type { ExecutedTx, SealedBlock, TxOutcome } from './types.ts'

export interface L2ChainModules {
  db: RollbookLevel
  logger: Logger
  /** the native placeBet path to use (tests pass a faulty one to check shadow execution) */
  fastPath?: PlaceBetFastPath
}

/** The block being filled: its txs are executed and preconfirmed, its root not yet computed. */
export interface PendingBlock {
  number: bigint
  timestamp: bigint
  /** header used while executing (no roots yet) */
  context: Block
  txs: ExecutedTx[]
  /** tx hash (hex) -> executed tx, for receipts served before the seal */
  byHash: Map<string, ExecutedTx>
  receipts: Uint8Array[]
  gasUsed: bigint
  logCount: number
}

const STORAGE_CACHE_LIMIT = 250_000
/** the longest a seal's root computation holds the thread before it lets waiting txs run */
const SEAL_SLICE_MS = 2

/** A pause that yields to the event loop once `sliceMs` have passed since it last did. */
function pauseEvery(sliceMs: number): Pause {
  let since = performance.now()
  return () => {
    if (performance.now() - since < sliceMs) return
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        since = performance.now()
        resolve()
      }),
    )
  }
}

/**
 * The L2 chain: EVM execution over the state trie in LevelDB, real blocks and receipts.
 * Execution methods must be called one at a time (the sequencer and derivation serialize them).
 */
export class L2Chain {
  readonly common: Common
  readonly store: ChainStore
  readonly genesis: Genesis
  readonly blockGasLimit: bigint
  /** the Common every tx is decoded and signed with (shared: creating one per tx is costly) */
  readonly txCommon: Common
  private readonly trieDb: LevelTrieDb
  private readonly state: RollbookStateManager
  private readonly vm: VM
  private readonly log: Logger
  /** native placeBet execution; undefined when turned off */
  private readonly fastPath: FastPathExecutor | undefined
  private headBlock: Block

  private constructor(
    genesis: Genesis,
    modules: L2ChainModules,
    parts: { common: Common; trieDb: LevelTrieDb; state: RollbookStateManager; vm: VM; head: Block; store: ChainStore },
    opts: FastPathOptions,
  ) {
    this.genesis = genesis
    this.common = parts.common
    this.trieDb = parts.trieDb
    this.state = parts.state
    this.vm = parts.vm
    this.headBlock = parts.head
    this.store = parts.store
    this.blockGasLimit = TX_GAS_LIMIT * BigInt(genesis.maxTxsPerBlock)
    this.txCommon = createSharedTxCommon(genesis.chainId)
    this.log = modules.logger.child({ module: 'chain' })
    this.tip = { number: parts.head.header.number, timestamp: parts.head.header.timestamp }
    this.fastPath = opts.fastPath
      ? new FastPathExecutor(
          { shadowExec: opts.shadowExec },
          {
            fastPath:
              modules.fastPath ??
              new PlaceBetFastPath({
                sstoreClearRefund: this.vm.common.param('sstoreClearRefundEIP2200Gas'),
                maxRefundQuotient: this.vm.common.param('maxRefundQuotient'),
              }),
            state: this.state,
            logger: modules.logger,
          },
        )
      : undefined
  }

  static async init(genesis: Genesis, modules: L2ChainModules, opts: Partial<FastPathOptions> = {}): Promise<L2Chain> {
    const common = createL2Common(genesis.chainId)
    const trieDb = new LevelTrieDb(modules.db)
    const store = new ChainStore(modules.db, createSharedTxCommon(genesis.chainId))
    const trie = await openTrie(trieDb, common)
    const state = new RollbookStateManager({ trie, common, caches: new Caches() })
    await installJumpAnalysisCache()
    const vm = await createVM({ common, stateManager: state })
    let head: Block
    const headHash = await store.getHeadHash()
    if (headHash === undefined) {
      head = await writeGenesis(genesis, common, state, trieDb, store)
    } else {
      const stored = await store.getBlockByHash(headHash)
      if (stored === undefined) throw new Error(`head block ${bytesToHex(headHash)} missing from the database`)
      head = stored
      const genesisBlock = await store.getBlockByNumber(0n)
      const expected = await genesisHeader(genesis, common)
      if (genesisBlock === undefined || bytesToHex(genesisBlock.hash()) !== bytesToHex(expected.hash())) {
        throw new Error('the datadir holds a chain with another genesis')
      }
      await state.setStateRoot(head.header.stateRoot)
    }
    // from here each block's roots are computed after it commits (startSeal)
    state.deferTrieUpdate = true
    const chain = new L2Chain(genesis, modules, { common, trieDb, state, vm, head, store }, fastPathOptions(opts))
    chain.log.info({ number: Number(head.header.number), hash: bytesToHex(head.hash()) }, 'chain head loaded')
    return chain
  }

  get head(): Block {
    return this.headBlock
  }

  get chainId(): bigint {
    return BigInt(this.genesis.chainId)
  }

  decodeTx(raw: Uint8Array): TypedTransaction {
    return createTxFromRLP(raw, { common: this.txCommon })
  }

  /** Opens the next block at `timestamp`; all its txs run inside one state checkpoint. */
  async openBlock(timestamp: bigint): Promise<PendingBlock> {
    const number = this.tip.number + 1n
    // while the parent seals its hash is not known yet: the header the txs run under holds no
    // parent hash (nothing the EVM or the bet engine reads); the sealed header has the real one
    const parentHash = this.tip.number === this.headBlock.header.number ? this.headBlock.hash() : new Uint8Array(32)
    const context = createBlock(
      { header: { number, timestamp, gasLimit: this.blockGasLimit, baseFeePerGas: 0n, coinbase: createZeroAddress(), parentHash } },
      { common: this.common, skipConsensusFormatValidation: true },
    )
    await this.state.checkpoint()
    return { number, timestamp, context, txs: [], byHash: new Map(), receipts: [], gasUsed: 0n, logCount: 0 }
  }

  /** Drops an open block that holds no tx (its checkpoint has nothing in it), so the next one opens at a later time. */
  async discardEmptyBlock(pending: PendingBlock): Promise<void> {
    if (pending.txs.length !== 0) throw new Error(`block ${pending.number} holds ${pending.txs.length} txs: only an empty block is discarded`)
    await this.state.revert()
  }

  /**
   * Executes one tx in the pending block. Validation (nonce, signature, fields) is the caller's job;
   * `sender`: the tx's sender when the caller has it already (checkRawTx), else recovered here.
   */
  async applyTx(pending: PendingBlock, tx: TypedTransaction, sender?: Uint8Array): Promise<ExecutedTx> {
    const from = sender === undefined ? tx.getSenderAddress() : new Address(sender)
    const runEvm = () => this.runEvm(pending, tx)
    const routed: RoutedTx = (await this.fastPath?.execute(tx, from, pending.context.header, runEvm)) ?? { kind: 'evm', result: await runEvm() }
    const failed = routed.kind === 'evm' && routed.result.execResult.exceptionError !== undefined
    const gasUsed = routed.kind === 'evm' ? routed.result.totalGasSpent : routed.result.gasUsed
    pending.gasUsed += gasUsed
    const logs = (routed.kind === 'evm' ? (routed.result.execResult.logs ?? []) : routed.result.logs) as ExecutedTx['logs']
    const executed: ExecutedTx = {
      tx,
      hash: tx.hash(),
      from: from.bytes,
      index: pending.txs.length,
      logsBefore: pending.logCount,
      blockNumber: pending.number,
      status: failed ? 0 : 1,
      gasUsed,
      cumulativeGasUsed: pending.gasUsed,
      logs,
      revertData: failed ? routed.result.execResult.returnValue : new Uint8Array(),
      bloom: routed.kind === 'evm' ? routed.result.bloom.bitvector : logsBloom(logs, this.common),
    }
    pending.txs.push(executed)
    pending.logCount += executed.logs.length
    pending.byHash.set(bytesToHex(executed.hash), executed)
    pending.receipts.push(encodeReceipt(routed.kind === 'evm' ? routed.result.receipt : fastReceipt(executed), tx.type))
    return executed
  }

  /** Counters of the native placeBet path (undefined when it is off). */
  get fastPathStats(): FastPathStats | undefined {
    return this.fastPath?.stats
  }

  private runEvm(pending: PendingBlock, tx: TypedTransaction): Promise<RunTxResult> {
    return runTx(this.vm, {
      tx,
      block: pending.context,
      blockGasUsed: pending.gasUsed,
      skipHardForkValidation: true,
      skipBlockGasLimitValidation: true,
    })
  }

  /** Seals the pending block: commits its state, computes its roots and writes block, receipts and trie nodes in one batch. */
  async sealBlock(pending: PendingBlock): Promise<SealedBlock> {
    return (await this.startSeal(pending)).sealed
  }

  /**
   * Starts sealing the pending block and returns as soon as its state writes are taken out of the
   * caches: the next block may open and run at once, while the block's roots are computed in
   * slices between its txs (`sealed` resolves when the block is the head and its write has begun).
   * Seals finish in the order started; a failed one fails every later one (nothing builds on it).
   */
  async startSeal(pending: PendingBlock): Promise<{ sealed: Promise<SealedBlock> }> {
    await this.state.commit()
    const captured = this.state.takeCaptured()
    this.tip = { number: pending.number, timestamp: pending.timestamp }
    const sealed = this.sealTail.then(() => this.finishSeal(pending, captured))
    this.sealTail = sealed
    // The caches hold what the pending roots have not applied, so they are only emptied when
    // no seal is in flight: this seal then finishes before the next block opens (rare: the
    // storage cache passes its bound every ~60,000 bets).
    if (this.storageCacheSize() > STORAGE_CACHE_LIMIT) {
      await sealed
      this.state.clearCaches()
    }
    return { sealed }
  }

  /** The last seal started (rejects if one failed). */
  private sealTail: Promise<unknown> = Promise.resolve()
  /** the block last opened for sealing (or the head): the next block's number and earliest time */
  private tip: { number: bigint; timestamp: bigint }

  /** The number and timestamp of the newest block, sealed or sealing. */
  get tipBlock(): { number: bigint; timestamp: bigint } {
    return this.tip
  }

  private async finishSeal(pending: PendingBlock, captured: CapturedWrites): Promise<SealedBlock> {
    this.trieDb.startBuffering()
    let trieOps
    let stateRoot: Uint8Array
    try {
      stateRoot = await this.state.applyCaptured(captured, pauseEvery(SEAL_SLICE_MS))
    } finally {
      trieOps = this.trieDb.takeBuffered()
    }
    // the block's bloom is the OR of its txs' (each computed once, when the tx ran)
    const bloom = new Uint8Array(256)
    for (const t of pending.txs) for (let i = 0; i < 256; i++) bloom[i] |= t.bloom[i]
    const header = createBlockHeader(
      {
        parentHash: this.headBlock.hash(),
        number: pending.number,
        timestamp: pending.timestamp,
        gasLimit: this.blockGasLimit,
        gasUsed: pending.gasUsed,
        baseFeePerGas: 0n,
        coinbase: createZeroAddress(),
        stateRoot,
        transactionsTrie: orderedTrieRoot(pending.txs.map((t) => t.tx.serialize())),
        receiptTrie: orderedTrieRoot(pending.receipts),
        logsBloom: bloom,
      },
      { common: this.common, skipConsensusFormatValidation: true },
    )
    // the Block constructor takes the executed tx objects as they are (createBlock would rebuild each one)
    const block = new Block(header, pending.txs.map((t) => t.tx), [], [], { common: this.common })
    // the write goes on while the next block executes; blocks land in order, and until one has,
    // the store and the trie DB serve it from memory
    const batch = trieOps
    this.writes = this.store.writeSealedBlock(block, pending.txs, batch.ops, this.writes).finally(() => this.trieDb.landed(batch))
    this.headBlock = block
    for (const t of pending.txs) t.blockHash = block.hash()
    return { block, hash: block.hash(), txs: pending.txs, written: this.writes }
  }

  /** The last block write in flight; rejects if a write failed (nothing may build on it then). */
  private writes: Promise<void> = Promise.resolve()

  /** Resolves when every block sealing has sealed and is on disk. */
  async flushWrites(): Promise<void> {
    await this.sealTail
    await this.writes
  }

  /** State as of a sealed block, read-only (eth_getBalance, eth_getProof, eth_call at a block). */
  async stateAt(block: Block): Promise<MerkleStateManager> {
    const trie = await openTrie(this.trieDb, this.common)
    trie.root(block.header.stateRoot)
    return new MerkleStateManager({ trie, common: this.common })
  }

  /** Runs a call on the state of a sealed block, in a VM of its own (nothing is written). */
  async callAt(block: Block, call: CallParams) {
    const stateManager = await this.stateAt(block)
    const vm = await createVM({ common: this.common.copy(), stateManager })
    return vm.evm.runCall(callOpts(call, block))
  }

  /**
   * Runs a call against the live (preconfirmed) state and reverts it; must be serialized with execution.
   * STACK.md: `evm.runCall` bumps the caller's nonce, hence the checkpoint.
   */
  async callPending(pending: PendingBlock, call: CallParams) {
    await this.state.checkpoint()
    try {
      return await this.vm.evm.runCall(callOpts(call, pending.context))
    } finally {
      await this.state.revert()
    }
  }

  /** Reads from the live state: pending nonce, balance, storage (serialized with execution by the caller). */
  get liveState(): MerkleStateManager {
    return this.state
  }

  private storageCacheSize(): number {
    return (this.state as unknown as { _caches?: Caches })._caches?.storage?.size() ?? 0
  }
}

export interface CallParams {
  from?: Uint8Array
  to: Uint8Array
  data: Uint8Array
}

function callOpts(call: CallParams, block: Block) {
  return {
    caller: new Address(call.from ?? new Uint8Array(20)),
    origin: new Address(call.from ?? new Uint8Array(20)),
    to: new Address(call.to),
    data: call.data,
    gasLimit: TX_GAS_LIMIT,
    block,
  }
}

async function openTrie(trieDb: LevelTrieDb, common: Common): Promise<MerklePatriciaTrie> {
  return createMPT({ db: trieDb, useKeyHashing: true, valueEncoding: 'view', common })
}

/** The receipt runTx builds for a successful tx, from a natively executed one. */
function fastReceipt(executed: ExecutedTx) {
  return { status: 1 as const, cumulativeBlockGasUsed: executed.cumulativeGasUsed, bitvector: executed.bloom, logs: executed.logs }
}

/** A receipt's logs bloom (2048 bits: three per address and topic). */
export function logsBloom(logs: readonly TxOutcome['logs'][number][], common: Common): Uint8Array {
  const bloom = new Bloom(undefined, common)
  for (const log of logs) addLogToBloom(bloom, log)
  return bloom.bitvector
}

export function addLogToBloom(bloom: Bloom, log: TxOutcome['logs'][number]): void {
  bloom.add(log[0])
  for (const topic of log[1]) bloom.add(topic)
}

/** Writes the genesis alloc (the bet engine's code and storage) into `trie` and returns the state root. */
export async function genesisRoot(genesis: Genesis, common: Common, trie: MerklePatriciaTrie): Promise<Uint8Array> {
  const sm = new MerkleStateManager({ trie, common })
  const engine = new Address(hexToBytes(BET_ENGINE_ADDRESS))
  await sm.putAccount(engine, new Account(1n))
  await sm.putCode(engine, hexToBytes(betEngineDeployedBytecode))
  const storage = genesisStorage({
    operator: genesis.betEngine.operator,
    oracle: genesis.betEngine.oracle,
    balances: genesis.betEngine.balances,
  })
  for (const [slot, value] of storage) await sm.putStorage(engine, hexToBytes(slot), setLengthLeft(hexToBytes(value), 32))
  return sm.getStateRoot()
}

/** The genesis block as `genesis` defines it, computed in a throwaway in-memory trie. */
async function genesisHeader(genesis: Genesis, common: Common): Promise<Block> {
  const root = await genesisRoot(genesis, common, await createMPT({ useKeyHashing: true, common }))
  return genesisBlockWithRoot(genesis, common, root)
}

function genesisBlockWithRoot(genesis: Genesis, common: Common, stateRoot: Uint8Array): Block {
  return createBlock(
    {
      header: {
        number: 0n,
        timestamp: BigInt(genesis.timestamp),
        gasLimit: TX_GAS_LIMIT * BigInt(genesis.maxTxsPerBlock),
        baseFeePerGas: 0n,
        stateRoot,
        transactionsTrie: KECCAK256_RLP,
        receiptTrie: KECCAK256_RLP,
      },
      withdrawals: [],
    },
    { common, skipConsensusFormatValidation: true },
  )
}

async function writeGenesis(genesis: Genesis, common: Common, state: RollbookStateManager, trieDb: LevelTrieDb, store: ChainStore): Promise<Block> {
  trieDb.startBuffering()
  let root: Uint8Array
  let trieOps
  try {
    root = await genesisRoot(genesis, common, await openTrie(trieDb, common))
  } finally {
    trieOps = trieDb.takeBuffered()
  }
  const block = genesisBlockWithRoot(genesis, common, root)
  await store.writeSealedBlock(block, [], trieOps.ops)
  trieDb.landed(trieOps)
  await state.setStateRoot(root)
  return block
}
