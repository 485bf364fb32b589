import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { Hex } from 'viem'
import { BET_ENGINE_ADDRESS, TX_GAS_LIMIT } from '../../sdk/src/constants.ts'

export interface SignTask {
  privateKey: Hex
  nonce: number
  /** calldata, ABI-encoded on the main thread */
  data: Hex
}

export interface SignedTx {
  raw: Hex
  /** keccak256(raw), lowercase */
  hash: Hex
}

/**
 * The worker's source, plain JavaScript: loading viem through tsx's hooks costs ~5 s per worker here,
 * natively a fraction of it. It signs the workload's one tx shape: EIP-1559 to the bet engine,
 * gas TX_GAS_LIMIT, zero fees, zero value.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
Promise.all([import(workerData.viemUrl), import(workerData.viemAccountsUrl)]).then(async ([viem, { privateKeyToAccount }]) => {
  const accounts = new Map()
  const out = []
  for (const task of workerData.tasks) {
    let account = accounts.get(task.privateKey)
    if (account === undefined) accounts.set(task.privateKey, (account = privateKeyToAccount(task.privateKey)))
    const raw = await account.signTransaction({
      type: 'eip1559', chainId: workerData.chainId, nonce: task.nonce, to: workerData.to, data: task.data,
      gas: workerData.gas, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, value: 0n,
    })
    out.push({ raw, hash: viem.keccak256(raw) })
  }
  parentPort.postMessage(out)
})
`

/**
 * Signs every tx before any timer starts, with viem local accounts, split over one worker_thread per
 * core (viem's @noble signing is ~700/s per core). Results keep the order of `tasks`.
 */
export async function signAll(chainId: number, tasks: SignTask[], workers = availableParallelism()): Promise<SignedTx[]> {
  const per = Math.ceil(tasks.length / workers)
  const chunks = Array.from({ length: workers }, (_, i) => tasks.slice(i * per, (i + 1) * per)).filter((c) => c.length > 0)
  const common = {
    chainId,
    to: BET_ENGINE_ADDRESS,
    gas: TX_GAS_LIMIT,
    viemUrl: import.meta.resolve('viem'),
    viemAccountsUrl: import.meta.resolve('viem/accounts'),
  }
  const results = await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise<SignedTx[]>((resolve, reject) => {
          const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...common, tasks: chunk } })
          let done = false
          worker.once('message', (signed: SignedTx[]) => {
            done = true
            resolve(signed)
            void worker.terminate()
          })
          worker.once('error', reject)
          worker.once('exit', (code) => !done && reject(new Error(`sign worker exited with ${code}`)))
        }),
    ),
  )
  return results.flat()
}
