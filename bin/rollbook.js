#!/usr/bin/env -S node --max-semi-space-size=64
// The rollbook command: runs the TypeScript sources through tsx's loader. The shebang's V8 flag
// gives the young generation room for a block's short-lived objects (docs/decisions/0009).
import { register } from 'tsx/esm/api'

register()
await import('../node/cli/main.ts')
