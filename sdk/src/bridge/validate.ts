import { isAddress, zeroAddress, type Address } from 'viem'
import { InvalidBridgeParameterError } from './errors.ts'

/** Throws InvalidBridgeParameterError unless `amount` is a positive bigint below 2^256. */
export function assertAmount(amount: bigint): void {
  if (typeof amount !== 'bigint') throw new InvalidBridgeParameterError({ parameter: 'amount', reason: 'must be a bigint in token base units' })
  if (amount <= 0n) throw new InvalidBridgeParameterError({ parameter: 'amount', reason: `must be positive, got ${amount}` })
  if (amount >= 1n << 256n) throw new InvalidBridgeParameterError({ parameter: 'amount', reason: 'must fit in uint256' })
}

/** Throws InvalidBridgeParameterError unless `address` is a well-formed, non-zero address. */
export function assertRecipient(parameter: string, address: Address): void {
  if (typeof address !== 'string' || !isAddress(address, { strict: false })) {
    throw new InvalidBridgeParameterError({ parameter, reason: `not an address: ${String(address)}` })
  }
  if (address.toLowerCase() === zeroAddress) throw new InvalidBridgeParameterError({ parameter, reason: 'the zero address cannot receive funds' })
}
