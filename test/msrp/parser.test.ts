import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ParseError } from '../../src/errors.ts'
import type { MsrpFrame, MsrpRequest } from '../../src/msrp/message.ts'
import { MsrpParser, parseFrame } from '../../src/msrp/parser.ts'
import { bodyContainsEndLine, serializeFrame } from '../../src/msrp/serializer.ts'
import { parseMsrpUri } from '../../src/msrp/uri.ts'
import { msrpFrame, splitAt } from './arbitraries.ts'

const TO = [parseMsrpUri('msrp://bob.example.com:8888/9di4eae923wzd;tcp')]
const FROM = [parseMsrpUri('msrp://alicepc.example.com:7777/iau39soe2843z;tcp')]

function send(tid: string, body: Buffer | undefined, extra: Partial<MsrpRequest> = {}): MsrpRequest {
  const frame: MsrpRequest = {
    type: 'request',
    method: 'SEND',
    transactionId: tid,
    headers: { 'To-Path': TO, 'From-Path': FROM, 'Message-ID': 'msg0001', 'Content-Type': 'application/octet-stream' },
    extensionHeaders: [],
    continuation: '$',
    ...extra,
  }
  if (body !== undefined) frame.body = body
  return frame
}

function parseAll(parts: Buffer[], parser = new MsrpParser()): MsrpFrame[] {
  const frames: MsrpFrame[] = []
  for (const part of parts) parser.feed(part, (f) => frames.push(f))
  return frames
}

const validFrames = fc
  .array(msrpFrame, { minLength: 1, maxLength: 4 })
  .filter((fs) => fs.every((f) => f.body === undefined || !bodyContainsEndLine(f.body, f.transactionId)))

describe('MSRP parser', () => {
  it('yields identical frames for any split of a stream of frames (property)', () => {
    fc.assert(
      fc.property(validFrames, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (frames, cuts) => {
        const wire = Buffer.concat(frames.map(serializeFrame))
        assert.deepStrictEqual(parseAll(splitAt(wire, cuts)), frames)
      }),
      { numRuns: 200 },
    )
  })

  it('parses a stream fed one byte at a time', () => {
    const frames = [send('tid00001', Buffer.from('a\r\nb')), send('tid00002', undefined), send('tid00003', Buffer.alloc(0))]
    const wire = Buffer.concat(frames.map(serializeFrame))
    const bytes = Array.from(wire, (_, i) => wire.subarray(i, i + 1))
    assert.deepStrictEqual(parseAll(bytes), frames)
  })

  it('finds the end-line only when preceded by CRLF and followed by a flag and CRLF (near misses, property)', () => {
    const tid = 'Xy7tid12'
    const piece = fc.constantFrom(
      '-------',
      `-------${tid}`,
      `\r\n-------${tid}`,
      `\r\n-------${tid}X`,
      `\r\n-------${tid}$X`,
      `\r\n-------${tid}$\r`,
      `\r\n-------${tid.slice(0, 5)}`,
      `-------${tid}$\r\n`,
      `\r\n------${tid}$\r\n`,
      `\r\n-------${tid}0$\r\n`,
      '\r\n',
      '\r',
      '\n',
      'data',
    )
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), (pieces, cuts) => {
        const body = Buffer.from(pieces.join(''), 'latin1')
        fc.pre(!bodyContainsEndLine(body, tid))
        const frame = send(tid, body)
        const wire = Buffer.concat([serializeFrame(frame), serializeFrame(send('next0001', Buffer.from('z')))])
        const got = parseAll(splitAt(wire, cuts))
        assert.equal(got.length, 2)
        assert.deepStrictEqual(got[0], frame)
      }),
      { numRuns: 300 },
    )
  })

  it('handles a 1 MiB binary body in 64 KiB reads without copying it more than once', () => {
    const body = Buffer.alloc(1 << 20)
    for (let i = 0; i < body.length; i++) body[i] = (i * 7919) & 0xff
    const frame = send('bigtid01', body)
    const wire = serializeFrame(frame)
    const reads: Buffer[] = []
    for (let i = 0; i < wire.length; i += 65536) reads.push(wire.subarray(i, i + 65536))
    const [got] = parseAll(reads)
    assert.ok(got?.body !== undefined && Buffer.from(got.body).equals(body))
  })

  it('accepts an empty body with and without the CRLF before the end-line', () => {
    const proper = 'MSRP abcd1234 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://b:2/y;tcp\r\nContent-Type: text/plain\r\n\r\n\r\n-------abcd1234$\r\n'
    assert.equal(parseFrame(proper).body?.length, 0)
    const sloppy = 'MSRP abcd1234 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://b:2/y;tcp\r\nContent-Type: text/plain\r\n\r\n-------abcd1234$\r\n'
    assert.equal(parseFrame(sloppy).body?.length, 0)
  })

  it('keeps unknown methods and extension headers in order; header names are case-insensitive', () => {
    const f = parseFrame(
      'MSRP abcd1234 FOO\r\nto-path: msrp://a:1/x;tcp\r\nFROM-PATH: msrp://b:2/y;tcp\r\nX-B: 2\r\nX-A: 1\r\nX-B: 3\r\n-------abcd1234$\r\n',
    ) as MsrpRequest
    assert.equal(f.method, 'FOO')
    assert.deepEqual(f.extensionHeaders, [
      { name: 'X-B', value: '2' },
      { name: 'X-A', value: '1' },
      { name: 'X-B', value: '3' },
    ])
    assert.equal(f.headers['To-Path'][0]?.sessionId, 'x')
  })

  const errorCases: Array<[string, string, string]> = [
    ['garbage', 'HTTP/1.1 200 OK\r\n', 'MSRP_BAD_START_LINE'],
    ['bad start line', 'MSRP x SEND\r\n', 'MSRP_BAD_START_LINE'],
    ['bare LF', 'MSRP abcd1234 SEND\n', 'MSRP_BAD_LINE_ENDING'],
    ['bad header line', 'MSRP abcd1234 SEND\r\nno colon here\r\n', 'MSRP_BAD_HEADER'],
    ['wrong end-line', 'MSRP abcd1234 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\n-------other123$\r\n', 'MSRP_BAD_END_LINE'],
    ['missing From-Path', 'MSRP abcd1234 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\n-------abcd1234$\r\n', 'MSRP_MISSING_HEADER'],
    ['bad path', 'MSRP abcd1234 SEND\r\nTo-Path: sip:bob@example.com\r\n', 'MSRP_URI_INVALID'],
    ['duplicate path', 'MSRP abcd1234 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nTo-Path: msrp://a:1/x;tcp\r\n', 'MSRP_HEADER_DUPLICATE'],
  ]
  for (const [name, input, code] of errorCases) {
    it(`rejects ${name} with ParseError ${code}`, () => {
      assert.throws(() => new MsrpParser().push(Buffer.from(input)), (e: unknown) => e instanceof ParseError && e.code === code)
    })
  }

  const invalidValues: Array<[string, string, string]> = [
    ['bad Byte-Range', 'Byte-Range: 0-1/1', 'MSRP_HEADER_INVALID'],
    ['duplicate header', 'Message-ID: abcd\r\nMessage-ID: abcd', 'MSRP_HEADER_DUPLICATE'],
    ['broken quoted Use-Nickname', 'Use-Nickname: "alice', 'MSRP_HEADER_INVALID'],
  ]
  for (const [name, header, code] of invalidValues) {
    it(`delivers a frame with a ${name} marked invalid (${code}) and keeps parsing the stream`, () => {
      const parser = new MsrpParser()
      const bad = `MSRP abcd1234 SEND\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://b:2/y;tcp\r\n${header}\r\n-------abcd1234$\r\n`
      const frames = parser.push(Buffer.concat([Buffer.from(bad), serializeFrame(send('efgh5678', Buffer.from('next')))]))
      assert.equal(frames.length, 2)
      assert.ok(frames[0]?.invalid instanceof ParseError && frames[0].invalid.code === code, String(frames[0]?.invalid))
      assert.equal(frames[1]?.invalid, undefined)
      assert.equal(Buffer.from(frames[1]?.body ?? []).toString(), 'next')
    })
  }

  it('reads Use-Nickname quoted (RFC 7701 §7) or bare, as the SIP SIMPLE SDK writes it', () => {
    const nick = (value: string) =>
      (parseFrame(`MSRP abcd1234 NICKNAME\r\nTo-Path: msrp://a:1/x;tcp\r\nFrom-Path: msrp://b:2/y;tcp\r\nUse-Nickname: ${value}\r\n-------abcd1234$\r\n`) as MsrpRequest).headers['Use-Nickname']
    assert.equal(nick('"alice"'), 'alice')
    assert.equal(nick('"a \\"b\\""'), 'a "b"')
    assert.equal(nick('alice'), 'alice')
    assert.equal(nick('Alice Smith'), 'Alice Smith')
    assert.equal(nick(''), '')
  })

  it('rejects garbage as soon as the first bytes cannot start a frame', () => {
    assert.throws(() => new MsrpParser().push(Buffer.from('GET')), ParseError)
  })

  it('bounds the header block and the body size, and refuses input after an error', () => {
    const parser = new MsrpParser({ maxHeaderBytes: 256 })
    assert.throws(() => parser.push(Buffer.from('MSRP abcd1234 SEND\r\nX-Pad: ' + 'x'.repeat(300))), (e: unknown) => e instanceof ParseError && e.code === 'MSRP_HEADER_TOO_LARGE')
    assert.throws(() => parser.push(Buffer.from('MSRP ')), (e: unknown) => e instanceof ParseError && e.code === 'MSRP_PARSER_FAILED')
    parser.reset()
    assert.equal(parser.push(serializeFrame(send('abcd1234', Buffer.from('ok')))).length, 1)

    const small = new MsrpParser({ maxBodyBytes: 1000 })
    const head = serializeFrame(send('abcd1234', Buffer.alloc(0))).subarray(0, -('\r\n-------abcd1234$\r\n'.length))
    small.push(head)
    assert.throws(() => {
      for (let i = 0; i < 100; i++) small.push(Buffer.alloc(100, 0x61))
    }, (e: unknown) => e instanceof ParseError && e.code === 'MSRP_BODY_TOO_LARGE')
    assert.equal(small.buffered, 0, "a failed parser holds no memory")
  })

  it('delivers frames completed before an error in the same chunk via feed()', () => {
    const wire = Buffer.concat([serializeFrame(send('abcd1234', Buffer.from('x'))), Buffer.from('garbage\r\n')])
    const seen: MsrpFrame[] = []
    assert.throws(() => new MsrpParser().feed(wire, (f) => seen.push(f)), ParseError)
    assert.equal(seen.length, 1)
  })

  it('throws only ParseError on random bytes and mutated frames, and always returns (property)', () => {
    const mutated = fc
      .tuple(validFrames, fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }))
      .map(([frames, edits]) => {
        const wire = Buffer.from(Buffer.concat(frames.map(serializeFrame)))
        for (const [at, byte] of edits) wire[Math.floor(at * (wire.length - 1))] = byte
        return wire
      })
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from('MSRP abcd1234 SEND\r\n'), Buffer.from(b)])),
      mutated,
    )
    fc.assert(
      fc.property(input, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), (wire, cuts) => {
        const parser = new MsrpParser({ maxHeaderBytes: 4096, maxBodyBytes: 4096 })
        try {
          parseAll(splitAt(wire, cuts), parser)
        } catch (e) {
          if (!(e instanceof ParseError)) throw e
        }
        assert.ok(parser.buffered <= 4096 + 4096 + 64)
      }),
      { numRuns: 400 },
    )
  })
})

describe('MSRP parser callbacks', () => {
  it('keeps parsing when onFrame throws and rethrows the callback error afterwards', () => {
    const wire = Buffer.concat([
      serializeFrame(send('abcd1111', Buffer.from('1'))),
      serializeFrame(send('abcd2222', Buffer.from('2'))),
    ])
    const parser = new MsrpParser()
    const seen: string[] = []
    assert.throws(
      () =>
        parser.feed(wire, (f) => {
          seen.push(f.transactionId)
          throw new Error('handler bug')
        }),
      /handler bug/,
    )
    assert.deepEqual(seen, ['abcd1111', 'abcd2222'])
    assert.equal(parser.push(serializeFrame(send('abcd3333', undefined))).length, 1, 'the stream is still in step')
  })
})
