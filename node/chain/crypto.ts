import { createRequire } from 'node:module'
import { dirname } from 'node:path'
import type { CustomCrypto } from '@ethereumjs/common'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { ecrecover as jsEcrecover } from '@ethereumjs/util'
import { secp256k1 } from '@noble/curves/secp256k1.js'

const require = createRequire(import.meta.url)

interface NativeSponge {
  initialize(rate: number, capacity: number): void
  absorb(data: Uint8Array): void
  absorbLastFewBits(bits: number): void
  squeeze(length: number): Uint8Array
}
interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number }
}

/** Native keccak's sponge used directly: its stream API costs ~3x per hash (PERF.md). */
function loadNativeKeccak(): ((data: Uint8Array) => Uint8Array) | undefined {
  try {
    const Sponge = require('node-gyp-build')(dirname(require.resolve('keccak/package.json'))) as new () => NativeSponge
    const sponge = new Sponge()
    return (data) => {
      sponge.initialize(1088, 512)
      sponge.absorb(data)
      sponge.absorbLastFewBits(0x01)
      const out = sponge.squeeze(32)
      return new Uint8Array(out.buffer, out.byteOffset, 32)
    }
  } catch {
    return undefined
  }
}

function loadNativeSecp256k1(): NativeSecp256k1 | undefined {
  try {
    return require('secp256k1/bindings') as NativeSecp256k1
  } catch {
    return undefined
  }
}

export const keccak256: (data: Uint8Array) => Uint8Array = loadNativeKeccak() ?? ((data) => keccak_256(data))

const nativeSecp = loadNativeSecp256k1()

function pad32(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 32) return bytes
  if (bytes.length > 32) throw new Error('signature value longer than 32 bytes')
  const out = new Uint8Array(32)
  out.set(bytes, 32 - bytes.length)
  return out
}

function recoveryId(v: bigint, chainId?: bigint): number {
  if (v === 0n || v === 1n) return Number(v)
  const id = chainId === undefined ? v - 27n : v - (chainId * 2n + 35n)
  if (id !== 0n && id !== 1n) throw new Error('invalid signature v value')
  return Number(id)
}

/** ecrecover with ethereumjs's contract (64-byte public key), through libsecp256k1 when it loads. */
export const ecrecover: (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint) => Uint8Array =
  nativeSecp === undefined
    ? jsEcrecover
    : (msgHash, v, r, s, chainId) => {
        const sig = new Uint8Array(64)
        sig.set(pad32(r), 0)
        sig.set(pad32(s), 32)
        const pub = nativeSecp.ecdsaRecover(sig, recoveryId(v, chainId), msgHash, false)
        return pub.subarray(1)
      }

/**
 * Signing as ethereumjs's tx.sign asks it (`format: 'recovered'`: recovery id, then r and s), through
 * libsecp256k1 when it loads: both are RFC 6979 deterministic, so the bytes are noble's, ~16x
 * faster (0.05 against 0.83 ms here), which is what the node's own signers (the settlement service,
 * the operator API) spend per tx. Anything else asked of it goes to noble.
 */
export const ecsign: typeof secp256k1.sign =
  nativeSecp === undefined
    ? secp256k1.sign
    : (message, secretKey, opts) => {
        if (opts?.format !== 'recovered' || opts.prehash !== false || opts.extraEntropy || message.length !== 32 || secretKey.length !== 32) {
          return secp256k1.sign(message, secretKey, opts)
        }
        const { signature, recid } = nativeSecp.ecdsaSign(message, secretKey)
        const out = new Uint8Array(65)
        out[0] = recid
        out.set(signature, 1)
        return out
      }

export const nativeCrypto = { keccak: loadNativeKeccak() !== undefined, secp256k1: nativeSecp !== undefined }

export const customCrypto: CustomCrypto = { keccak256, ecrecover, ecsign }
