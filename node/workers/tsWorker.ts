import { Worker, type WorkerOptions } from 'node:worker_threads'

/**
 * Plain JavaScript run first in a worker thread: a worker gets none of the main thread's tsx hooks
 * (neither from --import=tsx nor from bin/rollbook.js's register()), so it registers its own and
 * then imports the worker's TypeScript module.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads')
;(async () => {
  ;(await import(workerData.tsxApi)).register()
  await import(workerData.entry)
})().catch((e) => { setImmediate(() => { throw e }) })
`

/** Starts `entry` (a .ts module URL) on a worker thread with `data` as its workerData. */
export function startTsWorker(entry: URL, data: object, options: Omit<WorkerOptions, 'eval' | 'workerData'> = {}): Worker {
  return new Worker(BOOTSTRAP, { ...options, eval: true, workerData: { ...data, tsxApi: import.meta.resolve('tsx/esm/api'), entry: entry.href } })
}
