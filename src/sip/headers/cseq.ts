import { ParseError } from '../../errors.ts'
import { SipScanner, boundedInteger, isDigit } from '../grammar.ts'
import type { SipHeaders } from '../header-list.ts'

/** The CSeq header (RFC 3261 §20.16): sequence number and method. */
export interface CSeq {
  /** Sequence number, 0 .. 2^31-1 (§8.1.1.5). */
  seq: number
  /** Method token, case-sensitive. */
  method: string
}

/** Largest CSeq sequence number a request may carry: it MUST be less than 2^31 (§8.1.1.5). */
export const MAX_CSEQ = 2 ** 31 - 1

/** Parses a CSeq value; fails with SIP_BAD_CSEQ (e.g. RFC 4475 scalar02, scalarlg). */
export function parseCSeq(value: string): CSeq {
  const s: SipScanner = new SipScanner(value, 'SIP_BAD_CSEQ', 'CSeq')
  s.skipWs()
  const digits = s.takeWhile(isDigit)
  const seq = boundedInteger(digits, 0, MAX_CSEQ)
  if (seq === undefined) s.fail(digits.length === 0 ? 'has no sequence number' : `has sequence number ${digits.length > 20 ? digits.slice(0, 20) + '…' : digits}, which is not below 2^31 (RFC 3261 §8.1.1.5)`)
  const before = s.pos
  s.skipWs()
  if (s.pos === before) s.fail('needs white space between number and method')
  const method = s.token('as the method')
  s.end()
  return { seq, method }
}

/** Reads the CSeq of a message; fails with SIP_MISSING_CSEQ when absent. */
export function readCSeq(headers: SipHeaders): CSeq {
  const value = headers.get('CSeq')
  if (value === undefined) throw new ParseError('sip', 'SIP_MISSING_CSEQ', 'the message has no CSeq header (RFC 3261 §8.1.1.5)')
  return parseCSeq(value)
}

/** Writes a CSeq value. */
export function serializeCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`
}
