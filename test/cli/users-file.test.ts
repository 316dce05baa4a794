import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { parseUsers, readUsersOption } from '../../src/cli/users-file.ts'

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

describe('readUsersOption', () => {
  test('an inline list, as `msrp-bot server --users alice:secret,bob:pw` documents', () => {
    assert.deepEqual(readUsersOption('alice:secret,bob:pw', (p) => `/nonexistent/${p}`), {
      accounts: [
        { username: 'alice', password: 'secret' },
        { username: 'bob', password: 'pw' },
      ],
      source: 'inline',
    })
  })

  test('a path that exists is read as a file, a missing path that is no list is a missing-file error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msrp-bot-users-'))
    try {
      writeFileSync(join(dir, 'a:b'), 'carol:pw\n')
      assert.deepEqual(readUsersOption('a:b', (p) => join(dir, p)), { accounts: [{ username: 'carol', password: 'pw' }], source: 'file' })
      assert.throws(() => readUsersOption('users.txt', (p) => join(dir, p)), { code: 'CLI_USERS_FILE_MISSING' })
      assert.throws(() => readUsersOption('alice:secret,alice:again', (p) => join(dir, p)), { code: 'CLI_USERS_FILE_INVALID' })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
