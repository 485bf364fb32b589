/**
 * Compiles only the given Solidity files (paths under bridge-contracts) and what they import, with
 * the settings of scripts/build-contracts.ts, cached under node_modules/.cache. Unlike
 * testContracts(), a test using it does not depend on unrelated contracts compiling.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, posix, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SIZE_OPTIMIZED, SOLC_SETTINGS } from '../../scripts/contractSettings.ts'
import type { CompiledContract } from './testContracts.ts'

const contractsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const cacheDir = join(contractsRoot, '..', 'node_modules', '.cache', 'rollbook-test-contracts')
const solcVersion = String(createRequire(import.meta.url)('solc/package.json').version)

const settings = SOLC_SETTINGS

/** The files `entries` import, transitively, with their contents. */
function collectSources(entries: string[]): Record<string, { content: string }> {
  const sources: Record<string, { content: string }> = {}
  const queue = [...entries]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (sources[file] !== undefined) continue
    const content = readFileSync(join(contractsRoot, file), 'utf8')
    sources[file] = { content }
    for (const [, path] of content.matchAll(/^import\s+[^"']*["']([^"']+)["']/gm)) queue.push(posix.normalize(posix.join(posix.dirname(file), path)))
  }
  return sources
}

/** Every contract defined in `entries`, by name. */
export async function compileEntries(entries: string[]): Promise<Record<string, CompiledContract>> {
  const sources = collectSources(entries)
  const names = Object.keys(sources).sort()
  const hash = createHash('sha256').update(solcVersion).update(JSON.stringify(settings)).update(JSON.stringify(SIZE_OPTIMIZED))
  for (const name of names) hash.update(`${name}\0${sources[name].content}\0`)
  const cacheFile = join(cacheDir, `entries-${hash.digest('hex')}.json`)
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, CompiledContract>
  const { default: solc } = await import('solc')
  const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }))) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts: Record<string, Record<string, { abi: CompiledContract['abi']; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>
  }
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const result: Record<string, CompiledContract> = {}
  for (const file of entries) {
    for (const [name, c] of Object.entries(output.contracts[file] ?? {})) {
      result[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, deployedBytecode: `0x${c.evm.deployedBytecode.object}` }
    }
  }
  // contracts the build optimizes for size, built the same way here
  for (const [file, { contract, runs }] of Object.entries(SIZE_OPTIMIZED)) {
    const entry = `src/${file}`
    if (!entries.includes(entry)) continue
    const sized = JSON.parse(
      solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: { ...settings, optimizer: { enabled: true, runs }, outputSelection: { [entry]: { [contract]: settings.outputSelection['*']['*'] } } } })),
    ) as typeof output
    const c = sized.contracts[entry]?.[contract]
    if (c === undefined) throw new Error(`${entry}: ${contract} not built at ${runs} runs`)
    result[contract] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, deployedBytecode: `0x${c.evm.deployedBytecode.object}` }
  }
  mkdirSync(cacheDir, { recursive: true })
  writeFileSync(cacheFile, JSON.stringify(result))
  return result
}
