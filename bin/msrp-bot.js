#!/usr/bin/env node
// The `msrp-bot` command. msrp-bot ships TypeScript sources: register tsx's ESM loader so that
// both this package and the bot files it loads (bot.ts) run without a build step.
import module from 'node:module'

// tsx's loader needs module.register (Node 20.6+); say so instead of failing obscurely.
if (typeof module.register !== 'function') {
  console.error(`msrp-bot: Node.js ${process.versions.node} is too old; use Node.js 20.6 or later`)
  process.exit(1)
}
const { register } = await import('tsx/esm/api')
register()
const { main } = await import('../src/cli/msrp-bot.ts')
process.exitCode = await main(process.argv.slice(2))
