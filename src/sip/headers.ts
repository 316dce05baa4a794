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

  constructor(fields: Iterable<SipHeaderField | readonly [string, string]> = []) {
    this.#fields = []
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
    const wanted = canonicalHeaderName(name).toLowerCase()
    return this.#fields.find((f) => f.name.toLowerCase() === wanted)?.value
  }

  /** Every field value of a header, one entry per header line, in order. */
  getAllLines(name: string): string[] {
    const wanted = canonicalHeaderName(name).toLowerCase()
    return this.#fields.filter((f) => f.name.toLowerCase() === wanted).map((f) => f.value)
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
    this.#fields.push({ name: canonicalHeaderName(name), value: value.trim() })
    return this
  }

  /** Adds a field before all others (a proxy's Via, RFC 3261 §16.6 step 8). */
  prepend(name: string, value: string): this {
    this.#fields.unshift({ name: canonicalHeaderName(name), value: value.trim() })
    return this
  }

  /** Replaces every field of that name with one field (added at the first one's place, or last). */
  set(name: string, value: string): this {
    const canonical = canonicalHeaderName(name)
    const wanted = canonical.toLowerCase()
    const index = this.#fields.findIndex((f) => f.name.toLowerCase() === wanted)
    this.delete(name)
    const field = { name: canonical, value: value.trim() }
    if (index < 0) this.#fields.push(field)
    else this.#fields.splice(index, 0, field)
    return this
  }

  /** Removes every field of that name; returns how many were removed. */
  delete(name: string): number {
    const wanted = canonicalHeaderName(name).toLowerCase()
    const before = this.#fields.length
    this.#fields = this.#fields.filter((f) => f.name.toLowerCase() !== wanted)
    return before - this.#fields.length
  }

  /** Removes the first element of a list header (a proxy popping its Route or Via). */
  shiftListElement(name: string): string | undefined {
    const wanted = canonicalHeaderName(name).toLowerCase()
    const index = this.#fields.findIndex((f) => f.name.toLowerCase() === wanted)
    if (index < 0) return undefined
    const field = this.#fields[index]!
    const [first, ...rest] = splitHeaderList(field.value)
    if (rest.length === 0) this.#fields.splice(index, 1)
    else this.#fields[index] = { name: field.name, value: rest.join(', ') }
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
