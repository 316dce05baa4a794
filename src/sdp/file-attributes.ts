/**
 * The SDP attributes of MSRP file transfer (RFC 5547 §6): `a=file-selector`,
 * `a=file-transfer-id`, `a=file-disposition`, `a=file-date`, `a=file-icon` and `a=file-range`.
 * Parsed from and formatted to the attribute values sdp-transform leaves uninterpreted.
 */
import { ParseError } from '../errors.ts'

/** `hash:sha-1:<hex pairs>` of a file-selector (RFC 5547 §6; sha-1 is the one algorithm it registers). */
export interface FileHash {
  /** The hash algorithm token as written, lower-cased (`sha-1`). */
  algorithm: string
  /** The digest as lower-case hex without colons, e.g. `72245fe8…`. */
  value: string
}

/** `a=file-selector` (RFC 5547 §6): what identifies the file. Every part is optional on the wire. */
export interface FileSelector {
  /** `name:"…"`, percent-decoded (RFC 5547 §6: `"` and `%` travel as %22 and %25). */
  name?: string
  /** `size:<octets>`. */
  size?: number
  /** `type:<media type>`, parameters included (e.g. `text/plain;charset="utf-8"`). */
  type?: string
  /** `hash:<algorithm>:<value>`. */
  hash?: FileHash
}

/** `a=file-date` (RFC 5547 §6): RFC 5322 date-times as written. */
export interface FileDates {
  creation?: string
  modification?: string
  read?: string
}

/** `a=file-range:<start>-<stop>` (RFC 5547 §6, §8.6 resumption): 1-based, `stop` `*` for the end. */
export interface FileRange {
  start: number
  stop: number | '*'
}

/** Every RFC 5547 attribute of one MSRP media line. */
export interface FileDescription {
  selector: FileSelector
  /** `a=file-transfer-id`: tells a new transfer from a re-offer of the same session (§8.1). */
  transferId?: string
  /** `a=file-disposition` (`render`, `attachment`, …; RFC 5547 §6 default `render`). */
  disposition?: string
  dates?: FileDates
  /** `a=file-icon`: a `cid:` URL naming a body part of the SIP message. */
  icon?: string
  range?: FileRange
}

const FILE_ATTRIBUTE_NAMES = new Set(['file-selector', 'file-transfer-id', 'file-disposition', 'file-date', 'file-icon', 'file-range'])

/** True for the attribute names this module reads. */
export function isFileAttribute(name: string): boolean {
  return FILE_ATTRIBUTE_NAMES.has(name)
}

function fail(code: string, message: string): never {
  throw new ParseError('sdp', code, message)
}

const TOKEN = /^[!#$%&'*+\-.^_`{|}~0-9A-Za-z]+$/

/** Splits on spaces outside double quotes. */
function words(value: string): string[] {
  return value.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []
}

function unquote(text: string, what: string): string {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) fail('SDP_BAD_FILE_SELECTOR', `${what} must be in double quotes (RFC 5547 §6).`)
  return text.slice(1, -1)
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    fail('SDP_BAD_FILE_SELECTOR', `file-selector name "${raw.slice(0, 60)}" has a bad percent escape (RFC 5547 §6).`)
  }
}

/** Percent-encodes what RFC 5547 §6 forbids raw in a filename-string: `"`, `%`, controls. */
function encodeName(name: string): string {
  let out = ''
  for (const ch of name) {
    const code = ch.codePointAt(0)!
    out += ch === '"' || ch === '%' || code < 0x20 || code === 0x7f ? encodeURIComponent(ch) : ch
  }
  return out
}

/** Parse the value of `a=file-selector` (RFC 5547 §6). */
export function parseFileSelector(value: string): FileSelector {
  const selector: FileSelector = {}
  for (const word of words(value.trim())) {
    const colon = word.indexOf(':')
    const key = colon < 0 ? word : word.slice(0, colon).toLowerCase()
    const rest = colon < 0 ? '' : word.slice(colon + 1)
    switch (key) {
      case 'name':
        selector.name = decodeName(unquote(rest, 'file-selector name'))
        break
      case 'size':
        if (!/^\d{1,15}$/.test(rest)) fail('SDP_BAD_FILE_SELECTOR', `file-selector size:${rest} is not a number of octets (RFC 5547 §6).`)
        selector.size = Number(rest)
        break
      case 'type':
        if (!/^[^\s/]+\/[^\s]+$/.test(rest)) fail('SDP_BAD_FILE_SELECTOR', `file-selector type:${rest} is not a media type (RFC 5547 §6).`)
        selector.type = rest
        break
      case 'hash': {
        const m = /^([A-Za-z0-9-]+):([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*)$/.exec(rest)
        if (!m) fail('SDP_BAD_FILE_SELECTOR', `file-selector hash:${rest.slice(0, 80)} is not <algorithm>:<hex pairs separated by ":"> (RFC 5547 §6).`)
        selector.hash = { algorithm: m[1]!.toLowerCase(), value: m[2]!.replace(/:/g, '').toLowerCase() }
        break
      }
      default:
      // RFC 5547 §6 is extensible: unknown selectors are ignored.
    }
  }
  return selector
}

/** Format the value of `a=file-selector` (RFC 5547 §6). */
export function formatFileSelector(selector: FileSelector): string {
  const parts: string[] = []
  if (selector.name !== undefined) parts.push(`name:"${encodeName(selector.name)}"`)
  if (selector.type !== undefined) parts.push(`type:${selector.type}`)
  if (selector.size !== undefined) parts.push(`size:${selector.size}`)
  if (selector.hash !== undefined) parts.push(`hash:${selector.hash.algorithm}:${formatHashValue(selector.hash.value)}`)
  return parts.join(' ')
}

/** Hex digest → the colon-separated upper-case pairs RFC 5547 §6 writes (`72:24:5F:…`). */
export function formatHashValue(hex: string): string {
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex)) throw new RangeError(`hash value must be hex pairs, got "${hex.slice(0, 60)}"`)
  return hex.toUpperCase().match(/../g)!.join(':')
}

function parseDates(value: string): FileDates {
  const dates: FileDates = {}
  const re = /(creation|modification|read):"([^"]*)"/gi
  let m: RegExpExecArray | null
  while ((m = re.exec(value)) !== null) dates[m[1]!.toLowerCase() as keyof FileDates] = m[2]!
  return dates
}

function parseRange(value: string): FileRange {
  const m = /^(\d{1,15})-(\d{1,15}|\*)$/.exec(value.trim())
  if (!m) fail('SDP_BAD_FILE_RANGE', `a=file-range:${value.slice(0, 60)} is not <start>-<stop|*> (RFC 5547 §6).`)
  const start = Number(m[1])
  const stop = m[2] === '*' ? '*' : Number(m[2])
  if (start < 1 || (stop !== '*' && stop < start - 1)) fail('SDP_BAD_FILE_RANGE', `a=file-range:${value} starts at 1 and stop is not before start (RFC 5547 §6).`)
  return { start, stop }
}

/**
 * Reads the RFC 5547 attributes out of `name[:value]` pairs; undefined when the media line has
 * no `a=file-selector` (it is then not a file transfer).
 *
 * @throws ParseError('sdp', 'SDP_BAD_FILE_SELECTOR' | 'SDP_BAD_FILE_RANGE' | 'SDP_BAD_FILE_ATTRIBUTE')
 */
export function parseFileAttributes(attributes: ReadonlyArray<readonly [string, string | undefined]>): FileDescription | undefined {
  let description: FileDescription | undefined
  const rest: Omit<FileDescription, 'selector'> = {}
  for (const [name, value = ''] of attributes) {
    switch (name) {
      case 'file-selector':
        description = { selector: parseFileSelector(value) }
        break
      case 'file-transfer-id':
      case 'file-disposition':
        if (!TOKEN.test(value)) fail('SDP_BAD_FILE_ATTRIBUTE', `a=${name}:${value.slice(0, 60)} is not a token (RFC 5547 §6).`)
        rest[name === 'file-transfer-id' ? 'transferId' : 'disposition'] = value
        break
      case 'file-date':
        rest.dates = parseDates(value)
        break
      case 'file-icon':
        if (!/^cid:\S+$/i.test(value)) fail('SDP_BAD_FILE_ATTRIBUTE', `a=file-icon:${value.slice(0, 60)} is not a cid: URL (RFC 5547 §6).`)
        rest.icon = value
        break
      case 'file-range':
        rest.range = parseRange(value)
        break
      default:
    }
  }
  return description === undefined ? undefined : { ...description, ...rest }
}

/** The attribute lines (`name:value`, without `a=`) that describe `file` (RFC 5547 §6). */
export function formatFileAttributes(file: FileDescription): string[] {
  const lines = [`file-selector:${formatFileSelector(file.selector)}`]
  if (file.transferId !== undefined) lines.push(`file-transfer-id:${file.transferId}`)
  if (file.disposition !== undefined) lines.push(`file-disposition:${file.disposition}`)
  if (file.dates !== undefined) {
    const d = Object.entries(file.dates).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}:"${v}"`)
    if (d.length > 0) lines.push(`file-date:${d.join(' ')}`)
  }
  if (file.icon !== undefined) lines.push(`file-icon:${file.icon}`)
  if (file.range !== undefined) lines.push(`file-range:${file.range.start}-${file.range.stop}`)
  return lines
}
