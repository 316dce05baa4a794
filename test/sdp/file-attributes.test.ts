import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ParseError } from '../../src/errors.ts'
import { createAnswer, createOffer } from '../../src/sdp/offer-answer.ts'
import { parseMsrpSdp } from '../../src/sdp/parse.ts'
import { formatFileAttributes, formatFileSelector, parseFileSelector } from '../../src/sdp/file-attributes.ts'

// RFC 5547 §9 (example of a push offer), trimmed to the MSRP line.
const RFC_OFFER = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 alicepc.example.com',
  's=-',
  'c=IN IP4 alicepc.example.com',
  't=0 0',
  'm=message 7654 TCP/MSRP *',
  'i=This is my latest picture',
  'a=sendonly',
  'a=accept-types:message/cpim',
  'a=accept-wrapped-types:*',
  'a=path:msrp://alicepc.example.com:7654/jshA7we;tcp',
  'a=file-selector:name:"My cool picture.jpg" type:image/jpeg size:32349 hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E',
  'a=file-transfer-id:vBnG916bdberum2fFEABR1FR3ExZMUrd',
  'a=file-disposition:attachment',
  'a=file-date:creation:"Mon, 15 May 2006 15:01:31 +0300"',
  'a=file-icon:cid:id2@alicepc.example.com',
  '',
].join('\r\n')

describe('RFC 5547 file attributes', () => {
  it('reads the RFC example offer', () => {
    const media = parseMsrpSdp(RFC_OFFER).media[0]!
    assert.equal(media.direction, 'sendonly')
    assert.deepEqual(media.file, {
      selector: { name: 'My cool picture.jpg', type: 'image/jpeg', size: 32349, hash: { algorithm: 'sha-1', value: '72245fe8653ddaf371362f86d471913ee4a2ce2e' } },
      transferId: 'vBnG916bdberum2fFEABR1FR3ExZMUrd',
      disposition: 'attachment',
      dates: { creation: 'Mon, 15 May 2006 15:01:31 +0300' },
      icon: 'cid:id2@alicepc.example.com',
    })
    assert.deepEqual(media.otherAttributes, [], 'file attributes are interpreted, not left over')
  })

  it('round-trips a name with quotes, percent signs and path separators', () => {
    const selector = { name: 'a "b" 100%/../../x.txt', type: 'text/plain', size: 5, hash: { algorithm: 'sha-1', value: 'ab'.repeat(20) } }
    const text = formatFileSelector(selector)
    assert.ok(!/"b"/.test(text), 'inner quotes are escaped')
    assert.deepEqual(parseFileSelector(text), selector)
  })

  it('builds an offer and an answer that carry the file description', () => {
    const file = { selector: { name: 'x.bin', size: 10, hash: { algorithm: 'sha-1', value: '00'.repeat(20) } }, transferId: 't1', range: { start: 6, stop: 10 as const } }
    const offer = createOffer({ path: ['msrp://127.0.0.1:9/a;tcp'], acceptTypes: ['*'], direction: 'sendonly', file })
    assert.match(offer, /a=file-selector:name:"x.bin" size:10 hash:sha-1:00(:00){19}\r\n/)
    assert.match(offer, /a=file-range:6-10\r\n/)
    const parsed = parseMsrpSdp(offer).media[0]!
    assert.deepEqual(parsed.file, file)
    const answer = createAnswer(offer, { path: ['msrp://127.0.0.1:8/b;tcp'], acceptTypes: ['*'], file: { selector: file.selector, transferId: 't1' } })
    assert.ok(answer.ok)
    assert.equal(answer.local.direction, 'recvonly')
    assert.equal(answer.local.file?.transferId, 't1')
  })

  it('formats the attribute lines in RFC order', () => {
    assert.deepEqual(formatFileAttributes({ selector: { size: 1 }, disposition: 'render', dates: { modification: 'x' } }), ['file-selector:size:1', 'file-disposition:render', 'file-date:modification:"x"'])
  })

  for (const [line, code] of [
    ['a=file-selector:size:-1', 'SDP_BAD_FILE_SELECTOR'],
    ['a=file-selector:hash:sha-1:XYZ', 'SDP_BAD_FILE_SELECTOR'],
    ['a=file-selector:name:unquoted', 'SDP_BAD_FILE_SELECTOR'],
    ['a=file-selector:name:"%zz"', 'SDP_BAD_FILE_SELECTOR'],
    ['a=file-range:0-10', 'SDP_BAD_FILE_RANGE'],
    ['a=file-transfer-id:has space', 'SDP_BAD_FILE_ATTRIBUTE'],
    ['a=file-icon:http://x', 'SDP_BAD_FILE_ATTRIBUTE'],
  ] as const) {
    it(`refuses ${line} with ${code}`, () => {
      const sdp = RFC_OFFER.replace(/a=file-selector:[^\r]*\r\n/, line.startsWith('a=file-selector') ? `${line}\r\n` : `a=file-selector:size:1\r\n${line}\r\n`)
      assert.throws(() => parseMsrpSdp(sdp), (e: unknown) => e instanceof ParseError && e.code === code)
    })
  }
})
