import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { ParseError } from '../errors.ts'

/**
 * A namespace-resolved XML element. The XML bodies msrp-bot reads (PIDF, conference-info)
 * may bind any prefix to their namespaces, so codecs match on (namespace URI, local name),
 * never on the prefix as written.
 */
export interface XmlElement {
  /** Namespace URI, or undefined for an element in no namespace. */
  ns: string | undefined
  /** Local name (without prefix). */
  local: string
  /** Attributes other than xmlns declarations, keyed as written (`id`, `xml:lang`, `p:x`). */
  attrs: Record<string, string>
  /** Child elements in document order. */
  children: XmlElement[]
  /** Concatenated direct text content. */
  text: string
}

/** The namespace URI bound to the `xml` prefix (XML Namespaces §3). */
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace'

/** Default size limit for XML bodies, in characters. */
export const MAX_XML_LENGTH = 1024 * 1024

const MAX_DEPTH = 64

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Fail fast on deep nesting inside the parser instead of recursing into it.
  maxNestedTags: MAX_DEPTH + 1,
})

type OrderedNode = Record<string, unknown>

/**
 * Parse an XML document into a namespace-resolved tree.
 *
 * Rejects DOCTYPE (no entity expansion, no external fetches), bounds size and depth, and
 * reports every fault as ParseError(protocol, `${codePrefix}_BAD_XML`).
 */
export function parseXmlTree(
  input: string | Uint8Array,
  protocol: 'pidf' | 'conference-info',
  codePrefix: string,
  maxLength = MAX_XML_LENGTH,
): XmlElement {
  const fail = (message: string, cause?: unknown): never => {
    throw new ParseError(protocol, `${codePrefix}_BAD_XML`, message, cause === undefined ? undefined : { cause })
  }
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8')
  if (text.length > maxLength) fail(`${protocol} body exceeds ${maxLength} characters.`)
  if (/<!DOCTYPE/i.test(text)) fail(`${protocol} body contains a DOCTYPE; it is not allowed (entity expansion risk).`)
  const valid = XMLValidator.validate(text)
  if (valid !== true) fail(`${protocol} body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col}).`)
  let nodes: OrderedNode[]
  try {
    nodes = parser.parse(text) as OrderedNode[]
  } catch (cause) {
    return fail(`${protocol} body could not be parsed as XML: ${(cause as Error).message ?? String(cause)}.`, cause)
  }
  const roots = nodes.filter((n) => elementName(n) !== undefined)
  if (roots.length !== 1) fail(`${protocol} body must have exactly one root element, found ${roots.length}.`)
  return convert(roots[0]!, new Map([['xml', XML_NAMESPACE]]), 0, fail)
}

function elementName(node: OrderedNode): string | undefined {
  for (const key of Object.keys(node)) if (key !== ':@' && key !== '#text' && key !== '#comment') return key
  return undefined
}

function convert(node: OrderedNode, scope: Map<string, string>, depth: number, fail: (m: string) => never): XmlElement {
  if (depth > MAX_DEPTH) fail(`XML nesting deeper than ${MAX_DEPTH} levels.`)
  const qname = elementName(node)!
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>
  let local = scope
  const attrs: Record<string, string> = {}
  for (const [name, value] of Object.entries(rawAttrs)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (local === scope) local = new Map(scope)
      local.set(name === 'xmlns' ? '' : name.slice(6), value)
    } else attrs[name] = String(value)
  }
  for (const name of Object.keys(attrs)) {
    const colon = name.indexOf(':')
    if (colon > 0 && !local.has(name.slice(0, colon))) fail(`XML attribute "${name}" uses an undeclared prefix.`)
  }
  const colon = qname.indexOf(':')
  const prefix = colon < 0 ? '' : qname.slice(0, colon)
  const ns = local.get(prefix)
  if (prefix !== '' && ns === undefined) fail(`XML element <${qname}> uses the undeclared prefix "${prefix}".`)
  const el: XmlElement = { ns: ns === '' ? undefined : ns, local: colon < 0 ? qname : qname.slice(colon + 1), attrs, children: [], text: '' }
  const kids = node[qname]
  if (Array.isArray(kids)) {
    for (const kid of kids as OrderedNode[]) {
      if ('#text' in kid) el.text += String(kid['#text'])
      else if (elementName(kid) !== undefined) el.children.push(convert(kid, local, depth + 1, fail))
    }
  }
  return el
}

/** First child element with this namespace and local name. */
export function childElement(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  return el.children.find((c) => c.ns === ns && c.local === local)
}

/** All child elements with this namespace and local name. */
export function childElements(el: XmlElement, ns: string, local: string): XmlElement[] {
  return el.children.filter((c) => c.ns === ns && c.local === local)
}

/** Trimmed text of the first matching child, or undefined. */
export function childText(el: XmlElement, ns: string, local: string): string | undefined {
  const c = childElement(el, ns, local)
  return c === undefined ? undefined : c.text.trim()
}

// XML 1.0 §2.2 Char: controls other than TAB, LF, CR cannot appear even escaped.
// eslint-disable-next-line no-control-regex
const NON_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g

/**
 * Escape text content for XML. CR is written as a character reference so it survives
 * end-of-line normalization; characters XML cannot carry at all become U+FFFD.
 */
export function escapeXmlText(s: string): string {
  return s
    .replace(NON_XML_CHARS, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;')
}

/** Escape an attribute value for a double-quoted XML attribute. */
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;')
}
