export { Proposer, type BatchTraceFn, type ProposerModules, type ProposerState } from './proposer.ts'
export { parseProposerOptions, ProposerOptionsSchema, type ProposerOptions, type ProposerOptionsInput } from './options.ts'
export { ProposerConfigError, ProposerCriticalError, ProposerRewindError, proposerErrorAction, type ProposerErrorAction } from './errors.ts'
