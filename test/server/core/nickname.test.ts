import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { prepareNickname, reserveNickname, sameNickname, nicknameKey } from '../../../src/server/core/index.ts'
import { sameIdentity } from '../../../src/rooms/identity.ts'

test('enforcement keeps case, maps width and spaces, normalises NFKC (RFC 8266 §2.3)', () => {
  assert.deepEqual(prepareNickname('  Ａｌｉｃｅ\u3000\u00A0 Smith  '), { ok: true, value: 'Alice Smith', key: 'alice smith' })
  const ligature = prepareNickname('ﬁne')
  assert.ok(ligature.ok)
  assert.equal(ligature.value, 'fine')
})

test('case and width variants compare equal (RFC 8266 §2.4)', () => {
  assert.ok(sameNickname('Alice', 'alice'))
  assert.ok(sameNickname('Alice', 'Ａｌｉｃｅ'))
  assert.ok(sameNickname('ALICE', 'ａｌｉｃｅ'))
  assert.ok(sameNickname('a  b', 'A\u2003B'))
  assert.ok(!sameNickname('Alice', 'Alicia'))
  assert.ok(!sameNickname('', ''), 'an invalid nickname equals nothing')
})

test('controls and other disallowed code points are 424', () => {
  for (const bad of ['bell\u0007', 'tab\there', 'new\nline', 'zw\u200Bspace', 'rtl\u202Eoverride', 'priv\uE000ate', 'line\u2028sep']) {
    const r = prepareNickname(bad)
    assert.equal(r.ok, false, JSON.stringify(bad))
    if (!r.ok) {
      assert.equal(r.status, 424)
      assert.equal(r.problem, 'disallowed-character')
      assert.equal(r.reason, 'Malformed nickname')
    }
  }
})

test('empty after preparation is 424', () => {
  for (const empty of ['', ' ', '\u3000\u00A0 ', '\u2003']) {
    const r = prepareNickname(empty)
    assert.ok(!r.ok && r.status === 424 && r.problem === 'empty', JSON.stringify(empty))
  }
})

test('length limit counts code points after enforcement', () => {
  assert.ok(prepareNickname('x'.repeat(64)).ok)
  const r = prepareNickname('x'.repeat(65))
  assert.ok(!r.ok && r.status === 424 && r.problem === 'too-long')
  assert.ok(prepareNickname('😀'.repeat(10), { maxLength: 10 }).ok, 'astral characters count once')
  assert.ok(prepareNickname('   ab   ', { maxLength: 2 }).ok, 'trimmed spaces do not count')
})

test('reserveNickname: 425 for another participant, ok for oneself, 424 for malformed', () => {
  const room = {
    participants: [
      { id: 'p1', uri: 'sip:alice@example.test', nickname: 'Alice' },
      { id: 'p2', uri: 'sip:bob@example.test' },
    ],
  }
  const bob = { id: 'p2', uri: 'sip:bob@example.test' }
  for (const variant of ['Alice', 'alice', 'Ａｌｉｃｅ', ' ALICE ']) {
    const r = reserveNickname(room, bob, variant, sameIdentity)
    assert.ok(!r.ok && r.status === 425 && r.problem === 'in-use', variant)
  }
  const self = reserveNickname(room, { id: 'p1', uri: 'sip:alice@example.test' }, 'ALICE', sameIdentity)
  assert.ok(self.ok && self.value === 'ALICE')
  const bad = reserveNickname(room, bob, 'b\u0000b', sameIdentity)
  assert.ok(!bad.ok && bad.status === 424)
})

test('reserved nicknames are 425 for others and free for their owner', () => {
  const room = { participants: [], reservedNicknames: [{ nickname: 'Boss', uri: 'sip:owner@example.test' }] }
  const other = reserveNickname(room, { id: 'x', uri: 'sip:eve@example.test' }, 'boss', sameIdentity)
  assert.ok(!other.ok && other.status === 425 && other.problem === 'reserved')
  assert.ok(reserveNickname(room, { id: 'y', uri: 'sip:owner@example.test' }, 'BOSS', sameIdentity).ok)
})

test('property: enforcement is idempotent and the key is stable under it', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (s) => {
      const once = prepareNickname(s, { maxLength: 1000 })
      if (!once.ok) return
      const twice = prepareNickname(once.value, { maxLength: 1000 })
      assert.ok(twice.ok)
      assert.equal(twice.value, once.value)
      assert.equal(nicknameKey(twice.value), once.key)
    }),
    { numRuns: 200 },
  )
})

test('property: ASCII case and fullwidth variants of a valid nickname always collide', () => {
  const toFullwidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'abcXYZ09 _-!'.split('')), minLength: 1, maxLength: 16 }), (s) => {
      if (!prepareNickname(s).ok) return
      assert.ok(sameNickname(s, s.toUpperCase()))
      assert.ok(sameNickname(s, toFullwidth(s)))
    }),
    { numRuns: 200 },
  )
})
