import { MsrpBotError } from '../errors.ts'
import { formatCpimAddress } from './address.ts'
import { escapeCpimValue } from './escape.ts'
import { CPIM_NAME, CPIM_TOKEN } from './grammar.ts'
import { CPIM_CORE_NAMESPACE, IMDN_NAMESPACE } from './types.ts'
import type { CpimMessageInit } from './types.ts'

/** Prefixes used when a caller gives a namespace URI without declaring a prefix for it. */
const WELL_KNOWN_PREFIXES: Record<string, string> = { [IMDN_NAMESPACE]: 'imdn' }

function invalid(message: string): never {
  throw new MsrpBotError('CPIM_INVALID_MESSAGE', message)
}

function formatParams(params: Record<string, string> | undefined): string {
  if (!params) return ''
  let out = ''
  for (const [k, v] of Object.entries(params)) {
    if (!CPIM_NAME.test(k)) invalid(`CPIM header parameter name "${k}" must be a token (RFC 3862).`)
    out += `;${k}=${CPIM_TOKEN.test(v) ? v : `"${escapeCpimValue(v)}"`}`
  }
  return out
}

/**
 * Serialize a message/cpim object (RFC 3862). Header values are escaped; NS
 * declarations are emitted before any header that needs them, inventing a prefix
 * (`imdn` for IMDN, otherwise `ns1`, `ns2`, ...) for a namespace that has none.
 *
 * @throws MsrpBotError('CPIM_INVALID_MESSAGE') when a field cannot be written (bad URI, header name, ...).
 */
export function buildCpim(init: CpimMessageInit): Buffer {
  const lines: string[] = []
  const addr = (name: string, a: CpimMessageInit['from']): void => {
    try {
      lines.push(`${name}: ${formatCpimAddress(a)}`)
    } catch (err) {
      invalid(`CPIM ${name}: ${(err as Error).message}`)
    }
  }
  addr('From', init.from)
  for (const a of init.to ?? []) addr('To', a)
  for (const a of init.cc ?? []) addr('cc', a)
  if (init.dateTime) {
    if (Number.isNaN(init.dateTime.getTime())) invalid('CPIM DateTime is an invalid Date.')
    lines.push(`DateTime: ${init.dateTime.toISOString()}`)
  }
  for (const s of init.subject ?? []) {
    lines.push(`Subject:${s.lang === undefined ? '' : formatParams({ lang: s.lang })} ${escapeCpimValue(s.value)}`)
  }

  // RFC 3862: a prefix must be declared before use.
  const prefixOf = new Map<string, string>()
  const declared = new Map<string, string>()
  for (const [p, uri] of Object.entries(init.namespaces ?? {})) {
    if (p === '') continue // a default-namespace NS would re-home the core headers; never emitted
    if (!CPIM_NAME.test(p)) invalid(`CPIM namespace prefix "${p}" must be a token without '.'.`)
    declared.set(p, uri)
    if (!prefixOf.has(uri)) prefixOf.set(uri, p)
  }
  let n = 0
  for (const h of init.headers ?? []) {
    if (h.namespace === CPIM_CORE_NAMESPACE || prefixOf.has(h.namespace)) continue
    let p = WELL_KNOWN_PREFIXES[h.namespace]
    while (p === undefined || declared.has(p)) p = `ns${++n}`
    declared.set(p, h.namespace)
    prefixOf.set(h.namespace, p)
  }
  for (const [p, uri] of declared) {
    if (/[<>\s]/.test(uri) || uri === '') invalid(`CPIM namespace URI "${uri}" must be non-empty with no spaces or <>.`)
    lines.push(`NS: ${p} <${uri}>`)
  }
  if (init.require && init.require.length > 0) {
    for (const r of init.require) if (!/^([!#$%&'*+\-^_`|~0-9A-Za-z]+\.)?[!#$%&'*+\-^_`|~0-9A-Za-z]+$/.test(r)) invalid(`CPIM Require entry "${r}" is not a header name.`)
    lines.push(`Require: ${init.require.join(',')}`)
  }
  for (const h of init.headers ?? []) {
    if (!CPIM_NAME.test(h.name)) invalid(`CPIM header name "${h.name}" must be a token without '.' (RFC 3862).`)
    const prefix = h.namespace === CPIM_CORE_NAMESPACE ? '' : `${prefixOf.get(h.namespace)!}.`
    lines.push(`${prefix}${h.name}:${formatParams(h.params)} ${escapeCpimValue(h.value)}`)
  }

  const content: string[] = []
  const contentHeaders = init.contentHeaders ?? []
  if (init.contentType !== undefined && !contentHeaders.some((c) => c.name.toLowerCase() === 'content-type')) {
    content.push(`Content-Type: ${init.contentType}`)
  }
  for (const c of contentHeaders) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(c.name)) invalid(`MIME header name "${c.name}" must be a token.`)
    if (/[\r\n]/.test(c.value)) invalid(`MIME header ${c.name} must not contain CR or LF.`)
    content.push(`${c.name}: ${c.value}`)
  }
  const head = lines.join('\r\n') + '\r\n\r\n' + content.map((l) => l + '\r\n').join('') + '\r\n'
  const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : init.body
  return Buffer.concat([Buffer.from(head, 'utf8'), body])
}
