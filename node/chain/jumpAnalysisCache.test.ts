/**
 * The jump analysis cache (jumpAnalysisCache.ts) must never hand one code's analysis to another:
 * the interpreter reads PUSH values from it, so a mix-up would change what code computes. Two
 * codes of the same length that differ in one pushed byte, run alternately on a real VM, each
 * return their own value; and the bet engine runs as before (the chain and fast-path tests run
 * it at length with the cache installed).
 */
import t from 'tap'
import { createVM } from '@ethereumjs/vm'
import { createAddressFromString, bytesToBigInt, hexToBytes } from '@ethereumjs/util'
import { createL2Common } from './common.ts'
import { installJumpAnalysisCache } from './jumpAnalysisCache.ts'

/** PUSH1 4, JUMP, INVALID, JUMPDEST, PUSH1 value, PUSH1 0, MSTORE, PUSH1 32, PUSH1 0, RETURN */
const codeReturning = (value: number) => hexToBytes(`0x600456fe5b60${value.toString(16).padStart(2, '0')}60005260206000f3`)

t.test('cachedAnalysis_twoCodesSameLength_eachReturnsItsOwnValue', async (t) => {
  await installJumpAnalysisCache()
  await installJumpAnalysisCache() // idempotent
  const vm = await createVM({ common: createL2Common(901) })
  const a = createAddressFromString('0x00000000000000000000000000000000000000aa')
  const b = createAddressFromString('0x00000000000000000000000000000000000000bb')
  await vm.stateManager.putCode(a, codeReturning(42))
  await vm.stateManager.putCode(b, codeReturning(43))
  for (let round = 0; round < 3; round++) {
    for (const [to, want] of [[a, 42n], [b, 43n]] as const) {
      const { execResult } = await vm.evm.runCall({ to, gasLimit: 100_000n })
      t.equal(execResult.exceptionError, undefined)
      t.equal(bytesToBigInt(execResult.returnValue), want, `round ${round}: ${to.toString()} returns ${want}`)
    }
  }
})
