/**
 * The library compiled the way the published package is (tsc with tsconfig.build.json's
 * settings), for benchmarks that measure what an installed server runs rather than the sources
 * under tsx. Compiled once per benchmark process, with the benchmarks' child-process files, into
 * a folder under node_modules/.cache (inside the checkout, so the compiled files resolve the
 * checkout's dependencies), removed when the process exits.
 *
 * Why the two differ: tsx transforms each file with esbuild on load (target the running Node,
 * so `#private` fields and classes stay native as in tsc's ES2022 output; inline source maps;
 * `keepNames`). `keepNames` wraps every class (`static { __name(this, 'X') }`) and every function
 * or arrow a name is inferred for (`const f = __name(() => …, 'f')`): a `defineProperty` call per
 * closure made at run time, e.g. per fan-out copy where a closure is made per copy. Measured by
 * instruction count (callgrind, relay-copy's 99 legs, server side with raw answering ends,
 * instructions per copy between 100 and 500 messages): tsc's output on plain Node 24.8k; the
 * same JavaScript loaded through tsx 26.5k (+7 %: the transform); the TypeScript sources under
 * tsx 29.8k (+20 %); tsc's output with `--enable-source-maps` 25.0k (+0.6 %: source maps cost
 * only when a stack is read).
 *
 * @module
 */
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** Where the library under test runs from: compiled by tsc (headline) or the sources under tsx. */
export type BenchRuntime = 'compiled' | 'tsx'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
let built: Promise<string> | undefined

/** Compiles src/ and the benchmark child files; resolves with the output folder. */
async function build(): Promise<string> {
  const out = join(ROOT, 'node_modules', '.cache', `msrp-bot-bench-${process.pid}`)
  mkdirSync(out, { recursive: true })
  process.once('exit', () => rmSync(out, { recursive: true, force: true }))
  const config = {
    extends: join(ROOT, 'tsconfig.build.json'),
    compilerOptions: { rootDir: ROOT, outDir: out, declaration: false, sourceMap: false, inlineSources: false },
    include: [join(ROOT, 'src'), join(ROOT, 'test', 'bench', '*-process.ts'), join(ROOT, 'test', 'bench', 'minimal-switch.ts')],
    exclude: [join(ROOT, 'src', 'web')],
  }
  const project = join(out, 'tsconfig.json')
  writeFileSync(project, JSON.stringify(config))
  try {
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: ROOT })
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? String(error)
    throw new Error(`benchmarks: compiling the library with tsc failed; fix what tsc says (npm run typecheck) or run with BENCH_RUNTIMES=tsx:\n${output.slice(0, 2000)}`)
  }
  return out
}

/**
 * The compiled form of a benchmark child file (`./chat-server-process.ts` → its `.js` in the
 * build folder), compiling on the first call.
 */
export async function compiledChildFile(file: string): Promise<string> {
  built ??= build()
  const out = await built
  return join(out, 'test', 'bench', file.replace(/^\.\//, '').replace(/\.ts$/, '.js'))
}

/**
 * The runtimes a benchmark measures, from `BENCH_RUNTIMES` (comma-separated, default
 * `compiled,tsx`): compiled first, the headline.
 */
export function benchRuntimes(): BenchRuntime[] {
  const wanted = (process.env.BENCH_RUNTIMES ?? 'compiled,tsx').split(',').map((s) => s.trim())
  for (const r of wanted) if (r !== 'compiled' && r !== 'tsx') throw new Error(`BENCH_RUNTIMES: unknown runtime "${r}"; use compiled, tsx or both (compiled,tsx)`)
  return wanted as BenchRuntime[]
}
