/** The tests' anvil: the devnet's own helper (node/devnet/anvil.ts). */
export { startAnvil, type AnvilInstance, type StartAnvilOptions } from '../devnet/anvil.ts'
