import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ParseError } from '../../src/errors.ts'
import { effectivePort, formatMsrpPath, formatMsrpUri, msrpUrisEqual, parseMsrpPath, parseMsrpUri } from '../../src/msrp/uri.ts'
import { msrpUri } from './arbitraries.ts'

describe('MSRP URI', () => {
  it('parses the RFC 4975 §6 form with every part', () => {
    assert.deepEqual(parseMsrpUri('msrp://alice@atlanta.example.com:7654/jshA7weztas;tcp;foo=bar;baz'), {
      scheme: 'msrp',
      user: 'alice',
      host: 'atlanta.example.com',
      port: 7654,
      sessionId: 'jshA7weztas',
      transport: 'tcp',
      params: [['foo', 'bar'], ['baz', undefined]],
    })
  })

  it('parses a relay URI without session id and an IPv6 WebSocket URI (RFC 7977)', () => {
    assert.deepEqual(parseMsrpUri('msrps://relay.example.net;tcp'), { scheme: 'msrps', host: 'relay.example.net', transport: 'tcp', params: [] })
    const ws = parseMsrpUri('msrps://[2001:db8::1]:443/s3ss;ws')
    assert.equal(ws.host, '2001:db8::1')
    assert.equal(ws.port, 443)
    assert.equal(ws.transport, 'ws')
    assert.equal(formatMsrpUri(ws), 'msrps://[2001:db8::1]:443/s3ss;ws')
  })

  it('keeps "/" inside a session id (RFC 4975 §9 session-id)', () => {
    assert.equal(parseMsrpUri('msrp://h:1/a/b=c+d;tcp').sessionId, 'a/b=c+d')
  })

  it('rejects malformed URIs with ParseError protocol "uri"', () => {
    for (const bad of [
      '',
      'sip:alice@example.com',
      'http://example.com/x;tcp',
      'msrp://example.com/abc',
      'msrp://example.com:99999/abc;tcp',
      'msrp://example.com:/abc;tcp',
      'msrp://[::1/abc;tcp',
      'msrp://exa mple.com/abc;tcp',
      'msrp://example.com/ab c;tcp',
      'msrp://example.com/abc;',
      'msrp://example.com/abc;t-cp',
      'msrp:///abc;tcp',
      'msrp://[zz::1]/abc;tcp',
    ]) {
      assert.throws(() => parseMsrpUri(bad), (e: unknown) => e instanceof ParseError && e.protocol === 'uri', bad)
    }
  })

  it('compares by RFC 4975 §6.1: scheme/host/transport case-insensitive, session-id case-sensitive', () => {
    const eq = (a: string, b: string) => msrpUrisEqual(parseMsrpUri(a), parseMsrpUri(b))
    assert.ok(eq('MSRP://Alice.Example.COM:7777/abc;TCP', 'msrp://alice.example.com:7777/abc;tcp'))
    assert.ok(eq('msrp://bob@h.example:7777/abc;tcp', 'msrp://carol@h.example:7777/abc;tcp'), 'userinfo ignored')
    assert.ok(eq('msrp://h.example:7777/abc;tcp;x=1', 'msrp://h.example:7777/abc;tcp'), 'other params ignored')
    assert.ok(eq('msrp://[::1]:9/a;tcp', 'msrp://[0:0:0::0001]:9/a;tcp'), 'IPv6 by value')
    assert.ok(eq('msrp://h%2Eexample:1/a;tcp', 'msrp://h.example:1/a;tcp'), 'percent-decoded host')
    assert.ok(!eq('msrp://h:7777/ABC;tcp', 'msrp://h:7777/abc;tcp'), 'session-id case-sensitive')
    assert.ok(!eq('msrps://h:7777/abc;tcp', 'msrp://h:7777/abc;tcp'), 'scheme')
    assert.ok(!eq('msrp://h:7777/abc;ws', 'msrp://h:7777/abc;tcp'), 'transport')
    assert.ok(!eq('msrp://h/abc;tcp', 'msrp://h:2855/abc;tcp'), '§6.1 rule 3: explicit port never equals absent port')
    assert.ok(!eq('msrp://h:1;tcp', 'msrp://h:1/abc;tcp'), 'missing session-id')
  })

  it('defaults the port to 2855 when connecting', () => {
    assert.equal(effectivePort(parseMsrpUri('msrp://h/abc;tcp')), 2855)
    assert.equal(effectivePort(parseMsrpUri('msrp://h:12/abc;tcp')), 12)
  })

  it('parses and formats space-separated paths', () => {
    const text = 'msrp://relay.example.com:2855/r1;tcp msrp://bob.example.com:8888/9di4eae923wzd;tcp'
    const path = parseMsrpPath(text)
    assert.equal(path.length, 2)
    assert.equal(formatMsrpPath(path), text)
    assert.throws(() => parseMsrpPath('  '), ParseError)
  })

  it('round-trips any URI (property)', () => {
    fc.assert(
      fc.property(msrpUri, (uri) => {
        const text = formatMsrpUri(uri)
        assert.deepEqual(parseMsrpUri(text), uri)
        assert.ok(msrpUrisEqual(parseMsrpUri(text), uri))
      }),
      { numRuns: 300 },
    )
  })

  it('throws only ParseError on arbitrary text (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `msrp://${s}`)), (s) => {
        try {
          parseMsrpUri(s)
        } catch (e) {
          assert.ok(e instanceof ParseError)
        }
      }),
      { numRuns: 300 },
    )
  })
})
