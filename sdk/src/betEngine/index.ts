export * from './layout.ts'
export * from './errors.ts'
export { betEngineAbi, betEngineBytecode, betEngineDeployedBytecode } from '../generated/contracts.ts'
