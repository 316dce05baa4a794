import { ParseError } from '../errors.ts'
import { childElement, childElements, childText, parseXmlTree } from '../presence/xml-tree.ts'
import type { XmlElement } from '../presence/xml-tree.ts'
import { CONFERENCE_INFO_NAMESPACE as NS, MSRP_BOT_CONFERENCE_NAMESPACE } from './types.ts'
import type {
  ConferenceDescription,
  ConferenceEndpoint,
  ConferenceFile,
  ConferenceInfo,
  ConferenceMedia,
  ConferenceState,
  ConferenceUri,
  ConferenceUser,
  ElementState,
  ExecutionInfo,
} from './types.ts'

function fail(code: string, message: string): never {
  throw new ParseError('conference-info', code, message)
}

function stateOf(el: XmlElement): ElementState | undefined {
  const s = el.attrs['state']
  if (s === undefined) return undefined
  if (s !== 'full' && s !== 'partial' && s !== 'deleted') {
    fail('CONFERENCE_BAD_STATE', `<${el.local} state="${s}"> must be full, partial or deleted (RFC 4575).`)
  }
  return s
}

/** Set `key` on `obj` only when `value` is defined (keeps objects free of undefined keys). */
function put<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[key] = value
}

function requireAttr(el: XmlElement, name: string): string {
  const v = el.attrs[name]
  if (v === undefined || v === '') fail('CONFERENCE_MISSING_ATTRIBUTE', `<${el.local}> needs a "${name}" attribute (RFC 4575).`)
  return v
}

function parseUint(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d{1,10}$/.test(text)) fail('CONFERENCE_BAD_NUMBER', `${what} "${text.slice(0, 40)}" is not an unsigned integer (RFC 4575).`)
  return Number(text)
}

function parseBool(text: string | undefined, what: string): boolean | undefined {
  if (text === undefined) return undefined
  if (text === 'true' || text === '1') return true
  if (text === 'false' || text === '0') return false
  return fail('CONFERENCE_BAD_BOOLEAN', `${what} "${text.slice(0, 40)}" is not an xs:boolean.`)
}

function entries(el: XmlElement | undefined): XmlElement[] {
  return el === undefined ? [] : childElements(el, NS, 'entry')
}

function parseUris(el: XmlElement | undefined): ConferenceUri[] | undefined {
  if (el === undefined) return undefined
  return entries(el).map((e) => {
    const uri = childText(e, NS, 'uri')
    if (uri === undefined) fail('CONFERENCE_MISSING_ELEMENT', '<entry> in conf-uris/service-uris needs a <uri> (RFC 4575).')
    const out: ConferenceUri = { uri }
    put(out, 'displayText', childText(e, NS, 'display-text'))
    put(out, 'purpose', childText(e, NS, 'purpose'))
    return out
  })
}

/** Most `<file>` entries read from one document; a longer list is cut (room stores are bounded too). */
export const MAX_CONFERENCE_FILES = 1000

/**
 * msrp-bot's `<files>` extension. A `<file>` without a name or a SHA-1 `<hash>` (40 hex digits)
 * is skipped, like other content this parser does not understand.
 */
function parseFiles(el: XmlElement): ConferenceFile[] {
  const out: ConferenceFile[] = []
  for (const f of childElements(el, MSRP_BOT_CONFERENCE_NAMESPACE, 'file')) {
    if (out.length >= MAX_CONFERENCE_FILES) break
    const name = childText(f, MSRP_BOT_CONFERENCE_NAMESPACE, 'name')
    const hash = childElement(f, MSRP_BOT_CONFERENCE_NAMESPACE, 'hash')
    const sha1 = hash?.text.trim().toLowerCase()
    if (name === undefined || hash === undefined || (hash.attrs['algorithm'] ?? 'sha-1').toLowerCase() !== 'sha-1' || sha1 === undefined || !/^[0-9a-f]{40}$/.test(sha1)) continue
    const file: ConferenceFile = { name, sha1 }
    put(file, 'type', childText(f, MSRP_BOT_CONFERENCE_NAMESPACE, 'type'))
    const size = childText(f, MSRP_BOT_CONFERENCE_NAMESPACE, 'size')?.trim()
    if (size !== undefined && /^\d{1,15}$/.test(size)) file.size = Number(size)
    put(file, 'sender', childText(f, MSRP_BOT_CONFERENCE_NAMESPACE, 'sender'))
    put(file, 'date', childText(f, MSRP_BOT_CONFERENCE_NAMESPACE, 'date'))
    out.push(file)
  }
  return out
}

function parseDescription(el: XmlElement): ConferenceDescription {
  const d: ConferenceDescription = {}
  put(d, 'state', stateOf(el))
  put(d, 'displayText', childText(el, NS, 'display-text'))
  put(d, 'subject', childText(el, NS, 'subject'))
  put(d, 'freeText', childText(el, NS, 'free-text'))
  const kw = childText(el, NS, 'keywords')
  if (kw !== undefined) d.keywords = kw.split(/\s+/).filter((k) => k !== '')
  put(d, 'confUris', parseUris(childElement(el, NS, 'conf-uris')))
  put(d, 'serviceUris', parseUris(childElement(el, NS, 'service-uris')))
  put(d, 'maximumUserCount', parseUint(childText(el, NS, 'maximum-user-count'), 'maximum-user-count'))
  const media = childElement(el, NS, 'available-media')
  if (media) {
    d.availableMedia = entries(media).map((e) => {
      const m: NonNullable<ConferenceDescription['availableMedia']>[number] = { label: requireAttr(e, 'label') }
      put(m, 'displayText', childText(e, NS, 'display-text'))
      put(m, 'type', childText(e, NS, 'type'))
      put(m, 'status', childText(e, NS, 'status'))
      return m
    })
  }
  const files = childElement(el, MSRP_BOT_CONFERENCE_NAMESPACE, 'files')
  if (files) d.files = parseFiles(files)
  return d
}

function parseConferenceState(el: XmlElement): ConferenceState {
  const s: ConferenceState = {}
  put(s, 'state', stateOf(el))
  put(s, 'userCount', parseUint(childText(el, NS, 'user-count'), 'user-count'))
  put(s, 'active', parseBool(childText(el, NS, 'active'), 'active'))
  put(s, 'locked', parseBool(childText(el, NS, 'locked'), 'locked'))
  return s
}

function parseExecution(el: XmlElement | undefined): ExecutionInfo | undefined {
  if (el === undefined) return undefined
  const x: ExecutionInfo = {}
  put(x, 'when', childText(el, NS, 'when'))
  put(x, 'reason', childText(el, NS, 'reason'))
  put(x, 'by', childText(el, NS, 'by'))
  return x
}

function parseMedia(el: XmlElement): ConferenceMedia {
  const m: ConferenceMedia = { id: requireAttr(el, 'id') }
  put(m, 'displayText', childText(el, NS, 'display-text'))
  put(m, 'type', childText(el, NS, 'type'))
  put(m, 'label', childText(el, NS, 'label'))
  put(m, 'srcId', childText(el, NS, 'src-id'))
  put(m, 'status', childText(el, NS, 'status'))
  return m
}

function parseEndpoint(el: XmlElement): ConferenceEndpoint {
  const e: ConferenceEndpoint = { entity: requireAttr(el, 'entity'), media: childElements(el, NS, 'media').map(parseMedia) }
  put(e, 'state', stateOf(el))
  put(e, 'displayText', childText(el, NS, 'display-text'))
  put(e, 'status', childText(el, NS, 'status'))
  put(e, 'joiningMethod', childText(el, NS, 'joining-method'))
  put(e, 'joiningInfo', parseExecution(childElement(el, NS, 'joining-info')))
  put(e, 'disconnectionMethod', childText(el, NS, 'disconnection-method'))
  put(e, 'disconnectionInfo', parseExecution(childElement(el, NS, 'disconnection-info')))
  const callInfo = childElement(el, NS, 'call-info')
  const sip = callInfo === undefined ? undefined : childElement(callInfo, NS, 'sip')
  if (sip) {
    const c: NonNullable<ConferenceEndpoint['callInfo']> = {}
    put(c, 'displayText', childText(sip, NS, 'display-text'))
    put(c, 'callId', childText(sip, NS, 'call-id'))
    put(c, 'fromTag', childText(sip, NS, 'from-tag'))
    put(c, 'toTag', childText(sip, NS, 'to-tag'))
    e.callInfo = c
  }
  return e
}

function parseUser(el: XmlElement): ConferenceUser {
  const u: ConferenceUser = { entity: requireAttr(el, 'entity'), endpoints: childElements(el, NS, 'endpoint').map(parseEndpoint) }
  put(u, 'state', stateOf(el))
  put(u, 'displayText', childText(el, NS, 'display-text'))
  const aors = childElement(el, NS, 'associated-aors')
  if (aors) u.associatedAors = entries(aors).map((e) => childText(e, NS, 'uri') ?? '').filter((x) => x !== '')
  const roles = childElement(el, NS, 'roles')
  if (roles) u.roles = entries(roles).map((e) => e.text.trim())
  const langs = childText(el, NS, 'languages')
  if (langs !== undefined) u.languages = langs.split(/\s+/).filter((l) => l !== '')
  // msrp-bot's extension: anything but true/false is ignored, like other unknown content.
  const automaton = childText(el, MSRP_BOT_CONFERENCE_NAMESPACE, 'automaton')?.trim()
  if (automaton === 'true' || automaton === 'false') u.automaton = automaton === 'true'
  return u
}

/**
 * Parse an application/conference-info+xml document (RFC 4575). Any prefix bound to the
 * conference-info namespace is accepted; unknown extension elements are ignored.
 *
 * @throws ParseError('conference-info', code) for malformed XML or missing required parts.
 */
export function parseConferenceInfo(input: string | Uint8Array): ConferenceInfo {
  const root = parseXmlTree(input, 'conference-info', 'CONFERENCE')
  if (root.ns !== NS || root.local !== 'conference-info') {
    fail('CONFERENCE_WRONG_ROOT', `Root element is {${root.ns ?? ''}}${root.local}; expected <conference-info xmlns="${NS}"> (RFC 4575).`)
  }
  const info: ConferenceInfo = { entity: requireAttr(root, 'entity'), state: stateOf(root) ?? 'full' }
  put(info, 'version', parseUint(root.attrs['version'], 'version'))
  const desc = childElement(root, NS, 'conference-description')
  if (desc) info.description = parseDescription(desc)
  const cs = childElement(root, NS, 'conference-state')
  if (cs) info.conferenceState = parseConferenceState(cs)
  const users = childElement(root, NS, 'users')
  if (users) {
    const u: NonNullable<ConferenceInfo['users']> = { list: childElements(users, NS, 'user').map(parseUser) }
    put(u, 'state', stateOf(users))
    info.users = u
  }
  return info
}
