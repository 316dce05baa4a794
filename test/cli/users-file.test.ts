import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseUsers } from '../../src/cli/users-file.ts'

test('users file: username:password lines, comments, passwords with colons and spaces', () => {
  assert.deepEqual(parseUsers('# users\nalice:secret\n\n bob : pass:word with spaces \n'), [
    { username: 'alice', password: 'secret' },
    { username: 'bob', password: 'pass:word with spaces' },
  ])
})

test('users file: errors name the line and the problem', () => {
  assert.throws(() => parseUsers('alice:x\nbob', 'users.txt'), { code: 'CLI_USERS_FILE_INVALID', message: /^users.txt:2: expected username:password/ })
  assert.throws(() => parseUsers('alice:'), /user 'alice' has an empty password/)
  assert.throws(() => parseUsers('al ice:x'), /'al ice' is not a valid user name/)
  assert.throws(() => parseUsers('alice:x\nALICE:y'), /listed twice/)
  assert.throws(() => parseUsers('# nothing\n'), /no users in it/)
})
