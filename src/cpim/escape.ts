/**
 * CPIM header-value escaping (RFC 3862, ABNF `Escape`).
 *
 * Header values are one line, so line breaks and other controls travel as backslash escapes.
 */

/** Escape a header value so it fits on one CPIM header line (RFC 3862). */
export function escapeCpimValue(value: string): string {
  let out = ''
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0
    if (ch === '\\') out += '\\\\'
    else if (ch === '"') out += '\\"'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\b') out += '\\b'
    else if (code < 0x20 || code === 0x7f) out += '\\u' + code.toString(16).padStart(4, '0')
    else out += ch
  }
  return out
}

/**
 * Undo {@link escapeCpimValue}. An escape the RFC does not define is kept as written, because
 * real peers send stray backslashes and losing the text would be worse than keeping it.
 */
export function unescapeCpimValue(value: string): string {
  if (!value.includes('\\')) return value
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!
    if (ch !== '\\' || i + 1 >= value.length) {
      out += ch
      continue
    }
    const next = value[i + 1]!
    switch (next) {
      case '\\': out += '\\'; i++; break
      case '"': out += '"'; i++; break
      case "'": out += "'"; i++; break
      case 'r': out += '\r'; i++; break
      case 'n': out += '\n'; i++; break
      case 't': out += '\t'; i++; break
      case 'b': out += '\b'; i++; break
      case 'u': {
        const hex = value.slice(i + 2, i + 6)
        if (/^[0-9a-fA-F]{4}$/.test(hex)) {
          out += String.fromCharCode(parseInt(hex, 16))
          i += 5
        } else out += ch
        break
      }
      default: out += ch
    }
  }
  return out
}
