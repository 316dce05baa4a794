import { ParseError } from '../../errors.ts'
import { SipScanner, boundedInteger, clip } from '../grammar.ts'
import type { SipHeaders } from '../header-list.ts'
import { type NameAddr, readNameAddr, serializeNameAddr } from './name-addr.ts'
import { paramValue } from './params.ts'
import { MAX_DELTA_SECONDS } from './scalars.ts'

/** The Contact header's value (RFC 3261 §20.10): `*` (REGISTER removing all bindings) or addresses. */
export type ContactList = '*' | NameAddr[]

/**
 * Parses one Contact line: `*` alone, or a comma list of name-addrs whose `expires` (0..2^32-1)
 * and `q` (0..1, three decimals) parameters are checked. Fails with SIP_BAD_CONTACT.
 */
export function parseContactList(value: string): ContactList {
  const s: SipScanner = new SipScanner(value, 'SIP_BAD_CONTACT', 'Contact')
  s.skipWs()
  if (s.peek() === '*') {
    s.pos++
    s.end()
    return '*'
  }
  return s.list(() => {
    const contact = readNameAddr(s)
    const expires = paramValue(contact.params, 'expires')
    if (expires !== undefined && (expires === null || boundedInteger(expires, 0, MAX_DELTA_SECONDS) === undefined)) {
      s.fail(`has expires "${clip(String(expires), 20)}" outside 0..2^32-1`)
    }
    const q = paramValue(contact.params, 'q')
    if (q !== undefined && (q === null || !/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(q))) s.fail(`has q "${clip(String(q), 20)}" outside 0..1`)
    return contact
  }, 'an address')
}

/** Reads every Contact of a message across its lines; `*` when the only value is a star. */
export function readContacts(headers: SipHeaders): ContactList {
  const lines = headers.getAllLines('Contact')
  const all: NameAddr[] = []
  for (const line of lines) {
    const parsed = parseContactList(line)
    if (parsed === '*') {
      if (lines.length > 1) throw new ParseError('sip', 'SIP_BAD_CONTACT', 'Contact "*" must be the only Contact value (RFC 3261 §10.2.2)')
      return '*'
    }
    all.push(...parsed)
  }
  return all
}

/** The `expires` parameter of a Contact, in seconds. */
export function contactExpires(contact: NameAddr): number | undefined {
  const v = paramValue(contact.params, 'expires')
  return typeof v === 'string' ? boundedInteger(v, 0, MAX_DELTA_SECONDS) : undefined
}

/** The `q` preference of a Contact (0..1), undefined when absent. */
export function contactQ(contact: NameAddr): number | undefined {
  const v = paramValue(contact.params, 'q')
  return typeof v === 'string' ? Number(v) : undefined
}

/** Writes a Contact value. */
export function serializeContacts(contacts: ContactList): string {
  return contacts === '*' ? '*' : contacts.map(serializeNameAddr).join(', ')
}
