/**
 * The sender recovery thread (senderRecovery.ts): for each raw tx of a batch, decodes it as the
 * chain does and returns its sender's public key and its hash, so the sequencer's thread skips
 * the signing-hash RLP, the ECDSA recovery and the hash. A tx that does not decode or recover gets
 * ok = 0: the main thread then runs its own checks, which give the caller the precise error.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { createTxFromRLP } from '@ethereumjs/tx'
import { createSharedTxCommon } from './txCommon.ts'
import type { RecoveryRequest, RecoveryResponse, RecoveryWorkerData } from './senderRecovery.ts'

const data = workerData as RecoveryWorkerData
const common = createSharedTxCommon(data.chainId)

parentPort!.on('message', (request: RecoveryRequest) => {
  const n = request.raws.length
  const publicKeys = new Uint8Array(n * 64)
  const hashes = new Uint8Array(n * 32)
  const ok = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    try {
      const tx = createTxFromRLP(request.raws[i], { common })
      if (!tx.isSigned()) continue
      const publicKey = tx.getSenderPublicKey()
      if (publicKey.length !== 64) continue
      publicKeys.set(publicKey, i * 64)
      hashes.set(tx.hash(), i * 32)
      ok[i] = 1
    } catch {
      // left to the main thread's checks, which name the error
    }
  }
  const response: RecoveryResponse = { id: request.id, publicKeys, hashes, ok }
  parentPort!.postMessage(response, [publicKeys.buffer, hashes.buffer, ok.buffer])
})
parentPort!.postMessage({ ready: true })
