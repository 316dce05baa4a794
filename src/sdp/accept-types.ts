/**
 * Media-type matching for a=accept-types / a=accept-wrapped-types (RFC 4975 §8): entries are
 * `type/subtype`, `type/*` or `*`.
 */

function split(t: string): [string, string] {
  const bare = t.split(';')[0]!.trim().toLowerCase()
  if (bare === '*') return ['*', '*']
  const slash = bare.indexOf('/')
  return slash < 0 ? [bare, '*'] : [bare.slice(0, slash), bare.slice(slash + 1)]
}

/** Whether a concrete media type (e.g. `text/plain; charset=utf-8`) is allowed by an accept list. */
export function acceptsType(acceptList: readonly string[], mediaType: string): boolean {
  const [type, sub] = split(mediaType)
  return acceptList.some((entry) => {
    const [t, s] = split(entry)
    return (t === '*' || t === type) && (s === '*' || s === sub)
  })
}

/**
 * The types both sides accept, each as the more specific of the matching pair, without
 * duplicates, in the order of `local` (so the answerer's preference wins).
 *
 * `*` on one side yields the other side's entries; `text/*` against `text/plain` yields `text/plain`.
 */
export function intersectAcceptTypes(local: readonly string[], remote: readonly string[]): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  const add = (t: string): void => {
    const key = t.toLowerCase()
    if (!seen.has(key)) {
      seen.add(key)
      out.push(t)
    }
  }
  for (const l of local) {
    const [lt, ls] = split(l)
    for (const r of remote) {
      const [rt, rs] = split(r)
      if (!((lt === '*' || rt === '*' || lt === rt) && (ls === '*' || rs === '*' || ls === rs))) continue
      // Keep the narrower entry: fewer wildcards wins; on a tie keep ours.
      const lw = (lt === '*' ? 2 : 0) + (ls === '*' ? 1 : 0)
      const rw = (rt === '*' ? 2 : 0) + (rs === '*' ? 1 : 0)
      add(rw < lw ? r : l)
    }
  }
  return out
}
