/**
 * Reads the import graph of `src/` as text: every `import … from`, `export … from`, bare
 * `import '…'` and `import('…')` with a literal relative specifier, resolved to a file path
 * relative to the repository root. Shared by the layer test and the platform test.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root. */
export const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), '..', '..'))

/** One import found in a file. */
export interface ImportEdge {
  /** The importing file, e.g. `src/chat/room-client.ts`. */
  readonly from: string
  /** The specifier as written. */
  readonly specifier: string
  /** The imported file for a relative specifier, else undefined (a package or built-in). */
  readonly to: string | undefined
  /** True for `import type` / `export type` (erased at run time). */
  readonly typeOnly: boolean
}

/** Every `.ts` file under `dir` (relative to the root), sorted. */
export function sourceFiles(dir = 'src'): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const entry of readdirSync(join(ROOT, d), { withFileTypes: true })) {
      const path = `${d}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts')) out.push(path)
    }
  }
  walk(dir)
  return out.sort()
}

const STATIC = /^\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm
const BARE = /^\s*import\s+['"]([^'"]+)['"]/gm
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

/** Removes block and line comments so that examples in TSDoc are not read as imports. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
}

/** The imports of one file. */
export function importsOf(file: string): ImportEdge[] {
  const text = stripComments(readFileSync(join(ROOT, file), 'utf8'))
  const edges: ImportEdge[] = []
  const add = (specifier: string, typeOnly: boolean): void => {
    const to = specifier.startsWith('.') ? relative(ROOT, join(ROOT, dirname(file), specifier)).split('\\').join('/') : undefined
    edges.push({ from: file, specifier, to, typeOnly })
  }
  for (const m of text.matchAll(STATIC)) add(m[3]!, m[2] !== undefined)
  for (const m of text.matchAll(BARE)) add(m[1]!, false)
  for (const m of text.matchAll(DYNAMIC)) add(m[1]!, false)
  return edges
}
