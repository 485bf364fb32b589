import { createMPT, verifyMPTWithMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, hexToBytes, type Hex } from 'viem'
import { BET_ENGINE_ADDRESS } from '../constants.ts'
import { withdrawalSlot } from '../l1/encoding.ts'
import { InvalidWithdrawalProofError, WithdrawalNotInStateError } from './errors.ts'

export interface VerifyWithdrawalProofParameters {
  withdrawalHash: Hex
  /** The L2 state root the output root commits to. */
  stateRoot: Hex
  /** eth_getProof's accountProof for the bet engine. */
  accountProof: readonly Hex[]
  /** eth_getProof's storage proof for the withdrawal's slot. */
  storageProof: readonly Hex[]
}

/**
 * Checks, as RollbookBridge.finalizeWithdrawal will, that the bet engine's slot
 * keccak256(abi.encode(withdrawalHash, 7)) holds 1 under `stateRoot`; so a bad proof fails here,
 * before any L1 gas is spent. Throws InvalidWithdrawalProofError or WithdrawalNotInStateError.
 */
export async function verifyWithdrawalProof({ withdrawalHash, stateRoot, accountProof, storageProof }: VerifyWithdrawalProofParameters): Promise<void> {
  const account = await provenValue('account proof', stateRoot, BET_ENGINE_ADDRESS, accountProof)
  if (account === null) throw new InvalidWithdrawalProofError({ reason: 'the bet engine account is absent from the state' })
  let storageRoot: Hex
  try {
    const fields = RLP.decode(account) as Uint8Array[]
    if (!Array.isArray(fields) || fields.length !== 4 || fields[2].length !== 32) throw new Error('not [nonce, balance, storageRoot, codeHash]')
    storageRoot = bytesToHex(fields[2])
  } catch (cause) {
    throw new InvalidWithdrawalProofError({ reason: 'the bet engine account does not decode', cause })
  }
  const value = await provenValue('storage proof', storageRoot, withdrawalSlot(withdrawalHash), storageProof)
  if (value === null) throw new WithdrawalNotInStateError({ withdrawalHash, where: `with state root ${stateRoot}` })
  // The leaf holds rlp(1) = 0x01; any other value is not a withdrawal record.
  if (value.length !== 1 || value[0] !== 1) {
    throw new InvalidWithdrawalProofError({ reason: `the withdrawal slot holds ${bytesToHex(value)}, not 1` })
  }
}

/** The value at keccak256(key) in the trie under `root`, or null when the proof shows it absent. */
async function provenValue(what: string, root: Hex, key: Hex, proof: readonly Hex[]): Promise<Uint8Array | null> {
  try {
    return await verifyMPTWithMerkleProof(
      await createMPT({ useKeyHashing: true }),
      hexToBytes(root),
      hexToBytes(key),
      proof.map((node) => hexToBytes(node)),
    )
  } catch (cause) {
    throw new InvalidWithdrawalProofError({ reason: `the ${what} does not verify against root ${root}`, cause })
  }
}
