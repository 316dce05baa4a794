/**
 * Runs every benchmark under test/bench (files named *.bench.ts) and prints a table.
 *
 * Usage: `npm run bench` for all, `npm run bench -- msrp` for those whose file name contains
 * "msrp". Each benchmark module exports `run(): Promise<BenchResult[]>`; benchmarks that have a
 * peer (a scan-only ceiling, Kamailio under sipp) measure it in the same run and report the ratio.
 */
import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'
import type { BenchResult } from './bench-result.ts'

const here = fileURLToPath(new URL('.', import.meta.url))
const filter = process.argv.slice(2).filter((a) => !a.startsWith('-'))
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((word) => f.includes(word)))
  .sort()

if (files.length === 0) {
  console.error(`no benchmark matches ${filter.join(' ')}; files are test/bench/*.bench.ts`)
  process.exit(1)
}

console.log(`msrp-bot benchmarks — node ${process.version}, ${new Date().toISOString()}`)
let failed = 0
for (const file of files) {
  console.log(`\n## ${file}`)
  try {
    const mod = (await import(pathToFileURL(join(here, file)).href)) as { run?: () => Promise<BenchResult[]> }
    if (typeof mod.run !== 'function') throw new Error(`${file} does not export run()`)
    const results = await mod.run()
    for (const r of results) {
      const value = Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(2)
      console.log(`| ${r.name.padEnd(56)} | ${value.padStart(12)} | ${r.unit.padEnd(10)} | ${r.note ?? ''}`)
    }
  } catch (error) {
    failed++
    console.error(`benchmark ${file} failed:`, error)
  }
}
process.exit(failed === 0 ? 0 : 1)
