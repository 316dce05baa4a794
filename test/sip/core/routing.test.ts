import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { destinationForUri, nextHop, outboundProxyRoute, outboundProxyRouteHeader, responseDestination, stampVia } from '../../../src/sip/core/routing.ts'
import { parseNameAddrList } from '../../../src/sip/headers/name-addr.ts'
import { parseVia } from '../../../src/sip/headers/via.ts'
import { parseUri } from '../../../src/sip/uri.ts'

test('URI to destination: default ports, transport param, sips, maddr, IPv6', () => {
  assert.deepEqual(destinationForUri(parseUri('sip:bob@192.0.2.1')), { host: '192.0.2.1', port: 5060, transport: 'UDP' })
  assert.deepEqual(destinationForUri(parseUri('sip:bob@h.example;transport=tcp')), { host: 'h.example', port: 5060, transport: 'TCP' })
  assert.deepEqual(destinationForUri(parseUri('sips:bob@h.example')), { host: 'h.example', port: 5061, transport: 'TLS' })
  assert.deepEqual(destinationForUri(parseUri('sip:[2001:db8::1]:5080;maddr=239.1.1.1')), { host: '239.1.1.1', port: 5080, transport: 'UDP' })
  assert.deepEqual(destinationForUri(parseUri('sip:[2001:db8::1]:5080'), 'TCP'), { host: '2001:db8::1', port: 5080, transport: 'TCP' })
  assert.throws(() => destinationForUri(parseUri('tel:+123')), { code: 'SIP_UNROUTABLE' })
})

test('next hop: first loose route, else the Request-URI', () => {
  const uri = parseUri('sip:bob@192.0.2.1')
  assert.equal(nextHop(uri, parseNameAddrList('<sip:proxy.example;lr>, <sip:p2.example;lr>')).host, 'proxy.example')
  assert.equal(nextHop(uri, parseNameAddrList('<sip:strict.example>')).host, '192.0.2.1')
  assert.equal(nextHop(uri, []).host, '192.0.2.1')
})

test('an outbound proxy is always a loose route: lr added when missing, kept when present (§8.1.2)', () => {
  assert.equal(outboundProxyRouteHeader('sip:proxy.example:5070;transport=tcp'), '<sip:proxy.example:5070;transport=tcp;lr>')
  assert.equal(outboundProxyRouteHeader('sip:proxy.example;lr'), '<sip:proxy.example;lr>')
  assert.equal(outboundProxyRouteHeader(' <sip:proxy.example> '), '<sip:proxy.example;lr>')
  const uri = parseUri('sip:bob@192.0.2.1')
  assert.deepEqual(nextHop(uri, [{ uri: outboundProxyRoute('sip:proxy.example:5070;transport=tcp'), params: new Map() }]), { host: 'proxy.example', port: 5070, transport: 'TCP' })
  assert.throws(() => outboundProxyRoute('not a uri'), { name: 'ParseError' })
})

test('stamping received and rport (RFC 3581 §4)', () => {
  const asked = parseVia('SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bK1;rport')
  assert.equal(stampVia(asked, { host: '198.51.100.4', port: 33333, transport: 'UDP' }), true)
  assert.equal(asked.received, '198.51.100.4')
  assert.equal(asked.rport, 33333)
  const same = parseVia('SIP/2.0/UDP 198.51.100.4:5060;branch=z9hG4bK1')
  assert.equal(stampVia(same, { host: '198.51.100.4', port: 5060, transport: 'UDP' }), false)
  assert.equal(same.received, undefined)
})

test('response destination (§18.2.2)', () => {
  const source = { host: '198.51.100.4', port: 33333, transport: 'UDP' }
  const stamped = parseVia('SIP/2.0/UDP 10.1.1.1:5062;branch=z9hG4bK1;received=198.51.100.4;rport=33333')
  assert.deepEqual(responseDestination(stamped, source, false), { host: '198.51.100.4', port: 33333, transport: 'UDP' })
  const noRport = parseVia('SIP/2.0/UDP 10.1.1.1:5062;branch=z9hG4bK1;received=198.51.100.4')
  assert.deepEqual(responseDestination(noRport, source, false), { host: '198.51.100.4', port: 5062, transport: 'UDP' })
  const maddr = parseVia('SIP/2.0/UDP 10.1.1.1;branch=z9hG4bK1;maddr=239.255.255.1;ttl=1')
  assert.deepEqual(responseDestination(maddr, source, false), { host: '239.255.255.1', port: 5060, transport: 'UDP' })
  const tcpSource = { host: '198.51.100.4', port: 40000, transport: 'TCP', connectionId: 'c7' }
  assert.deepEqual(responseDestination(parseVia('SIP/2.0/TCP 10.1.1.1;branch=z9hG4bK1'), tcpSource, true), tcpSource)
})
