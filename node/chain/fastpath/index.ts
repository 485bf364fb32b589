export { FastPathExecutor, type FastPathStats, type RoutedTx } from './fastPathExecutor.ts'
export { fastPathOptions, type FastPathOptions } from './options.ts'
export { PlaceBetFastPath, type FastResult, type PlaceBetPlan } from './placeBet.ts'
