#!/usr/bin/env node
// The `create-msrp-bot` command (`npx create-msrp-bot my-bot`). Registers tsx's ESM loader so
// the TypeScript sources run without a build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/create-msrp-bot.ts')
process.exitCode = await main(process.argv.slice(2))
