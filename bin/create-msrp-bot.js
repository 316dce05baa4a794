#!/usr/bin/env node
// The `create-msrp-bot` command (`npx create-msrp-bot my-bot`). Registers tsx's ESM loader so
// the TypeScript sources run without a build step.
import module from 'node:module'

// tsx's loader needs module.register (Node 20.6+); say so instead of failing obscurely.
if (typeof module.register !== 'function') {
  console.error(`create-msrp-bot: Node.js ${process.versions.node} is too old; use Node.js 20.6 or later`)
  process.exit(1)
}
const { register } = await import('tsx/esm/api')
register()
const { main } = await import('../src/cli/create-msrp-bot.ts')
process.exitCode = await main(process.argv.slice(2))
