import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ParseError } from '../../src/errors.ts'
import type { MsrpFrame } from '../../src/msrp/message.ts'
import { MsrpParser, parseStartLine } from '../../src/msrp/parser.ts'
import { fastStartLine } from '../../src/msrp/parser-fast.ts'
import { splitAt } from './arbitraries.ts'

function parseParts(parts: Buffer[]): MsrpFrame[] {
  const parser = new MsrpParser()
  const frames: MsrpFrame[] = []
  for (const part of parts) parser.feed(part, (f) => frames.push(f))
  assert.ok(parser.idle, 'a frame was left incomplete')
  // Errors compare by code and message (each carries its own stack).
  return frames.map((f) => (f.invalid === undefined ? f : { ...f, invalid: { code: f.invalid.code, message: f.invalid.message } as ParseError }))
}

/** The same frame text with every header name lower-cased: the parser's general path. */
function generalSpelling(wire: string): string {
  return wire.replace(/^([A-Za-z-]+):/gm, (all, name: string) => (name.startsWith('X-') ? all : `${name.toLowerCase()}:`))
}

const TO = 'msrp://bob.example.com:8888/9di4eae923wzd;tcp'
const FROM = 'msrp://alicepc.example.com:7777/iau39soe2843z;tcp'

/** Frames of the shapes the fast paths take, plus near misses that must fall back. */
const FRAMES = [
  `MSRP a786hjs2 SEND\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\nMessage-ID: 87652491\r\nByte-Range: 1-25/25\r\nContent-Type: text/plain\r\n\r\nHey Bob, are you there?\r\n-------a786hjs2$\r\n`,
  `MSRP a786hjs2 200 OK\r\nTo-Path: ${FROM}\r\nFrom-Path: ${TO}\r\n-------a786hjs2$\r\n`,
  `MSRP a786hjs3 200\r\nTo-Path: ${FROM}\r\nFrom-Path: ${TO}\r\n-------a786hjs3$\r\n`,
  `MSRP b786hjs3 SEND\r\nTo-Path:   ${TO} \t\r\nFrom-Path:\t${FROM}\r\nMessage-ID: 87652492\r\nSuccess-Report: yes\r\nFailure-Report: partial\r\nByte-Range: 1-*/*\r\nContent-Type: text/plain;charset=utf-8\r\n\r\nGrüße\r\n-------b786hjs3+\r\n`,
  `MSRP dkei38sd REPORT\r\nTo-Path: ${FROM}\r\nFrom-Path: ${TO}\r\nMessage-ID: 12339sdqwer\r\nByte-Range: 1-106/106\r\nStatus: 000 200 OK\r\n-------dkei38sd$\r\n`,
  `MSRP c786hjs4 481 Session does not exist\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\n-------c786hjs4$\r\n`,
  `MSRP e786hjs5 NICKNAME\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\nUse-Nickname: "Bob"\r\nX-Other: kept\r\n-------e786hjs5$\r\n`,
  // A bad value in a typed header: delivered marked invalid on both paths.
  `MSRP f786hjs6 SEND\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\nMessage-ID: 87652493\r\nByte-Range: one-two\r\nContent-Type: text/plain\r\n\r\nx\r\n-------f786hjs6$\r\n`,
  // Paths that change from the previous frame (the path memo must not answer for them).
  `MSRP g786hjs7 SEND\r\nTo-Path: ${FROM}\r\nFrom-Path: ${TO}\r\nMessage-ID: 87652494\r\n-------g786hjs7$\r\n`,
  // Same length as the previous To-Path, one byte different.
  `MSRP i786hjs9 SEND\r\nTo-Path: ${FROM.replace('3z;', '4z;')}\r\nFrom-Path: ${TO}\r\nMessage-ID: 87652496\r\n-------i786hjs9$\r\n`,
  `MSRP h786hjs8 SEND\r\nTo-Path: ${TO} ${FROM}\r\nFrom-Path: ${FROM}\r\nMessage-ID: 87652495\r\n-------h786hjs8$\r\n`,
]
const WIRE = Buffer.from(FRAMES.join(''), 'utf8')

describe('MSRP parser fast paths', () => {
  it('give the same frames as the general path (header names in other spellings)', () => {
    const fast = parseParts([WIRE])
    const general = parseParts([Buffer.from(generalSpelling(FRAMES.join('')), 'utf8')])
    assert.equal(fast.length, FRAMES.length)
    assert.deepEqual(fast, general)
    assert.equal(fast[1]?.type === 'response' && fast[1].comment, 'OK')
    assert.equal(fast[7]?.invalid?.code, 'MSRP_HEADER_INVALID')
    assert.equal(fast[9]?.headers['To-Path'][0]?.sessionId, 'iau39soe2844z')
  })

  it('give the same frames whatever byte the stream is split at', () => {
    const whole = parseParts([WIRE])
    for (let cut = 1; cut < WIRE.length; cut++) {
      assert.deepEqual(parseParts([WIRE.subarray(0, cut), WIRE.subarray(cut)]), whole, `split at byte ${cut}`)
    }
  })

  it('give the same frames fed one byte at a time', () => {
    const bytes = Array.from(WIRE, (b) => Buffer.from([b]))
    assert.deepEqual(parseParts(bytes), parseParts([WIRE]))
  })

  it('still reject a repeated To-Path whose bytes the memo knows', () => {
    const wire = `MSRP a786hjs2 200 OK\r\nTo-Path: ${FROM}\r\nFrom-Path: ${TO}\r\n-------a786hjs2$\r\nMSRP a786hjs3 200 OK\r\nTo-Path: ${FROM}\r\nTo-Path: ${FROM}\r\nFrom-Path: ${TO}\r\n-------a786hjs3$\r\n`
    const parser = new MsrpParser()
    const frames: MsrpFrame[] = []
    assert.throws(() => parser.feed(Buffer.from(wire), (f) => frames.push(f)), { code: 'MSRP_HEADER_DUPLICATE' })
    assert.equal(frames.length, 1)
  })

  it('reject an end-line of another transaction as the general path does', () => {
    const wire = `MSRP a786hjs2 200 OK\r\nTo-Path: ${FROM}\r\nFrom-Path: ${TO}\r\n-------a786hjs9$\r\n`
    assert.throws(() => new MsrpParser().push(Buffer.from(wire)), { code: 'MSRP_BAD_END_LINE' })
  })

  it('read a start line as the general parser does, or leave it to it', () => {
    const lines = [
      'MSRP a786hjs2 SEND', 'MSRP a786hjs2 REPORT', 'MSRP a786hjs2 NICKNAME', 'MSRP a786hjs2 AUTH', 'MSRP a786hjs2 FOO',
      'MSRP a786hjs2 send', 'MSRP a786hjs2 200', 'MSRP a786hjs2 200 OK', 'MSRP a786hjs2 200 OKAY', 'MSRP a786hjs2 200 ',
      'MSRP a786hjs2 20', 'MSRP a786hjs2 2000', 'MSRP a786hjs2 200\tOK', 'MSRP abc SEND', 'MSRP abcd SEND',
      `MSRP a${'b'.repeat(31)} SEND`, `MSRP a${'b'.repeat(32)} SEND`, 'MSRP .bcd SEND', 'MSRP a.-+%=9 SEND',
      'MSRP a786hjs2  SEND', 'MSRP a786hjs2 SEND ', 'MSRP a786hjs2', 'MSRP a786/hjs2 SEND',
    ]
    let fast = 0
    for (const line of lines) {
      const got = fastStartLine(Buffer.from(line, 'latin1'), 0, line.length)
      if (got === undefined) continue
      fast++
      assert.deepEqual(got, parseStartLine(line), line)
    }
    assert.equal(fast, 9, 'SEND, REPORT, NICKNAME, AUTH, 200, 200 OK, the 4- and 32-character ids and the id of all ident characters')
  })

  it('never disagree with the general start-line parser on generated lines', () => {
    const piece = fc.constantFrom('MSRP ', 'a786hjs2', 'abc', ' ', 'SEND', 'REPORT', '200', 'OK', '481', '.', '=', '\t', 'x', '9')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const line = `MSRP ${pieces.join('')}`
        const got = fastStartLine(Buffer.from(line, 'latin1'), 0, line.length)
        if (got !== undefined) assert.deepEqual(got, parseStartLine(line))
      }),
    )
  })
})

/** What a parser made of a stream: the frames it delivered and the error it ended with, by code and message. */
interface Outcome {
  frames: MsrpFrame[]
  error?: { code: string; message: string }
}

function outcome(parts: Buffer[]): Outcome {
  const parser = new MsrpParser()
  const frames: MsrpFrame[] = []
  try {
    for (const part of parts) parser.feed(part, (f) => frames.push(f))
  } catch (error) {
    assert.ok(error instanceof ParseError, String(error))
    return { frames: comparable(frames), error: { code: error.code, message: error.message } }
  }
  return { frames: comparable(frames) }
}

function comparable(frames: MsrpFrame[]): MsrpFrame[] {
  return frames.map((f) => (f.invalid === undefined ? f : { ...f, invalid: { code: f.invalid.code, message: f.invalid.message } as ParseError }))
}

/**
 * Values for the headers the fast paths read from the bytes: valid ones, near misses and plain
 * garbage (each must come out as the general path, which lower-cased names take, gives it).
 */
const VALUES: Record<string, string[]> = {
  'To-Path': [TO, FROM, `${TO} ${FROM}`, TO.replace('9di4', '8di4'), 'msrp://', 'http://x.example/y;tcp', `${TO};`, ''],
  'From-Path': [FROM, TO, FROM.replace('tcp', 'ws'), 'msrp://[::1:7777/x;tcp', ''],
  'Message-ID': ['87652491', 'abcd', 'a'.repeat(32), 'a'.repeat(33), 'abc', '.bcd', 'ab/cd', 'ab cd', 'abcdé', 'A1.-+%=', ''],
  'Byte-Range': ['1-25/25', '1-*/*', '1-25/*', '0-25/25', '1-25', '1-25/25/25', '-1/2', '1--2/3', '1-2/3 ', '1234567890123456-2/3', '12-a/3', '1-2/', '', '*-1/1'],
  'Success-Report': ['yes', 'no', 'partial', 'YES', 'yes ', ''],
  'Failure-Report': ['yes', 'no', 'partial', 'Partial', 'maybe', ''],
  'Content-Type': ['text/plain', 'message/cpim', 'text/plain;charset=utf-8', 'text/plain', 'tëxt/plain', ''],
  Status: ['000 200 OK', '000 413', '200', 'x'],
}
const headerLine = fc.constantFrom(...Object.keys(VALUES)).chain((name) =>
  fc.tuple(fc.constant(name), fc.constantFrom(...(VALUES[name] as string[])), fc.constantFrom('', ' ', '\t', '  ')),
)
const generatedFrame = fc.record({
  tid: fc.constantFrom('a786hjs2', 'b786hjs3', 'c7'),
  response: fc.boolean(),
  // To-Path and From-Path first, as every peer writes them; then any headers, duplicates included.
  paths: fc.tuple(fc.constantFrom(...(VALUES['To-Path'] as string[]).slice(0, 4)), fc.constantFrom(...(VALUES['From-Path'] as string[]).slice(0, 3))),
  lines: fc.array(headerLine, { maxLength: 7 }),
  body: fc.option(fc.constantFrom('', 'Hey Bob', 'a\r\n-------a786hjs2', 'x'.repeat(70)), { nil: undefined }),
  flag: fc.constantFrom('$', '+', '#'),
})

/** The wire text of a generated frame, with the typed header names spelled by `spell`. */
function wireOf(f: { tid: string; response: boolean; paths: [string, string]; lines: [string, string, string][]; body: string | undefined; flag: string }, spell: (name: string) => string): string {
  const start = f.response ? `MSRP ${f.tid} 200 OK\r\n` : `MSRP ${f.tid} SEND\r\n`
  const lines = [['To-Path', f.paths[0], ' '], ['From-Path', f.paths[1], ' '], ...f.lines].map(([name, value, space]) => `${spell(name as string)}:${space}${value}\r\n`)
  const body = f.body === undefined ? '' : `\r\n${f.body}\r\n`
  return `${start}${lines.join('')}${body}-------${f.tid}${f.flag}\r\n`
}

describe('MSRP parser fast paths against the general path (differential)', () => {
  it('give the same frames or the same error for generated valid and invalid frames, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(generatedFrame, { minLength: 1, maxLength: 4 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), (frames, cuts) => {
        const fast = Buffer.from(frames.map((f) => wireOf(f, (name) => name)).join(''), 'utf8')
        const general = Buffer.from(frames.map((f) => wireOf(f, (name) => name.toLowerCase())).join(''), 'utf8')
        const expected = outcome([general])
        assert.deepEqual(outcome([fast]), expected)
        assert.deepEqual(outcome(splitAt(fast, cuts)), expected)
      }),
      { numRuns: 1500 },
    )
  })

  it('take the values the bytes prove well-formed and leave the rest to the general path', () => {
    const frame = (lines: string) => Buffer.from(`MSRP a786hjs2 SEND\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\n${lines}-------a786hjs2$\r\n`)
    const cases: [string, string | undefined][] = [
      ['Message-ID: abc\r\n', 'MSRP_HEADER_INVALID'],
      [`Message-ID: ${'a'.repeat(33)}\r\n`, 'MSRP_HEADER_INVALID'],
      ['Message-ID: abcdé\r\n', 'MSRP_HEADER_INVALID'],
      ['Byte-Range: 0-1/1\r\n', 'MSRP_HEADER_INVALID'],
      ['Byte-Range: 1-2/3/4\r\n', 'MSRP_HEADER_INVALID'],
      ['Byte-Range: 1234567890123456-1/1\r\n', 'MSRP_HEADER_INVALID'],
      ['Success-Report: partial\r\n', 'MSRP_HEADER_INVALID'],
      ['Failure-Report: maybe\r\n', 'MSRP_HEADER_INVALID'],
      ['Message-ID: abcd\r\nMessage-ID: abcd\r\n', 'MSRP_HEADER_DUPLICATE'],
      ['Content-Type: text/plain\r\nContent-Type: text/plain\r\n', 'MSRP_HEADER_DUPLICATE'],
      ['Byte-Range: 1-*/*\r\nFailure-Report: partial\r\n', undefined],
    ]
    for (const [lines, code] of cases) {
      const [got] = new MsrpParser().push(frame(lines))
      assert.equal(got?.invalid?.code, code, lines)
    }
    // Repeated To-Path and From-Path, even with bytes the memo knows, end the stream (RFC 4975 §9: once each).
    const parser = new MsrpParser()
    parser.push(frame(''))
    assert.throws(() => parser.push(Buffer.from(`MSRP a786hjs3 SEND\r\nTo-Path: ${TO}\r\nFrom-Path: ${FROM}\r\nFrom-Path: ${FROM}\r\n-------a786hjs3$\r\n`)), { code: 'MSRP_HEADER_DUPLICATE' })
  })
})
