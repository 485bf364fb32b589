import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Genesis } from '../../node/chain/genesis.ts'
import { betEngineDeployedBytecode, genesisStorage } from '../../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS } from '../../sdk/src/constants.ts'
import { BlockTracker } from './blockTracker.ts'
import { HttpRpc } from './rpcClient.ts'
import type { BenchTarget } from './target.ts'

const ANVIL_BIN = fileURLToPath(new URL('../../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil', import.meta.url))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * anvil in its best mode for this workload (PERF.md): interval mining every second. Zero base fee
 * and priority fee so the zero-fee txs are valid; a block gas limit far above what a second of bets
 * uses (the fixed TX_GAS_LIMIT would otherwise cap a block at 30 txs).
 */
export async function startAnvil(genesis: Genesis): Promise<BenchTarget> {
  const port = await freePort()
  const child = spawn(
    ANVIL_BIN,
    [
      '--host', '127.0.0.1',
      '--port', String(port),
      '--silent',
      '--hardfork', 'prague',
      '--chain-id', String(genesis.chainId),
      '--block-time', '1',
      '--base-fee', '0',
      '--gas-price', '0',
      '--disable-min-priority-fee',
      '--gas-limit', '1000000000000',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const httpUrl = `http://127.0.0.1:${port}`
  const rpc = new HttpRpc(httpUrl, 16)
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}: ${stderr}`)
      const chainId = await rpc.call<string>('eth_chainId').catch(() => undefined)
      if (chainId !== undefined) break
      if (i > 300) throw new Error(`anvil did not answer in 30 s: ${stderr}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    // the bet engine predeploy, identical code and genesis storage
    await rpc.call('anvil_setCode', [BET_ENGINE_ADDRESS, betEngineDeployedBytecode])
    const { operator, oracle, balances } = genesis.betEngine
    const storage = genesisStorage({ operator, oracle, balances })
    await Promise.all(storage.map(([slot, value]) => rpc.call('anvil_setStorageAt', [BET_ENGINE_ADDRESS, slot, value])))
    for (const [slot, value] of storage) {
      const read = await rpc.call<string>('eth_getStorageAt', [BET_ENGINE_ADDRESS, slot, 'latest'])
      if (BigInt(read) !== BigInt(value)) throw new Error(`anvil storage ${slot}: wrote ${value}, reads ${read}`)
    }
  } catch (e) {
    child.kill('SIGKILL')
    throw e
  } finally {
    rpc.close()
  }
  return {
    name: 'anvil',
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}`,
    pid: child.pid,
    openTracker: () => BlockTracker.open(`ws://127.0.0.1:${port}`),
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}
