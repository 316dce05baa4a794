import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_ROOM_CONFIG, roomMediaPolicy } from '../../../src/server/core/index.ts'

test('room media policy follows the config (RFC 7701 §8 chatroom tokens, RFC 4975 max-size)', () => {
  assert.deepEqual(roomMediaPolicy(DEFAULT_ROOM_CONFIG), { chatroom: ['nickname', 'private-messages'], maxSize: 65536, acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'] })
  const strict = roomMediaPolicy({ ...DEFAULT_ROOM_CONFIG, allowPrivateMessages: false, maxMessageSize: 2048, acceptTypes: ['text/plain'] })
  assert.deepEqual(strict.chatroom, ['nickname'])
  assert.equal(strict.maxSize, 2048)
  assert.deepEqual(strict.acceptWrappedTypes, ['text/plain', 'application/im-iscomposing+xml', 'message/imdn+xml'])
})
