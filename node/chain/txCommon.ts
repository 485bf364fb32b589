import type { Common } from '@ethereumjs/common'
import { createL2Common } from './common.ts'

/**
 * A Common for decoding txs that every tx shares. @ethereumjs/tx copies the Common it is given
 * for each tx (getCommon → common.copy()), which rebuilds the params cache per tx: ~5% of the
 * sequencer's CPU in a profile. Nothing mutates a tx's Common here (the node's hardfork is fixed),
 * so one shared instance is safe. txCommon.test.ts checks decoding still yields that instance.
 */
export function createSharedTxCommon(chainId: number): Common {
  const common = createL2Common(chainId)
  common.copy = () => common
  return common
}
