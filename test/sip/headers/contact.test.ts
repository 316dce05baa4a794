import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { parseContactList, readContacts, contactExpires, contactQ, serializeContacts } from '../../../src/sip/headers/contact.ts'
import { SipHeaders } from '../../../src/sip/header-list.ts'

test('star alone', () => {
  assert.equal(parseContactList(' * '), '*')
  assert.equal(serializeContacts('*'), '*')
  assert.throws(() => readContacts(new SipHeaders([['Contact', '*'], ['Contact', '<sip:a@b>']])), { code: 'SIP_BAD_CONTACT' })
})
test('expires and q', () => {
  const list = parseContactList('<sip:a@b>;expires=3600;q=0.7, "B" <sip:b@c>;+sip.instance="<urn:uuid:1>"')
  assert.ok(list !== '*')
  assert.equal(contactExpires(list[0]!), 3600)
  assert.equal(contactQ(list[0]!), 0.7)
  assert.equal(list[1]!.params.get('+sip.instance'), '"<urn:uuid:1>"')
  assert.deepEqual(parseContactList(serializeContacts(list)), list)
})
for (const bad of ['<sip:a@b>;expires=4294967296', '<sip:a@b>;q=1.5', '<sip:a@b>;expires', '*, <sip:a@b>']) {
  test(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseContactList(bad), { code: 'SIP_BAD_CONTACT' }))
}
