// The terminal chat, run as a user runs it (issue 17, item 6): one name per participant, and
// the person's own lines in the order they were typed.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startMsrpBot } from './binary.ts'

test('msrp-bot chat: one name per bot, and a whisper printed before its answer', async () => {
  const dev = startMsrpBot(['dev', 'bots/echo.ts', 'bots/moderator.ts', '--no-chat', '--port', '0', '--msrp-port', '0'], { env: { MSRP_BOT_LOG_LEVEL: 'warn' } })
  try {
    await dev.waitFor(/join from another terminal with: npx msrp-bot chat .*--outbound-proxy '[^']+'/)
    const proxy = /--outbound-proxy '([^']+)'/.exec(dev.stdout())![1]!
    const chat = startMsrpBot(['chat', 'sip:lobby@localhost', '--uri', 'sip:carol@localhost', '--outbound-proxy', proxy], { env: { MSRP_BOT_LOG_LEVEL: 'warn' } })
    try {
      await chat.waitFor(/\* you are carol in sip:lobby@localhost/)
      chat.child.stdin!.write('/msg echo psst\n')
      await chat.waitFor(/\(private\) <echo> .*psst/)
      chat.child.stdin!.write('hello\n')
      await chat.waitFor(/<echo> you said: hello/)
    } finally {
      chat.child.stdin!.end()
    }
    const result = await chat.exited
    assert.equal(result.code, 0, result.stderr)
    const lines = result.stdout.split('\n')
    const whisper = lines.findIndex((l) => l === '(to echo) psst')
    const answer = lines.findIndex((l) => /^\(private\) <echo> /.test(l))
    assert.ok(whisper >= 0 && whisper < answer, `own whisper first:\n${result.stdout}`)
    assert.doesNotMatch(result.stdout, /<Moderator>|<Echo>/, `display names are not used as names:\n${result.stdout}`)
    assert.match(result.stdout, /<moderator> /, result.stdout)
  } finally {
    dev.child.kill('SIGINT')
    await dev.exited
  }
})
