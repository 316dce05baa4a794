#!/usr/bin/env node
// The `create-msrp-bot` command (`npx create-msrp-bot my-bot`, `npm create msrp-bot my-bot`).
//
// The published package runs the compiled scaffolder in dist/ (made by build.mjs when packing).
// In a checkout of the repository, where there is no dist/, it runs the scaffolder's
// TypeScript sources in the repository's src/ through tsx.
//
// This file must parse on old Node.js versions, to tell their users what to install.
import { existsSync, readFileSync } from 'node:fs'

const engines = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node
const minimum = engines.replace(/^>=\s*/, '')
const atLeast = (have, want) => {
  const a = have.split('.').map(Number)
  const b = want.split('.').map(Number)
  for (let i = 0; i < 3; i++) if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0)
  return true
}
if (!atLeast(process.versions.node, minimum)) {
  console.error(`create-msrp-bot: this is Node.js ${process.versions.node}; msrp-bot needs Node.js ${minimum} or later. Install a newer Node.js (https://nodejs.org) and run the command again.`)
  process.exit(1)
}

const built = new URL('../dist/cli/create-msrp-bot.js', import.meta.url)
let main
if (existsSync(built)) {
  ;({ main } = await import(built.href))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../../../src/cli/create-msrp-bot.ts'))
}
process.exitCode = await main(process.argv.slice(2))
