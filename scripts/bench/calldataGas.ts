/**
 * L1 calldata pricing of a plain transaction under Prague (EIP-2028 and EIP-7623), to split a
 * receipt's gasUsed into what the bytes cost and what the call executed.
 */
export const TX_BASE_GAS = 21_000n
/** EIP-2028: a zero byte is one token, any other byte four */
const TOKENS_PER_NONZERO_BYTE = 4n
/** gas per token while execution pays for itself (16 per non-zero byte) */
export const STANDARD_GAS_PER_TOKEN = 4n
/** EIP-7623: a tx pays at least this per token (40 per non-zero byte), execution included in it */
export const FLOOR_GAS_PER_TOKEN = 10n

export function calldataTokens(data: Uint8Array): bigint {
  let zeros = 0
  for (const byte of data) if (byte === 0) zeros++
  return BigInt(zeros) + TOKENS_PER_NONZERO_BYTE * BigInt(data.length - zeros)
}

export interface CalldataGas {
  tokens: bigint
  /** 21,000 + 10 per token: the least such a tx can cost */
  floorGas: bigint
  /** 4 per token: what the bytes cost when execution lifts the tx above the floor */
  standardCalldataGas: bigint
  /** gasUsed - 21,000 - 4 per token: what the call executed; when the floor applies, an upper bound of it */
  executionGas: bigint
  /** the receipt's gasUsed is the floor: the bytes set the price, execution rode along free */
  floorApplies: boolean
}

/**
 * Splits a receipt's gasUsed. Prague charges max(21,000 + 4 * tokens + execution, 21,000 + 10 *
 * tokens), so a gasUsed below the floor is an error in the inputs, not a pricing case.
 */
export function splitCalldataGas(input: Uint8Array, gasUsed: bigint): CalldataGas {
  const tokens = calldataTokens(input)
  const floorGas = TX_BASE_GAS + FLOOR_GAS_PER_TOKEN * tokens
  if (gasUsed < floorGas) throw new Error(`gasUsed ${gasUsed} is below the EIP-7623 floor ${floorGas} of ${tokens} tokens: not a Prague receipt of this input`)
  const standardCalldataGas = STANDARD_GAS_PER_TOKEN * tokens
  return { tokens, floorGas, standardCalldataGas, executionGas: gasUsed - TX_BASE_GAS - standardCalldataGas, floorApplies: gasUsed === floorGas }
}
