import type { Common } from '@ethereumjs/common'
import { createL2Common } from './common.ts'

/**
 * A Common for decoding txs that every tx shares. @ethereumjs/tx copies the Common it is given
 * for each tx (getCommon → common.copy()) and then applies the tx params to it (updateParams,
 * a JSON deep copy and a rebuild of the params cache): ~5% of the sequencer's CPU in a profile.
 * Nothing else mutates a tx's Common here (the node's hardfork is fixed), so one shared instance
 * that applies each params object once is safe. txCommon.test.ts checks both still hold.
 */
export function createSharedTxCommon(chainId: number): Common {
  const common = createL2Common(chainId)
  const applied = new WeakSet<object>()
  const updateParams = common.updateParams.bind(common)
  common.copy = () => common
  common.updateParams = (params) => {
    if (applied.has(params)) return common
    applied.add(params)
    return updateParams(params)
  }
  return common
}
