import { MsrpBotError, ParseError } from '../errors.ts'
import { childElement, childElements, childText, escapeXmlAttr, escapeXmlText, parseXmlTree } from './xml-tree.ts'
import type { XmlElement } from './xml-tree.ts'
import { PIDF_DATA_MODEL_NAMESPACE as DM, PIDF_NAMESPACE as PIDF, RPID_NAMESPACE as RPID } from './pidf-types.ts'
import type { PresenceDocument, PresenceNote, PresencePerson, PresenceTuple } from './pidf-types.ts'

function fail(code: string, message: string): never {
  throw new ParseError('pidf', code, message)
}

function requireAttr(el: XmlElement, name: string, rule: string): string {
  const v = el.attrs[name]
  if (v === undefined || v.trim() === '') fail('PIDF_MISSING_ATTRIBUTE', `<${el.local}> needs a non-empty "${name}" attribute (${rule}).`)
  return v
}

/** The value of xml:lang, whatever prefix-free spelling the parser kept (only `xml:` is fixed). */
function langOf(el: XmlElement): string | undefined {
  return el.attrs['xml:lang']
}

function notes(el: XmlElement, ns: string): PresenceNote[] {
  return childElements(el, ns, 'note').map((n) => {
    const lang = langOf(n)
    return lang === undefined ? { text: n.text.trim() } : { text: n.text.trim(), lang }
  })
}

// RFC 3863 §4.1.5: qvalue, 0 to 1 with at most three decimals.
const QVALUE = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/

function parseTuple(el: XmlElement): PresenceTuple {
  const t: PresenceTuple = { id: requireAttr(el, 'id', 'RFC 3863 §4.1.2'), notes: notes(el, PIDF) }
  const status = childElement(el, PIDF, 'status')
  if (!status) fail('PIDF_MISSING_STATUS', `<tuple id="${t.id}"> has no <status> (RFC 3863 §4.1.3 requires one).`)
  const basic = childText(status, PIDF, 'basic')
  if (basic !== undefined) {
    if (basic !== 'open' && basic !== 'closed') fail('PIDF_BAD_BASIC', `<basic>${basic.slice(0, 40)}</basic> must be open or closed (RFC 3863 §4.1.4).`)
    t.basic = basic
  }
  const contact = childElement(el, PIDF, 'contact')
  if (contact) {
    const c: NonNullable<PresenceTuple['contact']> = { uri: contact.text.trim() }
    const p = contact.attrs['priority']
    if (p !== undefined) {
      if (!QVALUE.test(p.trim())) fail('PIDF_BAD_PRIORITY', `contact priority "${p.slice(0, 20)}" must be a qvalue between 0 and 1 (RFC 3863 §4.1.5).`)
      c.priority = Number(p)
    }
    t.contact = c
  }
  const ts = childText(el, PIDF, 'timestamp')
  if (ts !== undefined) t.timestamp = ts
  return t
}

function parsePerson(el: XmlElement): PresencePerson {
  const p: PresencePerson = { id: requireAttr(el, 'id', 'RFC 4479'), activities: [], otherActivities: [], notes: notes(el, DM) }
  for (const acts of childElements(el, RPID, 'activities')) {
    for (const a of acts.children) {
      if (a.ns !== RPID || a.local === 'note') continue
      if (a.local === 'other') p.otherActivities.push(a.text.trim())
      else p.activities.push(a.local)
    }
  }
  const ts = childText(el, DM, 'timestamp')
  if (ts !== undefined) p.timestamp = ts
  return p
}

/**
 * Parse application/pidf+xml (RFC 3863) with RFC 4479 persons and RFC 4480 activities.
 * Elements are matched by namespace URI, so any prefix works.
 *
 * @throws ParseError('pidf', code) for malformed XML or a missing entity, tuple id or status.
 */
export function parsePidf(input: string | Uint8Array): PresenceDocument {
  const root = parseXmlTree(input, 'pidf', 'PIDF')
  if (root.ns !== PIDF || root.local !== 'presence') {
    fail('PIDF_WRONG_ROOT', `Root element is {${root.ns ?? ''}}${root.local}; expected <presence xmlns="${PIDF}"> (RFC 3863 §4.1).`)
  }
  const doc: PresenceDocument = {
    entity: requireAttr(root, 'entity', 'RFC 3863 §4.1.1').trim(),
    tuples: childElements(root, PIDF, 'tuple').map(parseTuple),
    persons: childElements(root, DM, 'person').map(parsePerson),
    notes: notes(root, PIDF),
  }
  const ids = new Set<string>()
  for (const t of doc.tuples) {
    if (ids.has(t.id)) fail('PIDF_DUPLICATE_ID', `Tuple id "${t.id}" appears twice; ids must be unique (RFC 3863 §4.1.2).`)
    ids.add(t.id)
  }
  return doc
}


function noteXml(n: PresenceNote, prefix: string): string {
  const lang = n.lang === undefined ? '' : ` xml:lang="${escapeXmlAttr(n.lang)}"`
  return `<${prefix}note${lang}>${escapeXmlText(n.text)}</${prefix}note>`
}

/** Input to {@link buildPidf}: lists may be omitted. */
export interface PresenceDocumentInit {
  entity: string
  tuples?: PresenceTuple[]
  persons?: Array<Partial<PresencePerson> & { id: string }>
  notes?: PresenceNote[]
}

/**
 * Serialize a PIDF document (RFC 3863), declaring the data-model (`dm`) and RPID (`rpid`)
 * prefixes only when persons are present. All text and attributes are XML-escaped.
 *
 * @throws MsrpBotError('PIDF_INVALID_DOCUMENT') for an activity that is not an XML name or a priority outside 0..1.
 */
export function buildPidf(doc: PresenceDocumentInit): string {
  const persons = doc.persons ?? []
  let ns = ` xmlns="${PIDF}"`
  if (persons.length > 0) ns += ` xmlns:dm="${DM}" xmlns:rpid="${RPID}"`
  let inner = ''
  for (const t of doc.tuples ?? []) {
    // RFC 3863 §4.1.2: status, then contact, then notes, then timestamp.
    let ti = `<status>${t.basic === undefined ? '' : `<basic>${t.basic}</basic>`}</status>`
    if (t.contact) {
      const pr = t.contact.priority === undefined ? '' : ` priority="${formatQvalue(t.contact.priority)}"`
      ti += `<contact${pr}>${escapeXmlText(t.contact.uri)}</contact>`
    }
    ti += t.notes.map((n) => noteXml(n, '')).join('')
    if (t.timestamp !== undefined) ti += `<timestamp>${escapeXmlText(t.timestamp)}</timestamp>`
    inner += `<tuple id="${escapeXmlAttr(t.id)}">${ti}</tuple>`
  }
  inner += (doc.notes ?? []).map((n) => noteXml(n, '')).join('')
  for (const p of persons) {
    let pi = ''
    const acts = p.activities ?? []
    const others = p.otherActivities ?? []
    if (acts.length > 0 || others.length > 0) {
      pi += '<rpid:activities>'
      for (const a of acts) {
        if (!/^[A-Za-z_][A-Za-z0-9._-]*$/.test(a)) throw new MsrpBotError('PIDF_INVALID_DOCUMENT', `RPID activity "${a}" is not an XML name; put free text in otherActivities.`)
        pi += `<rpid:${a}/>`
      }
      pi += others.map((o) => `<rpid:other>${escapeXmlText(o)}</rpid:other>`).join('')
      pi += '</rpid:activities>'
    }
    pi += (p.notes ?? []).map((n) => noteXml(n, 'dm:')).join('')
    if (p.timestamp !== undefined) pi += `<dm:timestamp>${escapeXmlText(p.timestamp)}</dm:timestamp>`
    inner += `<dm:person id="${escapeXmlAttr(p.id)}">${pi}</dm:person>`
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<presence${ns} entity="${escapeXmlAttr(doc.entity)}">${inner}</presence>\n`
}

function formatQvalue(q: number): string {
  if (!(q >= 0 && q <= 1)) throw new MsrpBotError('PIDF_INVALID_DOCUMENT', `contact priority ${q} must be between 0 and 1 (RFC 3863 §4.1.5).`)
  return String(Math.round(q * 1000) / 1000)
}
