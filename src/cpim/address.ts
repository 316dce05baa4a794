import { ParseError } from '../errors.ts'
import { escapeCpimValue, unescapeCpimValue } from './escape.ts'
import type { CpimAddress } from './types.ts'

// RFC 3862: Token as in RFC 2045-ish: no CTLs, SP or specials.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z\u0080-\uffff]+$/u
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/

/**
 * Parse the value of a From, To or cc header: `[Formal-name] "<" URI ">"` (RFC 3862).
 * Formal-name is either tokens separated by spaces or a quoted string with backslash escapes.
 */
export function parseCpimAddress(value: string, header = 'From'): CpimAddress {
  const s = value.trim()
  const fail = (why: string): never => {
    throw new ParseError('cpim', 'CPIM_BAD_ADDRESS', `CPIM ${header} header "${s.slice(0, 80)}" is malformed: ${why}. Expected [Display Name] <uri> (RFC 3862).`)
  }
  let displayName: string | undefined
  let rest = s
  if (s.startsWith('"')) {
    let i = 1
    let name = ''
    for (; i < s.length; i++) {
      const ch = s[i]!
      if (ch === '\\' && i + 1 < s.length) {
        name += ch + s[i + 1]!
        i++
      } else if (ch === '"') break
      else name += ch
    }
    if (i >= s.length) fail('unterminated quoted display name')
    displayName = unescapeCpimValue(name)
    rest = s.slice(i + 1).trimStart()
  } else {
    const lt = s.indexOf('<')
    if (lt < 0) fail('no <uri>')
    const words = s.slice(0, lt).trim()
    if (words !== '') {
      for (const w of words.split(/ +/)) if (!TOKEN.test(w)) fail(`"${w}" is not a token; quote the display name`)
      displayName = words
    }
    rest = s.slice(lt)
  }
  if (!rest.startsWith('<') || !rest.endsWith('>')) fail('the URI must be enclosed in <>')
  const uri = rest.slice(1, -1)
  if (uri.includes('<') || uri.includes('>') || !URI_SCHEME.test(uri)) fail(`"${uri}" is not an absolute URI`)
  return displayName === undefined ? { uri } : { displayName, uri }
}

/** Format an address for a From/To/cc header, quoting the display name only when needed. */
export function formatCpimAddress(address: CpimAddress): string {
  if (!URI_SCHEME.test(address.uri) || /[<>]/.test(address.uri)) {
    throw new TypeError(`CPIM address URI "${address.uri}" is not an absolute URI without spaces or <>`)
  }
  const name = address.displayName
  if (name === undefined) return `<${address.uri}>`
  if (name !== '' && name.split(' ').every((w) => TOKEN.test(w))) return `${name} <${address.uri}>`
  return `"${escapeCpimValue(name)}" <${address.uri}>`
}
