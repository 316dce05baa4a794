import { canonicalHeaderName } from './header-names.ts'

/** One header field as it stands in a message: canonical name and unfolded raw value. */
export interface SipHeaderField {
  /** Canonical name (compact forms expanded): `Via`, `Call-ID`, `X-Custom`. */
  readonly name: string
  /** The value with folding removed and surrounding white space trimmed; not otherwise parsed. */
  readonly value: string
}

/**
 * The ordered header fields of a SIP message.
 *
 * Names compare case-insensitively and compact forms equal their full names (RFC 3261 §7.3).
 * Values are kept raw; typed readers (Via, CSeq, name-addr ...) parse them on demand, so a
 * message whose unused headers are odd still flows through a proxy untouched.
 * A header given several times, or as a comma list, is returned by {@link getList} as one
 * list of elements, split outside quotes and angle brackets (RFC 3261 §7.3.1).
 */
export class SipHeaders implements Iterable<SipHeaderField> {
  #fields: SipHeaderField[]
  /** Lower-case canonical name of each field, kept beside #fields so lookups never re-fold case. */
  #keys: string[]

  constructor(fields: Iterable<SipHeaderField | readonly [string, string]> = []) {
    this.#fields = []
    this.#keys = []
    for (const field of fields) {
      if (Array.isArray(field)) this.append(field[0] as string, field[1] as string)
      else this.append((field as SipHeaderField).name, (field as SipHeaderField).value)
    }
  }

  /** Number of header fields (lines), counting repeats. */
  get size(): number {
    return this.#fields.length
  }

  /** The first value of a header, or undefined when absent. */
  get(name: string): string | undefined {
    const wanted = keyOf(name)
    const keys = this.#keys
    for (let i = 0; i < keys.length; i++) if (keys[i] === wanted) return this.#fields[i]!.value
    return undefined
  }

  /** Every field value of a header, one entry per header line, in order. */
  getAllLines(name: string): string[] {
    const wanted = keyOf(name)
    const keys = this.#keys
    const out: string[] = []
    for (let i = 0; i < keys.length; i++) if (keys[i] === wanted) out.push(this.#fields[i]!.value)
    return out
  }

  /** Every element of a comma-list header (Via, Route, Contact ...), across all its lines. */
  getList(name: string): string[] {
    return this.getAllLines(name).flatMap(splitHeaderList)
  }

  /** Whether the header is present. */
  has(name: string): boolean {
    return this.get(name) !== undefined
  }

  /** Adds a field after the existing ones. */
  append(name: string, value: string): this {
    const canonical = canonicalHeaderName(name)
    this.#fields.push({ name: canonical, value: trimLws(value) })
    this.#keys.push(canonical.toLowerCase())
    return this
  }

  /** Adds a field before all others (a proxy's Via, RFC 3261 §16.6 step 8). */
  prepend(name: string, value: string): this {
    const canonical = canonicalHeaderName(name)
    this.#fields.unshift({ name: canonical, value: trimLws(value) })
    this.#keys.unshift(canonical.toLowerCase())
    return this
  }

  /** Replaces every field of that name with one field (added at the first one's place, or last). */
  set(name: string, value: string): this {
    const canonical = canonicalHeaderName(name)
    const wanted = canonical.toLowerCase()
    const index = this.#keys.indexOf(wanted)
    this.delete(name)
    const field = { name: canonical, value: trimLws(value) }
    if (index < 0) {
      this.#fields.push(field)
      this.#keys.push(wanted)
    } else {
      this.#fields.splice(index, 0, field)
      this.#keys.splice(index, 0, wanted)
    }
    return this
  }

  /** Removes every field of that name; returns how many were removed. */
  delete(name: string): number {
    const wanted = keyOf(name)
    const before = this.#fields.length
    const fields: SipHeaderField[] = []
    const keys: string[] = []
    for (let i = 0; i < before; i++) {
      if (this.#keys[i] === wanted) continue
      fields.push(this.#fields[i]!)
      keys.push(this.#keys[i]!)
    }
    this.#fields = fields
    this.#keys = keys
    return before - fields.length
  }

  /** Removes the first element of a list header (a proxy popping its Route or Via). */
  shiftListElement(name: string): string | undefined {
    const index = this.#keys.indexOf(keyOf(name))
    if (index < 0) return undefined
    const field = this.#fields[index]!
    const [first, ...rest] = splitHeaderList(field.value)
    if (rest.length === 0) {
      this.#fields.splice(index, 1)
      this.#keys.splice(index, 1)
    } else this.#fields[index] = { name: field.name, value: rest.join(', ') }
    return first
  }

  /** A deep copy, for building a request from another (CANCEL, ACK, retries with credentials). */
  clone(): SipHeaders {
    return new SipHeaders(this.#fields)
  }

  /** The fields in order. */
  [Symbol.iterator](): Iterator<SipHeaderField> {
    return this.#fields[Symbol.iterator]()
  }
}

/** Lower-case canonical form of a header name, the key every lookup compares. */
function keyOf(name: string): string {
  let key = KEYS.get(name)
  if (key === undefined) {
    key = canonicalHeaderName(name).toLowerCase()
    if (KEYS.size < 2048) KEYS.set(name, key)
  }
  return key
}

const KEYS = new Map<string, string>()

/**
 * Splits a header value at the commas that separate list elements: not inside a quoted
 * string, not inside `<...>` (RFC 3261 §7.3.1, §25.1). Empty elements are dropped.
 */
export function splitHeaderList(value: string): string[] {
  const parts: string[] = []
  let quoted = false
  let angle = false
  let start = 0
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]
    if (quoted) {
      if (ch === '\\') i++
      else if (ch === '"') quoted = false
    } else if (ch === '"') quoted = true
    else if (ch === '<') angle = true
    else if (ch === '>') angle = false
    else if (ch === ',' && !angle) {
      parts.push(value.slice(start, i).trim())
      start = i + 1
    }
  }
  parts.push(value.slice(start).trim())
  return parts.filter((p) => p.length > 0)
}

/**
 * Trims SIP linear white space (SP, HT, CR, LF: RFC 3261 §25.1) from both ends. Unlike
 * String.prototype.trim it keeps other Unicode spaces and a BOM, which are value content.
 */
const ws = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a

export function trimLws(value: string): string {
  let start = 0
  let end = value.length
  while (start < end && ws(value.charCodeAt(start))) start++
  while (end > start && ws(value.charCodeAt(end - 1))) end--
  return start === 0 && end === value.length ? value : value.slice(start, end)
}
