/**
 * The is-composing document (RFC 3994 §3): the body of `application/im-iscomposing+xml`
 * (`IS_COMPOSING_TYPE` in content-types.ts).
 *
 * @module
 */
import { XMLParser } from 'fast-xml-parser'


/** Largest document accepted; real ones are a few hundred bytes. */
const MAX_BYTES = 4096

/** What an is-composing document says. */
export interface IsComposing {
  /** RFC 3994 §3: `active` while typing, `idle` otherwise. */
  active: boolean
  /** The content type being composed, if given. */
  contentType?: string | undefined
  /** Seconds until the sender refreshes an active state (RFC 3994 §3.2). */
  refresh?: number | undefined
}

/**
 * Builds an is-composing document.
 *
 * @example
 * ```ts
 * buildIsComposing({ active: true, refresh: 60 })
 * ```
 */
export function buildIsComposing(state: IsComposing): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing">',
    `<state>${state.active ? 'active' : 'idle'}</state>`,
  ]
  if (state.contentType !== undefined) parts.push(`<contenttype>${state.contentType.replace(/[<>&]/g, '')}</contenttype>`)
  // RFC 3994 §3.2: an active state carries a refresh interval (default 120 s).
  if (state.active) parts.push(`<refresh>${state.refresh ?? 60}</refresh>`)
  parts.push('</isComposing>')
  return parts.join('\n')
}

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, processEntities: false })

/**
 * Reads an is-composing document; undefined when it is not one (bad XML, wrong root, too big).
 * Never throws.
 *
 * @example
 * ```ts
 * parseIsComposing('<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>idle</state></isComposing>')
 * // { active: false }
 * ```
 */
export function parseIsComposing(body: string | Uint8Array): IsComposing | undefined {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8')
  if (text.length > MAX_BYTES) return undefined
  let tree: unknown
  try {
    tree = parser.parse(text)
  } catch {
    return undefined
  }
  const root = (tree as { isComposing?: unknown }).isComposing
  if (typeof root !== 'object' || root === null) return undefined
  const r = root as { state?: unknown; contenttype?: unknown; refresh?: unknown }
  const state = typeof r.state === 'string' ? r.state.trim().toLowerCase() : undefined
  if (state !== 'active' && state !== 'idle') return undefined
  const refresh = typeof r.refresh === 'string' ? Number.parseInt(r.refresh, 10) : undefined
  return {
    active: state === 'active',
    contentType: typeof r.contenttype === 'string' ? r.contenttype.trim() : undefined,
    refresh: refresh !== undefined && Number.isFinite(refresh) ? refresh : undefined,
  }
}
