/**
 * The solc settings every build of the contracts uses: `npm run build` (scripts/build-contracts.ts)
 * and the tests that compile sources directly (bridge-contracts/test/compileEntries.ts), so what
 * the tests run is what deploys.
 */
export const SOLC_SETTINGS = {
  evmVersion: 'prague',
  optimizer: { enabled: true, runs: 10_000 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
}

/**
 * Contracts built for size rather than runtime gas, by source path under bridge-contracts/src: the
 * L1 build of the bet engine's first half holds most betting rules, and EIP-170 caps a contract at
 * 24,576 bytes (at 10,000 runs it is over). The second half (BetEngineExtensionVerifier) is created
 * by its constructor, so it is built with it.
 */
export const SIZE_OPTIMIZED: Record<string, { contract: string; runs: number }> = {
  'L1/fraud/BetEngineVerifier.sol': { contract: 'BetEngineVerifier', runs: 200 },
}
