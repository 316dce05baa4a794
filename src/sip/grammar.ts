import { ParseError } from '../errors.ts'

/**
 * Lexical rules of RFC 3261 §25.1 shared by the SIP codecs, and a small cursor ({@link SipScanner})
 * that the typed header readers build on.
 */

/** `token` characters (RFC 3261 §25.1). */
export const TOKEN_RE = /^[A-Za-z0-9\-.!%*_+`'~]+$/

/** Whether `text` is a non-empty `token`. */
export function isToken(text: string): boolean {
  return TOKEN_RE.test(text)
}

const TOKEN_CHARS = new Uint8Array(128)
for (const ch of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`\'~') {
  TOKEN_CHARS[ch.charCodeAt(0)] = 1
}

/** Whether the UTF-16 code unit is a `token` character. */
export function isTokenChar(code: number): boolean {
  return code < 128 && TOKEN_CHARS[code] === 1
}

/** Digit test for {@link SipScanner.takeWhile}. */
export const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39

/** `word` characters (RFC 3261 §25.1, used by Call-ID): token characters plus ( ) < > : \ " / [ ] ? { }. */
export const WORD_RE = /^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]+$/

/**
 * Quotes `text` as a `quoted-string` (RFC 3261 §25.1): `"` and `\` are escaped with a backslash.
 * CR and LF cannot be carried and are dropped (they would split the header line).
 */
export function quoteString(text: string): string {
  return `"${text.replace(/[\r\n]/g, '').replace(/(["\\])/g, '\\$1')}"`
}

/** A value as a token when it is one, otherwise as a quoted-string. */
export function tokenOrQuoted(text: string): string {
  return isToken(text) ? text : quoteString(text)
}

/** Removes the quotes and escapes of a `quoted-string`; a value that is not quoted is returned as is. */
export function unquote(text: string): string {
  if (text.length < 2 || text[0] !== '"' || text[text.length - 1] !== '"') return text
  return text.slice(1, -1).replace(/\\([\s\S])/g, '$1')
}

/**
 * A cursor over one header value, with the separators of RFC 3261 §25.1 (SLASH, SEMI, EQUAL,
 * COLON, COMMA, LAQUOT, RAQUOT all allow surrounding white space).
 *
 * Every failure throws ParseError('sip', code, ...) with the code the reader was created with,
 * so errors name the header they came from (e.g. `SIP_BAD_VIA`).
 */
export class SipScanner {
  readonly text: string
  pos = 0
  readonly code: string
  readonly what: string

  /** `code` is the ParseError code every failure carries; `what` names the header in messages. */
  constructor(text: string, code: string, what: string) {
    this.text = text
    this.code = code
    this.what = what
  }

  /** Whether the whole value has been read. */
  get done(): boolean {
    return this.pos >= this.text.length
  }

  /** The current character, or '' at the end. */
  peek(): string {
    return this.text[this.pos] ?? ''
  }

  /** Skips spaces and tabs (values arrive unfolded). */
  skipWs(): void {
    const t = this.text
    let p = this.pos
    while (p < t.length) {
      const c = t.charCodeAt(p)
      if (c !== 0x20 && c !== 0x09) break
      p++
    }
    this.pos = p
  }

  /** After optional white space, consumes `ch` if present (and white space after it). */
  accept(ch: string): boolean {
    const save = this.pos
    this.skipWs()
    if (this.text[this.pos] === ch) {
      this.pos++
      this.skipWs()
      return true
    }
    this.pos = save
    return false
  }

  /** Like {@link accept} but fails when `ch` is absent. */
  expect(ch: string, context: string): void {
    if (!this.accept(ch)) this.fail(`expected "${ch}" ${context}`)
  }

  /**
   * Reads a comma-separated list of one or more elements up to the end of the value
   * (RFC 3261 §7.3.1: a header field may hold several values separated by commas).
   *
   * @param read reads one element at the cursor.
   * @param element names an element for the error message (`an address`, `a via-parm`).
   */
  list<T>(read: () => T, element: string): T[] {
    const out: T[] = []
    for (;;) {
      out.push(read())
      this.skipWs()
      if (this.done) return out
      if (this.peek() !== ',') this.fail(`has unexpected text after ${element}`)
      this.pos++
    }
  }

  /** Reads a `token`; fails when none is there. */
  token(context: string): string {
    const t = this.text
    const start = this.pos
    let p = start
    while (p < t.length && isTokenChar(t.charCodeAt(p))) p++
    if (p === start) this.fail(`expected a token ${context}`)
    this.pos = p
    return t.slice(start, p)
  }

  /** Reads characters while `test` holds; may return ''. */
  takeWhile(test: (code: number) => boolean): string {
    const t = this.text
    const start = this.pos
    let p = start
    while (p < t.length && test(t.charCodeAt(p))) p++
    this.pos = p
    return t.slice(start, p)
  }

  /**
   * Reads a `quoted-string` starting at the current `"` and returns it raw (quotes and
   * escapes kept) — use {@link unquote} for its text. Fails on an unbalanced quote (RFC 4475 quotbal).
   */
  quoted(): string {
    const t = this.text
    const start = this.pos
    if (t[start] !== '"') this.fail('expected a quoted string')
    let p = start + 1
    while (p < t.length) {
      const c = t.charCodeAt(p)
      if (c === 0x5c) {
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
        const next = t.charCodeAt(p + 1)
        if (Number.isNaN(next) || next === 0x0a || next === 0x0d || next > 0x7f) this.fail('has a bad escape in a quoted string')
        p += 2
        continue
      }
      if (c === 0x22) {
        this.pos = p + 1
        return t.slice(start, p + 1)
      }
      if (c === 0x0d || c === 0x0a) break
      p++
    }
    this.pos = t.length
    return this.fail('has a quoted string with no closing quote')
  }

  /** Throws the reader's ParseError. */
  fail(problem: string): never {
    throw new ParseError('sip', this.code, `${this.what} header ${problem} (at column ${this.pos + 1} of "${clip(this.text)}")`)
  }

  /** Fails unless the value has been read to its end (trailing white space allowed). */
  end(): void {
    this.skipWs()
    if (!this.done) this.fail(`has unexpected text "${clip(this.text.slice(this.pos))}"`)
  }
}

/** Shortens text quoted in an error message. */
export function clip(text: string, max = 60): string {
  const printable = text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return printable.length > max ? `${printable.slice(0, max)}…` : printable
}

/** The ParseError code for a fault in a header: `SIP_BAD_` + name in upper snake case. */
export function headerErrorCode(header: string): string {
  return `SIP_BAD_${header.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`
}

/**
 * Parses a decimal with bounds; `undefined` when the text is not 1*DIGIT or is out of range.
 * Long digit strings are checked by length first so huge values never lose precision silently.
 */
export function boundedInteger(text: string, min: number, max: number): number | undefined {
  if (text.length === 0 || text.length > 20 || !/^[0-9]+$/.test(text)) return undefined
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < min || value > max) return undefined
  return value
}
