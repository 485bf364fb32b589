/**
 * The native crypto behind the chain's Common: signing through libsecp256k1 gives noble's bytes
 * exactly (RFC 6979 on both), so a tx signed by the node's own signers is the tx noble would sign.
 */
import t from 'tap'
import fc from 'fast-check'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { createFeeMarket1559Tx } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { ecrecover, ecsign, nativeCrypto } from './crypto.ts'
import { createL2Common } from './common.ts'

t.test('ecsign_randomKeysAndMessages_sameBytesAsNoble', async (t) => {
  t.ok(nativeCrypto.secp256k1, 'libsecp256k1 loaded (else this test compares noble with itself)')
  const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => secp256k1.utils.isValidSecretKey(k))
  fc.assert(
    fc.property(key, fc.uint8Array({ minLength: 32, maxLength: 32 }), (secret, message) => {
      const native = ecsign(message, secret, { format: 'recovered', prehash: false })
      const noble = secp256k1.sign(message, secret, { format: 'recovered', prehash: false })
      return bytesToHex(native) === bytesToHex(noble)
    }),
    { numRuns: 500 },
  )
  t.pass('500 random keys and messages sign alike')
})

t.test('txSign_throughTheChainCommon_recoversTheSigner', async (t) => {
  const common = createL2Common(901)
  const secret = hexToBytes('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318')
  const tx = createFeeMarket1559Tx({ chainId: 901n, nonce: 3n, gasLimit: 1_000_000n, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, to: '0x4200000000000000000000000000000000000b37', data: '0x1234' }, { common }).sign(secret)
  const noble = secp256k1.Signature.fromBytes(secp256k1.sign(tx.getHashedMessageToSign(), secret, { format: 'recovered', prehash: false }), 'recovered')
  t.same([tx.v, tx.r, tx.s], [BigInt(noble.recovery!), noble.r, noble.s], 'the signature noble gives for the same message')
  const pub = ecrecover(tx.getHashedMessageToSign(), tx.v!, hexToBytes(`0x${tx.r!.toString(16).padStart(64, '0')}`), hexToBytes(`0x${tx.s!.toString(16).padStart(64, '0')}`))
  t.equal(bytesToHex(pub), bytesToHex(secp256k1.getPublicKey(secret, false).subarray(1)), 'native ecrecover finds the key')
})
