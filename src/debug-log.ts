/**
 * Section-scoped debug output switched on by `NODE_DEBUG=section` (the same switch as Node's
 * `util.debuglog`, so existing habits keep working), without importing `node:util`: the protocol
 * layers also run in a browser, where there is no `process` and the log stays off.
 *
 * @module
 */

/** A debug logger for one section; `enabled` lets a caller skip building costly arguments. */
export interface DebugLog {
  (format: string, ...args: unknown[]): void
  readonly enabled: boolean
}

/** The sections named in `NODE_DEBUG` (comma or space separated, `*` as a wildcard). */
function enabledFor(section: string): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  const spec = env?.['NODE_DEBUG']
  if (spec === undefined || spec === '') return false
  return spec.split(/[\s,]+/).some((pattern) => {
    if (pattern === '') return false
    const re = new RegExp(`^${pattern.replace(/[|\\{}()[\]^$+?.]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i')
    return re.test(section)
  })
}

/** Replaces `%s`, `%d`, `%i`, `%j`, `%o`, `%O` and `%%` as `util.format` does for these cases. */
function format(template: string, args: readonly unknown[]): string {
  let i = 0
  const text = template.replace(/%[sdijoO%]/g, (token) => {
    if (token === '%%') return '%'
    if (i >= args.length) return token
    const value = args[i++]
    if (token === '%d' || token === '%i') return String(token === '%i' ? Math.trunc(Number(value)) : Number(value))
    if (token === '%s') return typeof value === 'string' ? value : value instanceof Error ? value.message : String(value)
    try {
      return JSON.stringify(value)
    } catch {
      return String(value)
    }
  })
  const rest = args.slice(i).map((a) => (typeof a === 'string' ? a : String(a)))
  return rest.length === 0 ? text : `${text} ${rest.join(' ')}`
}

/** A debug logger for `section`, printing `SECTION: message` to the console's error stream when enabled. */
export function debugLog(section: string): DebugLog {
  const enabled = enabledFor(section)
  const label = section.toUpperCase()
  const log = (template: string, ...args: unknown[]): void => {
    if (enabled) console.error(`${label}: ${format(template, args)}`)
  }
  return Object.assign(log, { enabled })
}
