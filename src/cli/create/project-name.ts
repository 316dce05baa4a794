/**
 * npm package name rules, for the name create-msrp-bot derives from the folder name.
 *
 * The rules are npm's for new packages (what `npm publish` and `npm init` enforce): at most 214
 * characters, lower case, URL-safe, no leading `.` or `_`, none of `~'!()*`, not a Node.js core
 * module name, not `node_modules` / `favicon.ico`.
 *
 * @module
 */
import { builtinModules } from 'node:module'

/** The verdict on a name. */
export interface ProjectNameCheck {
  /** True when npm would accept it for a new package. */
  readonly valid: boolean
  /** Each rule it breaks, as a sentence. */
  readonly problems: readonly string[]
  /** A valid name close to it (undefined when none can be made, or when it is valid). */
  readonly suggestion: string | undefined
}

const RESERVED = new Set(['node_modules', 'favicon.ico'])

function problemsOf(name: string): string[] {
  const problems: string[] = []
  if (name.length === 0) return ['the name is empty']
  if (name.trim() !== name) problems.push('it has spaces at the start or end')
  if (name.length > 214) problems.push('it is longer than 214 characters')
  if (name.startsWith('.')) problems.push("it starts with '.'")
  if (name.startsWith('_')) problems.push("it starts with '_'")
  if (name !== name.toLowerCase()) problems.push('it has capital letters')
  if (/[~'!()*]/.test(name)) problems.push("it has one of the characters ~'!()*")
  const bare = name.startsWith('@') && name.includes('/') ? name.slice(name.indexOf('/') + 1) : name
  if (encodeURIComponent(bare) !== bare || /\s/.test(name)) problems.push('it has characters that are not URL-safe (such as spaces, /, :, or non-ASCII letters)')
  if (RESERVED.has(name.toLowerCase())) problems.push(`'${name}' is a reserved name`)
  if (builtinModules.includes(name.toLowerCase())) problems.push(`'${name}' is the name of a Node.js core module`)
  return problems
}

/** Makes a valid name from an invalid one: lower case, runs of other characters become '-'. */
function suggest(name: string): string | undefined {
  let s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-._]+/, '')
    .replace(/-+$/, '')
    .slice(0, 214)
  if (s === '') return undefined
  if (problemsOf(s).length > 0) s = `${s}-bot`
  return problemsOf(s).length === 0 ? s : undefined
}

/**
 * Checks a project (package) name.
 *
 * @example
 * ```ts
 * checkProjectName('My Bot')  // { valid: false, problems: ['it has capital letters', ...], suggestion: 'my-bot' }
 * ```
 */
export function checkProjectName(name: string): ProjectNameCheck {
  const problems = problemsOf(name)
  return { valid: problems.length === 0, problems, suggestion: problems.length === 0 ? undefined : suggest(name) }
}
