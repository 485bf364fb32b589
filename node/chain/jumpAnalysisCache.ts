/**
 * A cache of @ethereumjs/evm's jump destination analysis, keyed by the code's bytes.
 *
 * The interpreter analyses the whole code of a contract (valid JUMPDESTs, PUSH values, the opcode
 * of each byte) at the first jump of every call: for the 13 KB bet engine that is about 1 ms per
 * EVM-run tx, 13% of the sequencer's CPU while the settlement service settles (profile in
 * docs/performance.md). The result depends only on the code and the opcode table (fixed by the
 * Common's hardfork), and the interpreter only reads it, so one analysis per (code, opcode table)
 * serves every call. The bet engine is the only contract on L2, so the cache stays tiny; it is
 * bounded all the same.
 *
 * The Interpreter class is not exported by @ethereumjs/evm, so this patches its prototype through
 * the module's own file (the same URL the package's index imports, so the same class).
 */

interface Analysis {
  jumps: Uint8Array
  pushes: Record<number, bigint>
  opcodesCached: unknown[]
}
interface InterpreterLike {
  _evm: { _opcodeMap: object }
  _getValidJumpDestinations(code: Uint8Array): Analysis
}

const MAX_ENTRIES = 16
const PATCHED = Symbol.for('rollbook.jumpAnalysisCache')

/** Cached analyses per opcode table: each entry keeps a copy of the code it analysed. */
const cache = new WeakMap<object, { code: Uint8Array; analysis: Analysis }[]>()

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0
}

/** Installs the cache once per process (and per worker thread: each has its own module graph). */
export async function installJumpAnalysisCache(): Promise<void> {
  // the module beside the package's resolved entry (dist/esm/index.js -> dist/esm/interpreter.js)
  const { Interpreter } = (await import(new URL('./interpreter.js', import.meta.resolve('@ethereumjs/evm')).href)) as { Interpreter: { prototype: InterpreterLike & { [PATCHED]?: true } } }
  const proto = Interpreter.prototype
  if (proto[PATCHED]) return
  const analyse = proto._getValidJumpDestinations
  proto._getValidJumpDestinations = function (this: InterpreterLike, code: Uint8Array): Analysis {
    const table = this._evm._opcodeMap
    let entries = cache.get(table)
    if (entries === undefined) cache.set(table, (entries = []))
    for (const entry of entries) if (sameBytes(entry.code, code)) return entry.analysis
    const analysis = analyse.call(this, code)
    if (entries.length >= MAX_ENTRIES) entries.shift()
    entries.push({ code: code.slice(), analysis })
    return analysis
  }
  proto[PATCHED] = true
}
