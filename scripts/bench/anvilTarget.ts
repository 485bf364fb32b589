import { startAnvil as startTestAnvil } from '../../node/testing/anvil.ts'
import type { Genesis } from '../../node/chain/genesis.ts'
import { betEngineDeployedBytecode, genesisStorage } from '../../sdk/src/betEngine/index.ts'
import { BET_ENGINE_ADDRESS } from '../../sdk/src/constants.ts'
import { BlockTracker } from './blockTracker.ts'
import { HttpRpc } from './rpcClient.ts'
import type { BenchTarget } from './target.ts'

/**
 * anvil in its best mode for this workload (PERF.md): interval mining every second. Zero base fee
 * and priority fee so the zero-fee txs are valid; a block gas limit far above what a second of bets
 * uses (the fixed TX_GAS_LIMIT would otherwise cap a block at 30 txs).
 */
export async function startAnvil(genesis: Genesis): Promise<BenchTarget> {
  const anvil = await startTestAnvil({
    blockTime: 1,
    chainId: genesis.chainId,
    extraArgs: ['--base-fee', '0', '--gas-price', '0', '--disable-min-priority-fee', '--gas-limit', '1000000000000'],
  })
  const rpc = new HttpRpc(anvil.rpcUrl, 16)
  try {
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
    await anvil.stop()
    throw e
  } finally {
    rpc.close()
  }
  return {
    name: 'anvil',
    httpUrl: anvil.rpcUrl,
    wsUrl: anvil.wsUrl,
    pid: anvil.pid,
    openTracker: () => BlockTracker.open(anvil.wsUrl),
    stop: () => anvil.stop(),
  }
}
