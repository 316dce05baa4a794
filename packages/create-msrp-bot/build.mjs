// Builds the create-msrp-bot package from the repository's single copy of the scaffolder and
// the templates: compiles src/cli/create-msrp-bot.ts (and only what it imports) to dist/,
// copies templates/ and the example bots the echo and moderator templates start from, and
// records the msrp-bot version and tool versions a new project depends on.
// `node build.mjs --clean` removes all of it again (npm runs it after packing), so in the
// repository the bin keeps running the TypeScript sources.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const repo = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const outputs = ['dist', 'templates', 'bots', 'msrp-bot.package.json']

for (const output of outputs) rmSync(here(output), { recursive: true, force: true })
if (process.argv.includes('--clean')) process.exit(0)

const msrpBot = JSON.parse(readFileSync(repo('package.json'), 'utf8'))
const self = JSON.parse(readFileSync(here('package.json'), 'utf8'))
if (self.version !== msrpBot.version) {
  console.error(`create-msrp-bot ${self.version} and msrp-bot ${msrpBot.version} differ: the two packages are released together; set both versions alike`)
  process.exit(1)
}
if (self.engines.node !== msrpBot.engines.node) {
  console.error(`engines.node differs: create-msrp-bot '${self.engines.node}', msrp-bot '${msrpBot.engines.node}'; set both alike`)
  process.exit(1)
}

// typescript's exports hide bin/tsc; find its package.json and take the bin from there.
const typescriptJson = createRequire(repo('package.json')).resolve('typescript/package.json')
const tsc = fileURLToPath(new URL(JSON.parse(readFileSync(typescriptJson, 'utf8')).bin.tsc, `file://${typescriptJson}`))
execFileSync(process.execPath, [tsc, '-p', here('tsconfig.build.json')], { stdio: 'inherit' })

cpSync(repo('templates'), here('templates'), { recursive: true })
mkdirSync(here('bots'))
for (const bot of ['echo.ts', 'moderator.ts']) cpSync(repo(`bots/${bot}`), here(`bots/${bot}`))
const info = {
  name: msrpBot.name,
  version: msrpBot.version,
  engines: msrpBot.engines,
  dependencies: { tsx: msrpBot.dependencies.tsx },
  devDependencies: { typescript: msrpBot.devDependencies.typescript, '@types/node': msrpBot.devDependencies['@types/node'] },
}
writeFileSync(here('msrp-bot.package.json'), `${JSON.stringify(info, null, 2)}\n`)
