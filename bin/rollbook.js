#!/usr/bin/env node
// The rollbook command: runs the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api'

register()
await import('../node/cli/main.ts')
