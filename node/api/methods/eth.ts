import { getMerkleStateProof } from '@ethereumjs/statemanager'
import { Address, bigIntToHex, bytesToHex, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import { z } from 'zod'
import { TX_GAS_LIMIT } from '../../../sdk/src/constants.ts'
import { SequencerStoppedError, TxRejectedError } from '../../../sequencer/errors.ts'
import type { CallParams } from '../../chain/chain.ts'
import { executionReverted, serverError } from '../errors.ts'
import { defineMethod, type AnyMethodDefinition } from '../registry.ts'
import type { RpcBackend } from './backend.ts'
import { formatBlock, formatReceipt, formatTransaction, quantityHex } from './format.ts'
import { queryLogs } from './logs.ts'
import { address, blockTag, callObject, defaultLatest, hash32, hexData, logFilter, quantity, storageKey, type BlockRef } from './schemas.ts'

export interface EthMethodsOptions {
  clientVersion: string
}

/** The standard Ethereum JSON-RPC methods a wallet, viem or ethers needs. */
export function ethMethods(backend: RpcBackend, opts: EthMethodsOptions): AnyMethodDefinition[] {
  // backend.chain is read on every call: a replica's rewind replaces the chain
  const chainIdHex = bigIntToHex(backend.chain.chainId)

  async function readAccount(addr: `0x${string}`, ref: BlockRef) {
    const a = new Address(hexToBytes(addr))
    if (backend.isLiveRef(ref)) {
      return backend.sequencer!.readPending(async () => backend.chain.liveState.getAccount(a))
    }
    const sm = await backend.chain.stateAt(await backend.requireBlock(ref))
    return sm.getAccount(a)
  }

  async function runCall(call: z.output<typeof callObject>, ref: BlockRef) {
    const data = call.input ?? call.data ?? '0x'
    const params: CallParams = { from: call.from && hexToBytes(call.from), to: hexToBytes(call.to), data: hexToBytes(data as `0x${string}`) }
    const result = backend.isLiveRef(ref)
      ? await backend.sequencer!.readPending((pending) => backend.chain.callPending(pending, params))
      : await backend.chain.callAt(await backend.requireBlock(ref), params)
    const error = result.execResult.exceptionError
    if (error !== undefined) {
      if (error.error === 'revert') throw executionReverted(bytesToHex(result.execResult.returnValue))
      throw serverError(`execution failed: ${error.error}`)
    }
    return result
  }

  return [
    defineMethod({ name: 'web3_clientVersion', params: z.tuple([]), handler: () => opts.clientVersion }),
    defineMethod({ name: 'net_version', params: z.tuple([]), handler: () => backend.chain.chainId.toString() }),
    defineMethod({ name: 'net_listening', params: z.tuple([]), handler: () => true }),
    defineMethod({ name: 'eth_chainId', params: z.tuple([]), handler: () => chainIdHex }),
    defineMethod({ name: 'eth_syncing', params: z.tuple([]), handler: () => false }),
    defineMethod({ name: 'eth_accounts', params: z.tuple([]), handler: () => [] }),
    defineMethod({ name: 'eth_blockNumber', params: z.tuple([]), handler: () => bigIntToHex(backend.chain.head.header.number) }),
    defineMethod({ name: 'eth_gasPrice', params: z.tuple([]), handler: () => '0x0' }),
    defineMethod({ name: 'eth_maxPriorityFeePerGas', params: z.tuple([]), handler: () => '0x0' }),
    defineMethod({ name: 'eth_blobBaseFee', params: z.tuple([]), handler: () => '0x0' }),
    defineMethod({
      name: 'eth_feeHistory',
      params: z.tuple([z.union([quantity, z.number().int().nonnegative().transform(BigInt)]), blockTag, z.array(z.number().min(0).max(100)).max(100).optional()]),
      handler: async ([count, ref, percentiles]) => {
        const newest = await backend.requireBlock(ref)
        const n = Number(count > 1024n ? 1024n : count)
        const oldest = newest.header.number - BigInt(n) + 1n > 0n ? newest.header.number - BigInt(n) + 1n : 0n
        const blocks = Number(newest.header.number - oldest + 1n)
        const ratios: number[] = []
        for (let i = 0; i < blocks; i++) {
          const b = await backend.chain.store.getBlockByNumber(oldest + BigInt(i))
          ratios.push(b === undefined || b.header.gasLimit === 0n ? 0 : Number(b.header.gasUsed) / Number(b.header.gasLimit))
        }
        return {
          oldestBlock: bigIntToHex(oldest),
          baseFeePerGas: new Array(blocks + 1).fill('0x0'),
          gasUsedRatio: ratios,
          reward: percentiles === undefined ? undefined : ratios.map(() => percentiles.map(() => '0x0')),
        }
      },
    }),
    defineMethod({
      name: 'eth_getBlockByNumber',
      params: z.tuple([blockTag, z.boolean().optional()]),
      handler: async ([ref, full]) => {
        const block = await backend.resolveBlock(ref)
        return block === undefined ? null : formatBlock(block, full === true)
      },
    }),
    defineMethod({
      name: 'eth_getBlockByHash',
      params: z.tuple([hash32, z.boolean().optional()]),
      handler: async ([hash, full]) => {
        const block = await backend.chain.store.getBlockByHash(hexToBytes(hash))
        return block === undefined ? null : formatBlock(block, full === true)
      },
    }),
    defineMethod({
      name: 'eth_getBlockTransactionCountByNumber',
      params: z.tuple([blockTag]),
      handler: async ([ref]) => {
        const block = await backend.resolveBlock(ref)
        return block === undefined ? null : quantityHex(block.transactions.length)
      },
    }),
    defineMethod({
      name: 'eth_getTransactionByHash',
      params: z.tuple([hash32]),
      handler: async ([hash]) => {
        const found = await backend.findTx(hash)
        return found === undefined ? null : formatTransaction(found.tx, found.place)
      },
    }),
    defineMethod({
      name: 'eth_getTransactionReceipt',
      params: z.tuple([hash32]),
      handler: async ([hash]) => {
        const found = await backend.findTx(hash)
        return found === undefined ? null : formatReceipt(found.tx, found.outcome, found.place, backend.chain.common)
      },
    }),
    defineMethod({
      name: 'eth_getBlockReceipts',
      params: z.tuple([blockTag]),
      handler: async ([ref]) => {
        const block = await backend.resolveBlock(ref)
        if (block === undefined) return null
        const outcomes = (await backend.chain.store.getOutcomes(block.hash())) ?? []
        let logsBefore = 0
        return block.transactions.map((tx, index) => {
          const place = { blockHash: block.hash(), blockNumber: block.header.number, index, logsBefore }
          logsBefore += outcomes[index].logs.length
          return formatReceipt(tx, outcomes[index], place, backend.chain.common)
        })
      },
    }),
    defineMethod({
      name: 'eth_getTransactionCount',
      params: z.tuple([address, defaultLatest]),
      handler: async ([addr, ref]) => bigIntToHex((await readAccount(addr, ref))?.nonce ?? 0n),
    }),
    defineMethod({
      name: 'eth_getBalance',
      params: z.tuple([address, defaultLatest]),
      handler: async ([addr, ref]) => bigIntToHex((await readAccount(addr, ref))?.balance ?? 0n),
    }),
    defineMethod({
      name: 'eth_getCode',
      params: z.tuple([address, defaultLatest]),
      handler: async ([addr, ref]) => {
        const a = new Address(hexToBytes(addr))
        const code = backend.isLiveRef(ref)
          ? await backend.sequencer!.readPending(async () => backend.chain.liveState.getCode(a))
          : await (await backend.chain.stateAt(await backend.requireBlock(ref))).getCode(a)
        return bytesToHex(code)
      },
    }),
    defineMethod({
      name: 'eth_getStorageAt',
      params: z.tuple([address, storageKey, defaultLatest]),
      handler: async ([addr, key, ref]) => {
        const a = new Address(hexToBytes(addr))
        const slot = setLengthLeft(hexToBytes(padHex(key)), 32)
        const value = backend.isLiveRef(ref)
          ? await backend.sequencer!.readPending(async () => backend.chain.liveState.getStorage(a, slot))
          : await (await backend.chain.stateAt(await backend.requireBlock(ref))).getStorage(a, slot)
        return bytesToHex(setLengthLeft(value, 32))
      },
    }),
    defineMethod({
      name: 'eth_getProof',
      params: z.tuple([address, z.array(storageKey).max(256, 'at most 256 storage keys'), defaultLatest]),
      handler: async ([addr, keys, ref]) => {
        // proofs are against a sealed block's state root
        const block = await backend.requireBlock('tag' in ref && ref.tag === 'pending' ? { tag: 'latest' } : ref)
        const sm = await backend.chain.stateAt(block)
        const slots = keys.map((k) => setLengthLeft(hexToBytes(padHex(k)), 32))
        return getMerkleStateProof(sm, new Address(hexToBytes(addr)), slots)
      },
    }),
    defineMethod({
      name: 'eth_call',
      params: z.tuple([callObject, defaultLatest, z.unknown().optional()]),
      handler: async ([call, ref]) => bytesToHex((await runCall(call, ref)).execResult.returnValue),
    }),
    defineMethod({
      name: 'eth_estimateGas',
      params: z.tuple([callObject, defaultLatest, z.unknown().optional()]),
      handler: async ([call, ref]) => {
        // every tx carries the protocol's one gas limit; a call that would revert is reported as geth does
        await runCall(call, ref)
        return bigIntToHex(TX_GAS_LIMIT)
      },
    }),
    defineMethod({
      name: 'eth_sendRawTransaction',
      params: z.tuple([hexData]),
      handler: async ([raw]) => {
        if (backend.sequencer === undefined) {
          if (backend.forwardRawTx !== undefined) return backend.forwardRawTx(raw)
          throw serverError('this node does not sequence transactions')
        }
        try {
          const result = await backend.sequencer.submitRawTx(hexToBytes(raw as `0x${string}`))
          return bytesToHex(result.hash)
        } catch (e) {
          if (e instanceof TxRejectedError) throw serverError(e.message)
          if (e instanceof SequencerStoppedError) throw serverError(e.message)
          throw e
        }
      },
    }),
    defineMethod({
      name: 'eth_getLogs',
      params: z.tuple([logFilter]),
      handler: async ([filter]) => queryLogs(backend, filter),
    }),
  ]
}

function padHex(key: string): `0x${string}` {
  const digits = key.slice(2)
  return `0x${digits.length % 2 === 1 ? '0' : ''}${digits}`
}
