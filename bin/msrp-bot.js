#!/usr/bin/env node
// The `msrp-bot` command. msrp-bot ships TypeScript sources: register tsx's ESM loader so that
// both this package and the bot files it loads (bot.ts) run without a build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/msrp-bot.ts')
process.exitCode = await main(process.argv.slice(2))
