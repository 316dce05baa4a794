import { escapeXmlAttr, escapeXmlText } from '../presence/xml-tree.ts'
import { CONFERENCE_INFO_NAMESPACE, MSRP_BOT_CONFERENCE_NAMESPACE } from './types.ts'
import type { ConferenceEndpoint, ConferenceFile, ConferenceInfo, ConferenceUri, ConferenceUser, ExecutionInfo } from './types.ts'

function el(name: string, text: string | number | boolean | undefined): string {
  return text === undefined ? '' : `<${name}>${escapeXmlText(String(text))}</${name}>`
}

function attrs(pairs: Record<string, string | number | undefined>): string {
  let out = ''
  for (const [k, v] of Object.entries(pairs)) if (v !== undefined) out += ` ${k}="${escapeXmlAttr(String(v))}"`
  return out
}

function wrap(name: string, attributes: Record<string, string | number | undefined>, inner: string): string {
  return `<${name}${attrs(attributes)}>${inner}</${name}>`
}

function uris(name: string, list: ConferenceUri[] | undefined): string {
  if (list === undefined) return ''
  return wrap(name, {}, list.map((u) => wrap('entry', {}, el('uri', u.uri) + el('display-text', u.displayText) + el('purpose', u.purpose))).join(''))
}

function execution(name: string, x: ExecutionInfo | undefined): string {
  return x === undefined ? '' : wrap(name, {}, el('when', x.when) + el('reason', x.reason) + el('by', x.by))
}

function endpoint(e: ConferenceEndpoint): string {
  // RFC 4575: child order follows the schema sequence.
  let inner = el('display-text', e.displayText) + el('status', e.status) + el('joining-method', e.joiningMethod)
  inner += execution('joining-info', e.joiningInfo)
  inner += el('disconnection-method', e.disconnectionMethod) + execution('disconnection-info', e.disconnectionInfo)
  for (const m of e.media) {
    inner += wrap('media', { id: m.id }, el('display-text', m.displayText) + el('type', m.type) + el('label', m.label) + el('src-id', m.srcId) + el('status', m.status))
  }
  if (e.callInfo) {
    const c = e.callInfo
    inner += wrap('call-info', {}, wrap('sip', {}, el('display-text', c.displayText) + el('call-id', c.callId) + el('from-tag', c.fromTag) + el('to-tag', c.toTag)))
  }
  return wrap('endpoint', { entity: e.entity, state: e.state }, inner)
}

function file(f: ConferenceFile): string {
  return wrap('file', {}, el('name', f.name) + el('type', f.type) + el('size', f.size) + wrap('hash', { algorithm: 'sha-1' }, escapeXmlText(f.sha1)) + el('sender', f.sender) + el('date', f.date))
}

function user(u: ConferenceUser): string {
  let inner = el('display-text', u.displayText)
  if (u.associatedAors) inner += wrap('associated-aors', {}, u.associatedAors.map((a) => wrap('entry', {}, el('uri', a))).join(''))
  if (u.roles) inner += wrap('roles', {}, u.roles.map((r) => el('entry', r)).join(''))
  if (u.languages) inner += el('languages', u.languages.join(' '))
  inner += u.endpoints.map(endpoint).join('')
  // RFC 4575 §5: extension elements of another namespace come after the schema's own.
  if (u.automaton !== undefined) inner += wrap('automaton', { xmlns: MSRP_BOT_CONFERENCE_NAMESPACE }, String(u.automaton))
  return wrap('user', { entity: u.entity, state: u.state }, inner)
}

/**
 * Serialize a conference-info document (RFC 4575) with the conference-info namespace as
 * the default namespace. Text and attributes are XML-escaped.
 */
export function buildConferenceInfo(info: ConferenceInfo): string {
  let inner = ''
  const d = info.description
  if (d) {
    let di = el('display-text', d.displayText) + el('subject', d.subject) + el('free-text', d.freeText)
    if (d.keywords) di += el('keywords', d.keywords.join(' '))
    di += uris('conf-uris', d.confUris) + uris('service-uris', d.serviceUris) + el('maximum-user-count', d.maximumUserCount)
    if (d.availableMedia) {
      di += wrap('available-media', {}, d.availableMedia.map((m) => wrap('entry', { label: m.label }, el('display-text', m.displayText) + el('type', m.type) + el('status', m.status))).join(''))
    }
    // RFC 4575 §5: extension elements of another namespace come after the schema's own.
    if (d.files) di += wrap('files', { xmlns: MSRP_BOT_CONFERENCE_NAMESPACE }, d.files.map(file).join(''))
    inner += wrap('conference-description', { state: d.state }, di)
  }
  const cs = info.conferenceState
  if (cs) inner += wrap('conference-state', { state: cs.state }, el('user-count', cs.userCount) + el('active', cs.active) + el('locked', cs.locked))
  if (info.users) inner += wrap('users', { state: info.users.state }, info.users.list.map(user).join(''))
  const rootAttrs: Record<string, string | number | undefined> = { xmlns: CONFERENCE_INFO_NAMESPACE, entity: info.entity, state: info.state, version: info.version }
  return `<?xml version="1.0" encoding="UTF-8"?>\n${wrap('conference-info', rootAttrs, inner)}\n`
}

