/**
 * Unsigned LEB128 varints: 7 bits a byte, least significant group first, the high bit set on
 * every byte but the last. Only the minimal encoding is valid: a last byte of 0x00 after others
 * adds nothing, so a decoder refuses it (every value has exactly one encoding).
 */

/** Appends the varint of `value` (>= 0) to `out`. */
export function writeVarint(out: number[], value: bigint): void {
  let rest = value
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80)
    rest >>= 7n
  }
  out.push(Number(rest))
}

export function varintLength(value: bigint): number {
  let length = 1
  for (let rest = value >> 7n; rest > 0n; rest >>= 7n) length++
  return length
}

export type ReadVarintResult =
  /** `end` is the offset just past the varint. */
  | { ok: true; value: bigint; end: number }
  /** framed: the varint's end is known (`end`), so the record around it can be skipped; otherwise it runs off the chunk. */
  | { ok: false; framed: true; end: number; reason: 'nonMinimalVarint' | 'varintOutOfRange' }
  | { ok: false; framed: false; reason: 'truncated' }

/**
 * Reads the varint at `offset`, which must be below 2^maxBits. The varint ends at its first byte
 * under 0x80, however far that is; past maxBits the value is no longer accumulated, only framed.
 */
export function readVarint(bytes: Uint8Array, offset: number, maxBits: number): ReadVarintResult {
  let value = 0n
  let shift = 0
  let overflow = false
  for (let i = offset; i < bytes.length; i++) {
    const byte = bytes[i]
    if (!overflow) {
      value |= BigInt(byte & 0x7f) << BigInt(shift)
      overflow = value >> BigInt(maxBits) !== 0n
    }
    shift += 7
    if (byte < 0x80) {
      const end = i + 1
      if (byte === 0 && i > offset) return { ok: false, framed: true, end, reason: 'nonMinimalVarint' }
      if (overflow) return { ok: false, framed: true, end, reason: 'varintOutOfRange' }
      return { ok: true, value, end }
    }
  }
  return { ok: false, framed: false, reason: 'truncated' }
}
