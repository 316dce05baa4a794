#!/usr/bin/env node
// The `msrp-bot` command.
//
// Installed from npm, it runs the compiled library in dist/. In a checkout of the repository
// (src/ is there; the published package does not ship it) it runs the TypeScript sources, and
// `import ... from 'msrp-bot'` in the example bots resolves to src/ too (the "msrp-bot-source"
// export condition), so the command and the bots share one copy of the library.
// Either way tsx's loader is registered, so bot files may be TypeScript (bot.ts, bot.mts) as
// well as JavaScript (bot.js, bot.mjs).
//
// This file must parse on old Node.js versions, to tell their users what to install.
import { existsSync, readFileSync } from 'node:fs'
import module from 'node:module'

const engines = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node
const minimum = engines.replace(/^>=\s*/, '')
const atLeast = (have, want) => {
  const a = have.split('.').map(Number)
  const b = want.split('.').map(Number)
  for (let i = 0; i < 3; i++) if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0)
  return true
}
if (!atLeast(process.versions.node, minimum) || typeof module.register !== 'function') {
  console.error(`msrp-bot: this is Node.js ${process.versions.node}; msrp-bot needs Node.js ${minimum} or later. Install a newer Node.js (https://nodejs.org) and run the command again.`)
  process.exit(1)
}

const checkout = existsSync(new URL('../src/cli/msrp-bot.ts', import.meta.url))
const { register } = await import('tsx/esm/api')
register()
if (checkout) {
  // Registered after tsx, so it runs first: adds the condition, then lets tsx resolve.
  const addSourceCondition =
    'export function resolve(specifier, context, next) {' +
    " return next(specifier, context.conditions.includes('msrp-bot-source') ? context : { ...context, conditions: [...context.conditions, 'msrp-bot-source'] }) }"
  module.register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`)
}
const { main } = await import(checkout ? '../src/cli/msrp-bot.ts' : '../dist/cli/msrp-bot.js')
process.exitCode = await main(process.argv.slice(2))
