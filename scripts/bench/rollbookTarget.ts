import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { genesisToJson, type Genesis } from '../../node/chain/genesis.ts'
import { startNodeProcess, tempDatadir } from '../../node/testing/testNode.ts'
import { PreconfTracker } from './preconfTracker.ts'
import type { BenchTarget } from './target.ts'

/**
 * The real `rollbook node` CLI as a child process, on a temp datadir with the bench's own genesis
 * file (`--genesis`; the dev genesis stays as it is). Its output is drained by startNodeProcess.
 */
export async function startRollbook(genesis: Genesis): Promise<BenchTarget> {
  const datadir = tempDatadir('rollbook-bench-')
  const genesisFile = join(datadir, 'bench-genesis.json')
  writeFileSync(genesisFile, JSON.stringify(genesisToJson(genesis), null, 2))
  // BENCH_NODE_ARGS: extra node flags to compare settings, e.g. "--seal-txs 16"
  const extra = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  const node = await startNodeProcess(datadir, ['--genesis', genesisFile, ...extra])
  return {
    name: 'rollbook',
    httpUrl: node.httpUrl,
    wsUrl: node.wsUrl,
    pid: node.child.pid,
    openTracker: () => PreconfTracker.open(node.wsUrl),
    stop: async () => {
      const code = await node.stop()
      if (code !== 0) console.error(`rollbook node exited with ${code}`)
      rmSync(datadir, { recursive: true, force: true })
    },
  }
}
