/**
 * sipp against `msrp-bot server --users … --digest-algorithms MD5` (issue 16): sipp answers only
 * the topmost challenge and only with MD5, so a server that prefers SHA-256 (the default,
 * RFC 8760) refuses it, and `--digest-algorithms MD5` is how an operator serves such clients.
 * The server is the real command (a child process); the passwords reach it via MSRP_BOT_USERS.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { peersAvailable, runSipp } from './harness/index.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const available = peersAvailable()
/**
 * sipp puts `sip:<remote ip>:<port>` in the digest uri unless told; the server checks that it is
 * the Request-URI (RFC 7616 §3.4.6), which register.xml sends as sip:example.test.
 */
const AUTH_URI = ['-auth_uri', 'example.test']
const skip = available.ok ? false : `needs sipp and the peers directory: ${available.why}`

/** `msrp-bot server` as a child process; resolves with its UDP port once it printed `ready`. */
async function startServer(args: string[]): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SIP_') && k !== 'MSRP_BOT_USERS'))
  const child = spawn(process.execPath, ['bin/msrp-bot.js', 'server', '--port', '0', '--msrp-port', '0', '--domain', 'example.test', ...args], {
    cwd: REPO,
    env: { ...env, MSRP_BOT_USERS: 'alice:secret,bob:builder' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk
      const m = /ready: sip udp:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`msrp-bot server exited (${code}) before it was ready:\n${output}`)))
  })
  return { child, port, output: () => output }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGINT')
  await exited
}

describe('interop: sipp registers with msrp-bot server (digest)', { skip }, () => {
  describe('--digest-algorithms MD5', () => {
    let server: Awaited<ReturnType<typeof startServer>> | undefined
    before(async () => { server = await startServer(['--digest-algorithms', 'MD5', '--log-level', 'warn']) })
    after(async () => { await stop(server?.child) })

    it('registers and unregisters with MD5 (401 answered, 200), the right password only', async () => {
      const ok = await runSipp({ scenario: 'register.xml', remote: `127.0.0.1:${server!.port}`, args: [...AUTH_URI, '-s', 'alice', '-au', 'alice', '-ap', 'secret', '-recv_timeout', '5000'] })
      assert.equal(ok.exitCode, 0, `${ok.command}\n${ok.errors}\n${ok.messages.slice(-3000)}`)
      assert.equal(ok.stats['SuccessfulCall(C)'], '1')
      assert.match(ok.messages, /WWW-Authenticate: Digest realm="example\.test", nonce="[^"]+", qop="auth", algorithm=MD5/)
      assert.doesNotMatch(ok.messages, /algorithm=SHA-256/)
      const wrong = await runSipp({ scenario: 'register.xml', remote: `127.0.0.1:${server!.port}`, args: [...AUTH_URI, '-s', 'bob', '-au', 'bob', '-ap', 'wrong', '-recv_timeout', '3000'] })
      assert.notEqual(wrong.exitCode, 0, 'a wrong password does not register')
      assert.match(server!.output(), /auth failure source=127\.0\.0\.1 port=\d+ user=bob method=REGISTER reason=bad-response/)
    })
  })

  describe('the default (SHA-256, MD5)', () => {
    let server: Awaited<ReturnType<typeof startServer>> | undefined
    before(async () => { server = await startServer(['--log-level', 'warn']) })
    after(async () => { await stop(server?.child) })

    it('sipp cannot answer the topmost SHA-256 challenge: the reason --digest-algorithms exists', async () => {
      const result = await runSipp({ scenario: 'register.xml', remote: `127.0.0.1:${server!.port}`, args: [...AUTH_URI, '-s', 'alice', '-au', 'alice', '-ap', 'secret', '-recv_timeout', '3000'] })
      assert.notEqual(result.exitCode, 0, result.messages.slice(-2000))
      assert.match(result.messages, /algorithm=SHA-256/)
    })
  })
})
