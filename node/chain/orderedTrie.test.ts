import t from 'tap'
import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, bytesToHex } from '@ethereumjs/util'
import { orderedTrieRoot } from './orderedTrie.ts'

async function mptRoot(values: Uint8Array[]): Promise<string> {
  const trie = await createMPT()
  for (let i = 0; i < values.length; i++) await trie.put(RLP.encode(bigIntToUnpaddedBytes(BigInt(i))), values[i])
  return bytesToHex(trie.root())
}

function pseudoRandomBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed * 2654435761 + 1
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

t.test('orderedTrieRoot equals the @ethereumjs/mpt root for every size and value length', async (t) => {
  const sizes = [0, 1, 2, 3, 15, 16, 17, 127, 128, 129, 255, 256, 257, 300, 1000]
  for (const size of sizes) {
    for (const valueLength of [1, 5, 31, 100]) {
      const values = Array.from({ length: size }, (_, i) => pseudoRandomBytes(i + size * 7 + valueLength, valueLength))
      t.equal(bytesToHex(orderedTrieRoot(values)), await mptRoot(values), `size ${size}, values of ${valueLength} bytes`)
    }
  }
})
