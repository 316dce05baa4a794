/**
 * The layer rule of docs/architecture.md, checked on the code: a file imports only from its own
 * layer or the ones below, and no two files reach each other through imports (no circle).
 * Type-only imports count too: a circle of types is still a circle for a reader.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { importsOf, ROOT, sourceFiles, type ImportEdge } from './imports.ts'

/**
 * Layers from the bottom up; a path belongs to the first entry whose prefix it starts with.
 * Folders in one layer may import each other (sideways), never a layer above.
 */
const LAYERS: ReadonlyArray<{ readonly name: string; readonly paths: readonly string[] }> = [
  { name: 'base', paths: ['src/errors.ts', 'src/clock.ts', 'src/logger.ts', 'src/random.ts', 'src/debug-log.ts', 'src/connection-limiter.ts'] },
  { name: 'codecs', paths: ['src/digest/', 'src/cpim/', 'src/sdp/', 'src/presence/', 'src/conference/', 'src/msrp/', 'src/sip/'] },
  { name: 'protocol', paths: ['src/protocol/'] },
  { name: 'rooms', paths: ['src/rooms/'] },
  { name: 'server core', paths: ['src/server/core/'] },
  { name: 'chat | server', paths: ['src/chat/', 'src/server/'] },
  { name: 'bot', paths: ['src/bot/'] },
  { name: 'testing', paths: ['src/testing/'] },
  { name: 'cli', paths: ['src/cli/'] },
  { name: 'web page', paths: ['src/web/'] },
  { name: 'entry', paths: ['src/index.ts', 'src/browser.ts'] },
]

/** The layer index of a source path, or -1 when no layer claims it. */
function layerOf(path: string): number {
  return LAYERS.findIndex((layer) => layer.paths.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p)))
}

const files = sourceFiles()
const edges: ImportEdge[] = files.flatMap(importsOf).filter((e) => e.to !== undefined)

/** Every circle in a directed graph, one per strongly connected component (Tarjan). */
function circles(nodes: readonly string[], next: (n: string) => readonly string[]): string[][] {
  let index = 0
  const indexOf = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const visit = (v: string): void => {
    indexOf.set(v, index)
    low.set(v, index++)
    stack.push(v)
    onStack.add(v)
    for (const w of next(v)) {
      if (!indexOf.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!))
    }
    if (low.get(v) === indexOf.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || next(v).includes(v)) found.push(component.sort())
    }
  }
  for (const n of nodes) if (!indexOf.has(n)) visit(n)
  return found
}

describe('layers of src/', () => {
  it('every file of src/ belongs to a layer', () => {
    const orphans = files.filter((f) => layerOf(f) < 0)
    assert.deepEqual(orphans, [], 'add the folder to LAYERS in this test and to docs/architecture.md')
  })

  it('every relative import names a file that exists', () => {
    const known = new Set(files)
    const missing = edges.filter((e) => e.to!.startsWith('src/') && !known.has(e.to!)).map((e) => `${e.from} -> ${e.specifier}`)
    assert.deepEqual(missing, [])
  })

  it('no file imports from a layer above its own', () => {
    const upward = edges
      .filter((e) => layerOf(e.to!) > layerOf(e.from))
      .map((e) => `${e.from} (${LAYERS[layerOf(e.from)]!.name}) -> ${e.to} (${LAYERS[layerOf(e.to!)]!.name})`)
    assert.deepEqual(upward, [], 'move the shared code down, or pass it in from the layer that wires both')
  })

  it('no import circle between files', () => {
    const out = new Map<string, string[]>()
    for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to!])
    const found = circles(files, (f) => out.get(f) ?? [])
    assert.deepEqual(found, [], 'break the circle: move what both sides need into a file both import')
  })

  it('no import circle between folders', () => {
    const folder = (p: string): string => p.slice(0, p.lastIndexOf('/'))
    const out = new Map<string, Set<string>>()
    for (const e of edges) {
      const [a, b] = [folder(e.from), folder(e.to!)]
      if (a === b || b.startsWith(`${a}/`) || a.startsWith(`${b}/`)) continue
      out.set(a, (out.get(a) ?? new Set()).add(b))
    }
    const found = circles([...out.keys()], (f) => [...(out.get(f) ?? [])])
    assert.deepEqual(found, [], 'two folders import each other: one of them belongs below the other')
  })
})

describe('the circle finder', () => {
  it('finds a two-file circle and a self-import, and nothing in a chain', () => {
    const graph: Record<string, string[]> = { a: ['b'], b: ['a'], c: ['c'], d: ['e'], e: [] }
    assert.deepEqual(circles(Object.keys(graph), (n) => graph[n]!), [['a', 'b'], ['c']])
  })
})

describe('process lifetime', () => {
  it('only the CLI listens to process signals or ends the process', () => {
    const offenders = files
      .filter((f) => !f.startsWith('src/cli/'))
      .filter((f) => /\bprocess\.(on|once|off|exit|addListener|removeListener)\s*\(/.test(readFileSync(join(ROOT, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')))
    assert.deepEqual(offenders, [], 'take an AbortSignal and let the CLI map signals to it')
  })
})
