/**
 * Compiles the test-only contracts in bridge-contracts/test/contracts (with bridge-contracts/src
 * for their imports) using the same solc settings as scripts/build-contracts.ts, cached under
 * node_modules/.cache by the hash of the sources. They stay out of sdk/src/generated.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Abi, Hex } from 'viem'

const contractsRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repoRoot = resolve(contractsRoot, '..')
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'rollbook-test-contracts')
const solcVersion = String(createRequire(import.meta.url)('solc/package.json').version)

const settings = {
  evmVersion: 'prague',
  optimizer: { enabled: true, runs: 10_000 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
}

export interface CompiledContract {
  abi: Abi
  bytecode: Hex
  deployedBytecode: Hex
}

function listSolidity(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return listSolidity(path)
    return entry.name.endsWith('.sol') ? [path] : []
  })
}

let compiled: Record<string, CompiledContract> | undefined

/** Every contract defined under bridge-contracts/test/contracts, by name. */
export async function testContracts(): Promise<Record<string, CompiledContract>> {
  if (compiled) return compiled
  const files = [...listSolidity(join(contractsRoot, 'src')), ...listSolidity(join(contractsRoot, 'test', 'contracts'))].sort()
  const sources: Record<string, { content: string }> = {}
  for (const file of files) sources[relative(contractsRoot, file).split(sep).join('/')] = { content: readFileSync(file, 'utf8') }
  const hash = createHash('sha256').update(solcVersion).update(JSON.stringify(settings)).update(JSON.stringify(sources)).digest('hex')
  const cacheFile = join(cacheDir, `${hash}.json`)
  if (existsSync(cacheFile)) {
    compiled = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, CompiledContract>
    return compiled
  }
  const { default: solc } = await import('solc')
  const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }))) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>
  }
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const result: Record<string, CompiledContract> = {}
  for (const [file, contracts] of Object.entries(output.contracts)) {
    if (!file.startsWith('test/')) continue
    for (const [name, c] of Object.entries(contracts)) {
      result[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}`, deployedBytecode: `0x${c.evm.deployedBytecode.object}` }
    }
  }
  mkdirSync(cacheDir, { recursive: true })
  writeFileSync(cacheFile, JSON.stringify(result))
  compiled = result
  return result
}
