/** Property: every typed header reader, fed arbitrary text, returns or throws ParseError — nothing else. */
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import fc from 'fast-check'
import { ParseError } from '../../../src/errors.ts'
import {
  parseAccept, parseAuthValues, parseCSeq, parseCallId, parseContactList, parseContentType, parseEvent, parseMaxForwards,
  parseNameAddr, parseNameAddrList, parseSipDate, parseSubscriptionState, parseViaList, parseDeltaSeconds,
} from '../../../src/sip/headers/index.ts'
import { parseUri } from '../../../src/sip/uri.ts'

const readers: Array<[string, (v: string) => unknown]> = [
  ['uri', (v) => parseUri(v)], ['via', parseViaList], ['name-addr', (v) => parseNameAddr(v)], ['route', (v) => parseNameAddrList(v)],
  ['contact', parseContactList], ['cseq', parseCSeq], ['call-id', parseCallId], ['max-forwards', parseMaxForwards],
  ['expires', (v) => parseDeltaSeconds(v)], ['date', parseSipDate], ['content-type', parseContentType], ['accept', parseAccept],
  ['event', parseEvent], ['subscription-state', parseSubscriptionState], ['auth', (v) => parseAuthValues(v)],
]

// Text biased towards SIP punctuation so the readers get deep before failing.
const sipish = fc.string({ unit: fc.constantFrom(...'sip:@<>";,=/\\ \t?&%[]*.0123456789aAzZ-_~é'.split('')), maxLength: 60 })

for (const [name, read] of readers) {
  test(`${name} reader throws only ParseError`, () => {
    fc.assert(
      fc.property(fc.oneof(sipish, fc.string({ maxLength: 40 })), (value) => {
        try {
          read(value)
        } catch (error) {
          assert.ok(error instanceof ParseError, `${name}(${JSON.stringify(value)}) threw ${String(error)}`)
        }
      }),
      { numRuns: 150 },
    )
  })
}
