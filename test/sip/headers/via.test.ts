import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseVia, parseViaList, serializeVia, hasRfc3261Branch, readTopVia, readVias } from '../../../src/sip/headers/via.ts'
import { SipHeaders } from '../../../src/sip/header-list.ts'

test('reads protocol, transport, sent-by and typed parameters', () => {
  const via = parseVia('SIP / 2.0 / tcp [2001:db8::9]:5070 ; branch = z9hG4bKabc ;received=2001:db8::1;rport=4000;maddr=224.0.1.75;ttl=16;x-foo="a b"')
  assert.deepEqual(via, {
    protocolName: 'SIP', protocolVersion: '2.0', transport: 'TCP', host: '[2001:db8::9]', port: 5070,
    branch: 'z9hG4bKabc', received: '2001:db8::1', rport: 4000, maddr: '224.0.1.75', ttl: 16,
    params: new Map([['x-foo', '"a b"']]),
  })
})
test('valueless rport means "please fill it in" (RFC 3581)', () => {
  assert.equal(parseVia('SIP/2.0/UDP 192.0.2.1;rport;branch=z9hG4bK1').rport, true)
})
test('serializes and re-parses to the same value', () => {
  const via = parseVia('SIP/2.0/UDP host.example.com:5060;branch=z9hG4bK776;received=192.0.2.9;rport=5062;ext;other=v')
  const text = serializeVia(via)
  assert.equal(text, 'SIP/2.0/UDP host.example.com:5060;branch=z9hG4bK776;received=192.0.2.9;rport=5062;ext;other=v')
  assert.deepEqual(parseVia(text), via)
})
test('splits comma lists and several lines, top first', () => {
  const h = new SipHeaders([['Via', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com'], ['v', 'SIP/2.0/TLS c.example.com']])
  assert.deepEqual(readVias(h).map((v) => v.host), ['a.example.com', 'b.example.com', 'c.example.com'])
  assert.equal(readTopVia(h).branch, 'z9hG4bK1')
  assert.equal(parseViaList('SIP/2.0/UDP x, SIP/2.0/UDP y').length, 2)
})
for (const bad of ['SIP/2.0 host', 'SIP/2.0/UDP', 'SIP/2.0/UDP host;;', 'SIP/2.0/UDP host:70000', 'SIP/2.0/UDP host;ttl=300', 'SIP/2.0/UDP host;rport=x', 'SIP/2.0/UDP host;branch', 'SIP/2.0/UDP host junk']) {
  test(`rejects ${JSON.stringify(bad)} with SIP_BAD_VIA`, () => assert.throws(() => parseVia(bad), { code: 'SIP_BAD_VIA' }))
}
test('missing Via fails with SIP_MISSING_VIA', () => assert.throws(() => readTopVia(new SipHeaders()), { code: 'SIP_MISSING_VIA' }))
test('RFC 3261 branch needs the cookie and something after it', () => {
  assert.equal(hasRfc3261Branch('z9hG4bK1'), true)
  assert.equal(hasRfc3261Branch('z9hG4bK'), false)
  assert.equal(hasRfc3261Branch('390skdjuw'), false)
  assert.equal(hasRfc3261Branch(undefined), false)
})
