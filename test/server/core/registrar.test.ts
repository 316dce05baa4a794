import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Registrar, type RegisterRequest } from '../../../src/server/core/index.ts'
import { FakeClock } from '../../../src/clock.ts'

const AOR = 'sip:alice@example.test'
const C1 = 'sip:alice@192.0.2.1:5060'
const C2 = 'sip:alice@192.0.2.2:5060;transport=tcp'

function setup(options: ConstructorParameters<typeof Registrar>[0] = {}) {
  const clock = new FakeClock()
  return { clock, registrar: new Registrar({ clock, ...options }) }
}

const reg = (over: Partial<RegisterRequest>): RegisterRequest => ({ aor: AOR, callId: 'call-1', cseq: 1, contacts: [{ uri: C1 }], ...over })

test('register, query and lookup: 200 lists every binding with its remaining expires', () => {
  const { clock, registrar } = setup({ wallClock: () => new Date(Date.UTC(2026, 10, 26, 12)) })
  const d = registrar.register(reg({ expires: 600, flow: 'conn-7', source: '192.0.2.1:5060' }))
  assert.equal(d.status, 200)
  assert.deepEqual(d.status === 200 && d.headers, { Contact: [`<${C1}>;expires=600`], Date: 'Thu, 26 Nov 2026 12:00:00 GMT' })
  clock.advance(100_500)
  const q = registrar.register(reg({ cseq: 2, contacts: [] }))
  assert.ok(q.status === 200)
  assert.deepEqual(q.headers['Contact'], [`<${C1}>;expires=500`], 'a query changes nothing and reports remaining time')
  const [b] = registrar.lookup('<sip:alice@EXAMPLE.test>')
  assert.equal(b?.flow, 'conn-7', 'the flow is kept for routing back')
  assert.equal(b?.source, '192.0.2.1:5060')
  assert.deepEqual(registrar.addressesOfRecord(), [AOR])
})

test('expiry: contact param beats Expires header beats default; max shortens; bindings lapse on the clock', () => {
  const { clock, registrar } = setup({ maxExpires: 1000, defaultExpires: 300 })
  const d = registrar.register(reg({ expires: 50_000, contacts: [{ uri: C1, expires: 120 }, { uri: C2 }] }))
  assert.ok(d.status === 200)
  const byContact = Object.fromEntries(d.bindings.map((b) => [b.contact, b.expiresIn]))
  assert.deepEqual(byContact, { [C1]: 120, [C2]: 1000 })
  const dflt = setup({ defaultExpires: 300 }).registrar.register(reg({}))
  assert.ok(dflt.status === 200 && dflt.bindings[0]?.expiresIn === 300)
  assert.equal(registrar.nextExpiry(), 120_000)
  clock.advance(119_999)
  assert.equal(registrar.lookup(AOR).length, 2)
  clock.advance(1)
  assert.deepEqual(registrar.lookup(AOR).map((b) => b.contact), [C2])
  clock.advance(1_000_000)
  assert.deepEqual(registrar.lookup(AOR), [])
  assert.deepEqual(registrar.addressesOfRecord(), [])
})

test('expire() removes and returns lapsed bindings', () => {
  const { clock, registrar } = setup()
  registrar.register(reg({ expires: 60 }))
  registrar.register(reg({ aor: 'sip:bob@example.test', contacts: [{ uri: 'sip:bob@192.0.2.9' }], expires: 3600 }))
  clock.advance(60_000)
  assert.deepEqual(registrar.expire().map((b) => b.aor), [AOR])
  assert.equal(registrar.nextExpiry(), 3_600_000)
})

test('423 Interval Too Brief with Min-Expires; zero and ≥ 1 hour are never too brief', () => {
  const { registrar } = setup({ minExpires: 7200, maxExpires: 86400 })
  const d = registrar.register(reg({ expires: 30 }))
  assert.equal(d.status, 423)
  assert.deepEqual(d.headers, { 'Min-Expires': '7200' })
  assert.equal(registrar.lookup(AOR).length, 0)
  assert.equal(registrar.register(reg({ expires: 3600 })).status, 200, 'RFC 3261 §10.3: only intervals under one hour get 423')
  const per = registrar.register(reg({ cseq: 2, contacts: [{ uri: C2, expires: 10 }] }))
  assert.equal(per.status, 423, 'a contact expires parameter is checked too')
  assert.equal(registrar.register(reg({ cseq: 3, expires: 0 })).status, 200)
})

test('Contact: * with Expires: 0 removes all bindings; * without Expires 0 is 400', () => {
  const { registrar } = setup()
  registrar.register(reg({ contacts: [{ uri: C1 }, { uri: C2 }] }))
  assert.equal(registrar.register(reg({ cseq: 2, contacts: '*' })).status, 400)
  assert.equal(registrar.register(reg({ cseq: 2, contacts: '*', expires: 60 })).status, 400)
  assert.equal(registrar.register(reg({ cseq: 2, contacts: ['*', { uri: C1 }], expires: 0 })).status, 400, '* must be alone')
  assert.equal(registrar.lookup(AOR).length, 2, 'refusals change nothing')
  const d = registrar.register(reg({ cseq: 2, contacts: ['*'], expires: 0 }))
  assert.ok(d.status === 200 && d.bindings.length === 0 && d.headers['Contact'] === undefined)
  assert.deepEqual(registrar.lookup(AOR), [])
})

test('Call-ID/CSeq ordering: same Call-ID needs a higher CSeq (else 500, nothing changed); another Call-ID replaces', () => {
  const { registrar } = setup()
  registrar.register(reg({ cseq: 5, expires: 600 }))
  const stale = registrar.register(reg({ cseq: 5, expires: 0 }))
  assert.equal(stale.status, 500)
  assert.equal(stale.headers['Retry-After'], '1')
  assert.equal(registrar.lookup(AOR).length, 1)
  assert.equal(registrar.register(reg({ cseq: 4, contacts: '*', expires: 0 })).status, 500, 'also for *')
  assert.equal(registrar.register(reg({ cseq: 6, expires: 300 })).status, 200)
  assert.equal(registrar.lookup(AOR)[0]?.cseq, 6)
  const other = registrar.register(reg({ callId: 'call-2', cseq: 1, expires: 900 }))
  assert.ok(other.status === 200 && other.bindings[0]?.callId === 'call-2' && other.bindings[0].expiresIn === 900)
})

test('updates are atomic: one out-of-order contact aborts the whole request', () => {
  const { registrar } = setup()
  registrar.register(reg({ cseq: 5, contacts: [{ uri: C1 }] }))
  const d = registrar.register(reg({ cseq: 3, contacts: [{ uri: C2 }, { uri: C1 }] }))
  assert.equal(d.status, 500)
  assert.deepEqual(registrar.lookup(AOR).map((b) => b.contact), [C1], 'C2 was not added')
})

test('bindings are compared by URI equality; q orders lookups; instance-id replaces the old contact', () => {
  const { clock, registrar } = setup()
  registrar.register(reg({ contacts: [{ uri: C1, q: 0.5 }, { uri: C2, q: 0.9 }] }))
  registrar.register(reg({ cseq: 2, contacts: [{ uri: 'sip:alice@192.0.2.1:5060;ob' }] }))
  assert.deepEqual(registrar.lookup(AOR).map((b) => [b.contact, b.q]), [['sip:alice@192.0.2.1:5060;ob', undefined], [C2, 0.9]], 'same URI (;ob is not significant) updated; no q means 1.0, so it sorts first')
  clock.advance(1)
  const inst = '<urn:uuid:00000000-0000-1000-8000-000A95A0E128>'
  registrar.register(reg({ aor: 'sip:bob@example.test', contacts: [{ uri: 'sip:bob@192.0.2.5', instanceId: inst, regId: 1 }] }))
  const moved = registrar.register(reg({ aor: 'sip:bob@example.test', callId: 'new', contacts: [{ uri: 'sip:bob@198.51.100.7', instanceId: inst, regId: 1 }] }))
  assert.ok(moved.status === 200)
  assert.deepEqual(moved.bindings.map((b) => b.contact), ['sip:bob@198.51.100.7'])
  assert.match(String(moved.headers['Contact']), /\+sip\.instance="<urn:uuid:.*>";reg-id=1$/)
})

test('removeFlow drops the bindings of a closed connection; domain policy gives 404', () => {
  const { registrar } = setup({ domains: ['Example.test'] })
  registrar.register(reg({ flow: 'tcp-1', contacts: [{ uri: C1 }] }))
  registrar.register(reg({ cseq: 2, flow: 'tcp-2', contacts: [{ uri: C2 }] }))
  assert.deepEqual(registrar.removeFlow('tcp-1').map((b) => b.contact), [C1])
  assert.deepEqual(registrar.lookup(AOR).map((b) => b.contact), [C2])
  assert.equal(registrar.register(reg({ aor: 'sip:alice@elsewhere.test' })).status, 404)
  assert.equal(registrar.register(reg({ aor: 'garbage' })).status, 404)
  assert.equal(registrar.register(reg({ cseq: 9, contacts: [{ uri: 'nope' }] })).status, 400)
  assert.equal(registrar.register(reg({ cseq: 10, contacts: [{ uri: C1, q: 1.5 }] })).status, 400)
})

test('the authorize hook can challenge or forbid before any binding changes', () => {
  const { registrar } = setup({
    authorize: (r) => {
      if (r.callId === 'no-credentials') return { status: 401, reason: 'Unauthorized', headers: { 'WWW-Authenticate': 'Digest realm="example.test", nonce="n1"' } }
      if (r.aor !== AOR) return { status: 403, reason: 'Forbidden', detail: 'alice may only register herself' }
      return undefined
    },
  })
  const challenge = registrar.register(reg({ callId: 'no-credentials' }))
  assert.deepEqual([challenge.status, challenge.headers['WWW-Authenticate']], [401, 'Digest realm="example.test", nonce="n1"'])
  const forbidden = registrar.register(reg({ aor: 'sip:bob@example.test' }))
  assert.ok(forbidden.status === 403 && forbidden.detail === 'alice may only register herself')
  assert.deepEqual(registrar.lookup('sip:bob@example.test'), [])
  assert.equal(registrar.register(reg({})).status, 200)
})

test('caps (issue 16 item 5): contacts per AOR 403, bindings in total 503, long contacts 400; the count follows expiry and removal', () => {
  const { clock, registrar } = setup({ maxContactsPerAor: 2, maxBindings: 3, maxContactLength: 64 })
  const contacts = (n: number, host = '192.0.2') => Array.from({ length: n }, (_, i) => ({ uri: `sip:alice@${host}.${i + 1}:5060` }))
  assert.equal(registrar.register(reg({ contacts: contacts(2) })).status, 200)
  const third = registrar.register(reg({ cseq: 2, contacts: [{ uri: 'sip:alice@192.0.2.9:5060' }] }))
  assert.equal(third.status, 403)
  assert.equal(registrar.lookup(AOR).length, 2, 'nothing committed')
  assert.equal(registrar.register(reg({ cseq: 3, contacts: contacts(2) })).status, 200, 'refreshing existing contacts is not adding')
  assert.equal(registrar.register(reg({ aor: 'sip:bob@example.test', callId: 'b', expires: 60, contacts: [{ uri: 'sip:bob@192.0.2.7' }] })).status, 200)
  const full = registrar.register(reg({ aor: 'sip:carol@example.test', callId: 'c', contacts: [{ uri: 'sip:carol@192.0.2.8' }] }))
  assert.equal(full.status, 503)
  assert.equal(full.headers['Retry-After'], '60')
  assert.equal(registrar.size, 3)
  clock.advance(61_000)
  assert.equal(registrar.lookup('sip:bob@example.test').length, 0)
  assert.equal(registrar.size, 2, 'the expired binding no longer counts')
  assert.equal(registrar.register(reg({ aor: 'sip:carol@example.test', callId: 'c', contacts: [{ uri: 'sip:carol@192.0.2.8' }] })).status, 200)
  assert.equal(registrar.register(reg({ aor: 'sip:dave@example.test', callId: 'd', contacts: [{ uri: `sip:${'d'.repeat(60)}@192.0.2.1` }] })).status, 400)
  assert.equal(registrar.register(reg({ cseq: 4, contacts: '*', expires: 0 })).status, 200)
  assert.equal(registrar.size, 1)
})
