import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ParseError } from '../../src/errors.ts'
import type { MsrpFrame } from '../../src/msrp/message.ts'
import { MsrpParser, parseStartLine } from '../../src/msrp/parser.ts'
import { fastStartLine } from '../../src/msrp/parser-fast.ts'

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
