/**
 * RFC 4475 torture messages: one named test per file of shared/vectors/sip-torture.
 * Files are read as bytes and parsed as UDP datagrams (the RFC's transport for most of them).
 */
import { strict as assert } from 'node:assert'
import { readFileSync, readdirSync } from 'node:fs'
import { describe, test } from 'node:test'
import { ParseError } from '../../src/errors.ts'
import {
  type SipMessage, type SipRequest, type SipResponse, type SipUri,
  contactExpires, contactQ, hasRfc3261Branch, paramValue, parseAuthValue, parseCSeq, parseContentType,
  parseMaxForwards, parseNameAddr, parseSipMessage, parseUri, parseVia, readContacts, readCSeq,
  readNameAddrHeader, readNameAddrList, readTokenList, readVias, serializeUri, tagOf, uriEquals,
  validateRequest, validateResponse, readMaxForwards, readTopVia,
} from '../../src/sip/index.ts'

const DIR = new URL('../../../shared/vectors/sip-torture/', import.meta.url)
const load = (name: string): Buffer => readFileSync(new URL(`${name}.dat`, DIR))
const parse = (name: string): SipMessage => parseSipMessage(load(name), { datagram: true })
const req = (name: string): SipRequest => {
  const m = parse(name)
  assert.equal(m.kind, 'request')
  return m as SipRequest
}
const res = (name: string): SipResponse => {
  const m = parse(name)
  assert.equal(m.kind, 'response')
  return m as SipResponse
}
const sip = (text: string): SipUri => {
  const u = parseUri(text)
  assert.equal(u.kind, 'sip')
  return u as SipUri
}
function rejects(name: string, code: string, mentions?: RegExp): void {
  assert.throws(
    () => parse(name),
    (e: unknown) => {
      assert.ok(e instanceof ParseError, `expected ParseError, got ${String(e)}`)
      assert.equal(e.code, code)
      assert.equal(e.protocol, 'sip')
      if (mentions) assert.match(e.message, mentions)
      return true
    },
  )
}

const cases: Record<string, () => void> = {
  // ---- 3.1.1 valid messages
  wsinv() {
    const m = req('wsinv')
    assert.equal(m.method, 'INVITE')
    assert.equal(m.uri, 'sip:vivekg@chair-dnrc.example.com;unknownparam')
    const to = readNameAddrHeader(m.headers, 'To')!
    assert.equal(serializeUri(to.uri), 'sip:vivekg@chair-dnrc.example.com')
    assert.equal(tagOf(to), '1918181833n')
    const from = readNameAddrHeader(m.headers, 'From')!
    assert.equal(from.displayName, 'J Rosenberg \\"')
    assert.equal(tagOf(from), '98asjd8')
    assert.equal(readMaxForwards(m.headers), 68)
    assert.deepEqual(readCSeq(m.headers), { seq: 9, method: 'INVITE' })
    const vias = readVias(m.headers)
    assert.deepEqual(vias.map((v) => [v.transport, v.host, v.branch]), [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ])
    assert.equal(m.headers.get('Subject'), '')
    assert.equal(m.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value')
    assert.equal(m.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;')
    const route = readNameAddrList(m.headers, 'Route')
    assert.equal(route.length, 1)
    assert.equal((route[0]!.uri as SipUri).params.get('lr'), null)
    const contacts = readContacts(m.headers)
    assert.ok(contacts !== '*')
    assert.equal(contacts[0]!.displayName, 'Quoted string ""')
    assert.equal(paramValue(contacts[0]!.params, 'newparam'), 'newvalue')
    assert.equal(paramValue(contacts[0]!.params, 'secondparam'), null)
    assert.equal(contactQ(contacts[0]!), 0.33)
    assert.equal(m.body.length, 150)
  },
  intmeth() {
    const m = req('intmeth')
    assert.equal(m.method, "!interesting-Method0123456789_*+`.%indeed'~")
    const uri = sip(m.uri)
    assert.equal(uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    assert.equal(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    assert.equal(uri.host, 'example.com')
    assert.equal(readTopVia(m.headers).branch, "z9hG4bK-.!%66*_+`'~")
    const to = readNameAddrHeader(m.headers, 'To')!
    assert.equal(to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f')
    const from = readNameAddrHeader(m.headers, 'From')!
    assert.equal(from.displayName, "token1~` token2'+_ token3*%!.-")
    assert.equal(tagOf(from), "_token~1'+`*%!-.")
    assert.equal(paramValue(from.params, "fromparam''~+*_!.-%"), 'работающий') // UTF-8 in a quoted value
    assert.equal(m.headers.get('Call-ID'), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
    assert.deepEqual(readCSeq(m.headers), { seq: 139122385, method: m.method })
    assert.equal(readMaxForwards(m.headers), 255)
    assert.equal(m.headers.get("extensionHeader-!.%*+_`'~"), '\uFEFF大停電')
    assert.equal(m.body.length, 0)
  },
  esc01() {
    const m = req('esc01')
    const uri = sip(m.uri)
    assert.equal(uri.user, 'sips:user@example.com')
    assert.equal(uri.host, 'example.net')
    const to = readNameAddrHeader(m.headers, 'To')!
    assert.ok(uriEquals(to.uri, parseUri('sip:user@example.com')))
    assert.equal((readNameAddrHeader(m.headers, 'From')!.uri as SipUri).user, 'I have spaces')
    const contacts = readContacts(m.headers)
    assert.ok(contacts !== '*')
    assert.ok(uriEquals(contacts[0]!.uri, parseUri('sip:caller@host5.example.net;lr;name=value%2541')))
    assert.equal((contacts[0]!.uri as SipUri).params.get('name'), 'value%41')
    assert.equal(parseContentType(m.headers.get('c')!).subtype, 'sdp')
    assert.equal(m.body.length, 150)
  },
  escnull() {
    const m = req('escnull')
    assert.equal(m.method, 'REGISTER')
    assert.equal((readNameAddrHeader(m.headers, 'To')!.uri as SipUri).user, 'null-\x00-null')
    const contacts = readContacts(m.headers)
    assert.ok(contacts !== '*')
    assert.deepEqual(contacts.map((c) => (c.uri as SipUri).user), ['\x00', '\x00\x00'])
    assert.equal(m.body.length, 0)
  },
  esc02() {
    const m = req('esc02')
    // %47 in a method token is not an escape: this is an extension method, not REGISTER.
    assert.equal(m.method, 'RE%47IST%45R')
    assert.equal(readNameAddrHeader(m.headers, 'To')!.displayName, '%Z%45')
    assert.equal(readTopVia(m.headers).branch, 'z9hG4bK209%fzsnel234')
    assert.equal(readCSeq(m.headers).method, 'RE%47IST%45R')
    // "C%6Fntact" is an extension header, not a third Contact.
    assert.equal(m.headers.getAllLines('Contact').length, 2)
    assert.equal(m.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>')
  },
  lwsdisp() {
    const m = req('lwsdisp')
    const from = readNameAddrHeader(m.headers, 'From')!
    assert.equal(from.displayName, 'caller')
    assert.equal(tagOf(from), '323')
    assert.equal(m.method, 'OPTIONS')
  },
  longreq() {
    const m = req('longreq')
    assert.equal(m.method, 'INVITE')
    const to = readNameAddrHeader(m.headers, 'To')!
    assert.match(to.displayName!, /^I have a user name of (extreme){10} proportion$/)
    assert.equal((to.uri as SipUri).port, 6000)
    const vias = readVias(m.headers)
    assert.equal(vias.length, 34)
    assert.equal(vias[0]!.host, 'sip33.example.com')
    assert.equal(vias[33]!.received, '192.0.2.5')
    assert.ok(tagOf(readNameAddrHeader(m.headers, 'From')!)!.length > 100)
    assert.equal(m.body.length, 150)
  },
  dblreq() {
    const m = req('dblreq')
    // Content-Length: 0 ends the datagram's message; the INVITE after it is dropped (RFC 3261 §18.3).
    assert.equal(m.method, 'REGISTER')
    assert.equal(m.body.length, 0)
    assert.equal(m.headers.get('Call-ID'), 'dblreq.0ha0isndaksdj99sdfafnl3lk233412')
  },
  semiuri() {
    const m = req('semiuri')
    const uri = sip(m.uri)
    assert.equal(uri.user, 'user;par=u@example.net')
    assert.equal(uri.host, 'example.com')
    assert.equal(uri.params.size, 0)
    assert.deepEqual(m.headers.getList('Accept'), [
      'application/sdp', 'application/pkcs7-mime', 'multipart/mixed', 'multipart/signed', 'message/sip', 'message/sipfrag',
    ])
  },
  transports() {
    const m = req('transports')
    assert.deepEqual(readVias(m.headers).map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'])
  },
  mpart01() {
    const m = req('mpart01')
    assert.equal(m.method, 'MESSAGE')
    const ct = parseContentType(m.headers.get('Content-Type')!)
    assert.equal(`${ct.type}/${ct.subtype}`, 'multipart/mixed')
    assert.equal(paramValue(ct.params, 'boundary'), '7a9cbec02ceef655')
    assert.equal(readTopVia(m.headers).rport, true)
    assert.equal(m.body.length, 553)
    assert.ok(m.body.subarray(m.body.length - 22).toString('latin1').startsWith('--7a9cbec02ceef655--'))
  },
  unreason() {
    const m = res('unreason')
    assert.equal(m.status, 200)
    assert.equal(m.reason, '= 2**3 * 5**2 но сто девяносто девять - простое')
    assert.equal(m.body.length, 154)
  },
  noreason() {
    const m = res('noreason')
    assert.equal(m.status, 100)
    assert.equal(m.reason, '')
    assert.equal(tagOf(readNameAddrHeader(m.headers, 'To')!), '902jndnke3')
  },

  // ---- 3.1.2 invalid messages
  badinv01: () => rejects('badinv01', 'SIP_BAD_VIA'),
  clerr() {
    rejects('clerr', 'SIP_BODY_TRUNCATED', /9999/)
  },
  ncl: () => rejects('ncl', 'SIP_BAD_CONTENT_LENGTH', /-999/),
  scalar02() {
    rejects('scalar02', 'SIP_BAD_CSEQ', /2\^31/)
    // The other out-of-range scalars of the message fail on their own too.
    assert.throws(() => parseMaxForwards('300'), { code: 'SIP_BAD_MAX_FORWARDS' })
  },
  scalarlg: () => rejects('scalarlg', 'SIP_BAD_CSEQ'),
  quotbal: () => rejects('quotbal', 'SIP_BAD_TO', /closing quote/),
  ltgtruri: () => rejects('ltgtruri', 'SIP_BAD_REQUEST_URI'),
  lwsruri: () => rejects('lwsruri', 'SIP_BAD_REQUEST_LINE'),
  lwsstart: () => rejects('lwsstart', 'SIP_BAD_REQUEST_LINE'),
  trws: () => rejects('trws', 'SIP_BAD_REQUEST_LINE'),
  escruri: () => rejects('escruri', 'SIP_BAD_REQUEST_URI', /URI headers/),
  baddate: () => rejects('baddate', 'SIP_BAD_DATE', /GMT/),
  regbadct: () => rejects('regbadct', 'SIP_BAD_CONTACT', /enclosed/),
  badaspec: () => rejects('badaspec', 'SIP_BAD_TO', /white space/),
  baddn() {
    rejects('baddn', 'SIP_BAD_FROM', /display name/)
    assert.throws(() => parseNameAddr('Bell, Alexander <sip:a.g.bell@example.com>;tag=43', 'From'), { code: 'SIP_BAD_FROM' })
  },
  badvers: () => rejects('badvers', 'SIP_BAD_VERSION', /SIP\/7\.0/),
  mismatch01: () => rejects('mismatch01', 'SIP_CSEQ_METHOD_MISMATCH', /OPTIONS/),
  mismatch02: () => rejects('mismatch02', 'SIP_CSEQ_METHOD_MISMATCH', /NEWMETHOD/),
  bigcode: () => rejects('bigcode', 'SIP_BAD_STATUS_CODE', /4294967301/),

  // ---- 3.2 transaction layer
  badbranch() {
    const m = req('badbranch')
    const via = readTopVia(m.headers)
    assert.equal(via.branch, 'z9hG4bK')
    // Only the cookie, nothing unique after it: match it as an RFC 2543 transaction.
    assert.equal(hasRfc3261Branch(via.branch), false)
  },

  // ---- 3.3 application layer: parses, the layer above decides
  insuf() {
    const m = req('insuf')
    assert.equal(m.headers.has('To'), false)
    assert.equal(m.headers.has('From'), false)
    assert.equal(m.headers.has('Call-ID'), false)
    assert.equal(m.headers.has('Max-Forwards'), false)
    const verdict = validateRequest(m)
    assert.equal(verdict?.status, 400)
    assert.match(verdict!.reason, /Missing (To|From|Call-ID) header/)
    assert.throws(() => parseSipMessage(load('insuf'), { datagram: true, strict: true }), { code: 'SIP_MISSING_TO' })
  },
  unkscm() {
    const m = req('unkscm')
    const uri = parseUri(m.uri)
    assert.deepEqual(uri, { kind: 'absolute', scheme: 'nobodyknowsthisscheme', rest: 'totallyopaquecontent' })
    assert.deepEqual(validateRequest(m), { status: 416, reason: 'Unsupported URI Scheme', headers: [] })
  },
  novelsc() {
    const m = req('novelsc')
    const uri = parseUri(m.uri)
    assert.equal(uri.kind === 'absolute' && uri.scheme, 'soap.beep')
    assert.equal(validateRequest(m)?.status, 416)
    assert.equal(validateRequest(m, { schemes: ['sip', 'soap.beep'] }), undefined)
  },
  unksm2() {
    const m = req('unksm2')
    assert.deepEqual(readNameAddrHeader(m.headers, 'To')!.uri, { kind: 'absolute', scheme: 'isbn', rest: '2983792873' })
    assert.deepEqual(readNameAddrHeader(m.headers, 'From')!.uri, { kind: 'absolute', scheme: 'http', rest: '//www.example.com' })
    const contacts = readContacts(m.headers)
    assert.ok(contacts !== '*')
    assert.deepEqual(contacts[0]!.uri, { kind: 'absolute', scheme: 'name', rest: 'John_Smith' })
    assert.equal(validateRequest(m), undefined) // Request-URI is sip: the registrar decides about the rest
  },
  bext01() {
    const m = req('bext01')
    assert.deepEqual(readTokenList(m.headers, 'Require'), ['nothingSupportsThis', 'nothingSupportsThisEither'])
    assert.deepEqual(validateRequest(m), {
      status: 420, reason: 'Bad Extension', headers: [['Unsupported', 'nothingSupportsThis, nothingSupportsThisEither']],
    })
    const asProxy = validateRequest(m, { role: 'proxy', extensions: ['nothingSupportsThis', 'nothingSupportsThisEither'] })
    assert.deepEqual(asProxy?.headers, [['Unsupported', 'noProxiesSupportThis, norDoAnyProxiesSupportThis']])
  },
  invut() {
    const m = req('invut')
    assert.equal(m.headers.get('Content-Type'), 'application/unknownformat')
    assert.equal(m.body.length, 40)
    assert.deepEqual(validateRequest(m, { contentTypes: ['application/sdp'] }), {
      status: 415, reason: 'Unsupported Media Type', headers: [['Accept', 'application/sdp']],
    })
  },
  regaut01() {
    const m = req('regaut01')
    const auth = parseAuthValue(m.headers.get('Authorization')!)
    assert.equal(auth.scheme, 'NoOneKnowsThisScheme')
    assert.equal(auth.params.get('opaque-data'), 'here')
    // A registrar answers 401 with a Digest challenge: the scheme is not Digest.
    assert.notEqual(auth.scheme.toLowerCase(), 'digest')
  },
  multi01() {
    const m = req('multi01')
    assert.equal(m.headers.getAllLines('CSeq').length, 2)
    assert.equal(m.headers.getAllLines('To').length, 2)
    assert.equal(m.headers.getAllLines('Max-Forwards').length, 2)
    const verdict = validateRequest(m)
    assert.equal(verdict?.status, 400)
    assert.match(verdict!.reason, /^Multiple (To|From|Call-ID|CSeq|Max-Forwards) headers$/)
  },
  mcl01() {
    const m = req('mcl01')
    assert.deepEqual(m.headers.getAllLines('Content-Length'), ['13', '5'])
    assert.deepEqual(validateRequest(m), { status: 400, reason: 'Conflicting Content-Length headers', headers: [] })
  },
  bcast() {
    const m = res('bcast')
    assert.equal(readVias(m.headers)[1]!.host, '255.255.255.255')
    assert.match(validateResponse(m)!, /2 Via/)
  },
  zeromf() {
    const m = req('zeromf')
    assert.equal(readMaxForwards(m.headers), 0)
    assert.deepEqual(validateRequest(m, { role: 'proxy' }), { status: 483, reason: 'Too Many Hops', headers: [] })
    assert.equal(validateRequest(m), undefined) // a UA may answer the OPTIONS itself
  },
  cparam01() {
    const m = req('cparam01')
    const contacts = readContacts(m.headers)
    assert.ok(contacts !== '*')
    // Without angle brackets ";unknownparam" is a Contact parameter, not a URI parameter.
    assert.equal(contacts[0]!.params.get('unknownparam'), null)
    assert.equal((contacts[0]!.uri as SipUri).params.size, 0)
    assert.equal((contacts[0]!.uri as SipUri).user, '+19725552222')
  },
  cparam02() {
    const m = req('cparam02')
    const contacts = readContacts(m.headers)
    assert.ok(contacts !== '*')
    assert.equal(contacts[0]!.params.size, 0)
    assert.equal((contacts[0]!.uri as SipUri).params.get('unknownparam'), null)
  },
  regescrt() {
    const m = req('regescrt')
    const contacts = readContacts(m.headers)
    assert.ok(contacts !== '*')
    assert.deepEqual((contacts[0]!.uri as SipUri).headers, [['Route', '<sip:sip.example.com>']])
    assert.equal(contactExpires(contacts[0]!), undefined)
  },
  sdp01() {
    const m = req('sdp01')
    assert.equal(m.headers.get('Accept'), 'text/nobodyKnowsThis')
    assert.equal(m.body.length, 150)
    assert.deepEqual(validateRequest(m, { answerTypes: ['application/sdp'] }), {
      status: 406, reason: 'Not Acceptable', headers: [['Accept', 'application/sdp']],
    })
  },

  // ---- 3.4 backward compatibility
  inv2543() {
    const m = req('inv2543')
    assert.equal(m.headers.has('Max-Forwards'), false)
    assert.equal(readTopVia(m.headers).branch, undefined)
    assert.equal(paramValue(readNameAddrHeader(m.headers, 'To')!.params, 'user'), 'phone')
    assert.equal(m.body.length, 105) // no Content-Length: the body runs to the end of the datagram
    assert.equal(validateRequest(m), undefined)
    assert.deepEqual(parseCSeq('56 INVITE'), readCSeq(m.headers))
    assert.equal(parseVia('SIP/2.0/UDP iftgw.example.com').host, 'iftgw.example.com')
  },
}

describe('RFC 4475 torture messages', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.dat')).map((f) => f.slice(0, -4)).sort()
  test('every vector file has a case and every case a file', () => {
    assert.equal(files.length, 49)
    assert.deepEqual(Object.keys(cases).sort(), files)
  })
  for (const name of files) {
    test(name, () => {
      const fn = cases[name]
      assert.ok(fn, `no test case for ${name}.dat`)
      fn()
    })
  }
})
