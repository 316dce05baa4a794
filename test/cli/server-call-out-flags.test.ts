/** `msrp-bot server --call-out-proxy --call-out-user` and where the password comes from (docs/deploying.md). */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { parseCommandLine } from '../../src/cli/args.ts'
import { serverCommand } from '../../src/cli/commands/server.ts'
import { memoryIo } from '../../src/cli/io.ts'
import type { ServerOptions } from '../../src/cli/runtime.ts'
import { serverCliOptions } from '../../src/cli/server-settings.ts'
import { chatServerOptionsFromCli } from '../../src/server/index.ts'
import { tempDir } from './helpers.ts'

const tmp = tempDir()
after(tmp.cleanup)
tmp.write('password.txt', 's3cret\n')
tmp.write('empty.txt', '\n')

const PROXY = 'sip:proxy.example.test;transport=tcp'

function parse(argv: string[], env: Record<string, string> = {}): ServerOptions {
  return serverCommand.parse(parseCommandLine(serverCommand.spec, argv), memoryIo({ cwd: tmp.dir, env }))
}

describe('msrp-bot server: call-out proxy and credentials', () => {
  test('--call-out-proxy alone: calls go through it, no credentials', () => {
    const options = parse(['--call-out-proxy', PROXY])
    assert.equal(options.callOutProxy, PROXY)
    assert.equal(options.callOutCredentials, undefined)
  })

  test('--call-out-user takes its password from MSRP_BOT_CALL_OUT_PASSWORD, another variable, or a file', () => {
    assert.deepEqual(parse(['--call-out-proxy', PROXY, '--call-out-user', 'lobby'], { MSRP_BOT_CALL_OUT_PASSWORD: 'pw1' }).callOutCredentials, { username: 'lobby', password: 'pw1' })
    assert.deepEqual(parse(['--call-out-proxy', PROXY, '--call-out-user', 'lobby', '--call-out-password-env', 'ROOM_PW'], { ROOM_PW: 'pw2' }).callOutCredentials, { username: 'lobby', password: 'pw2' })
    assert.deepEqual(parse(['--call-out-proxy', PROXY, '--call-out-user', 'lobby', '--call-out-password-file', 'password.txt', '--call-out-realm', 'example.test']).callOutCredentials, { username: 'lobby', password: 's3cret', realm: 'example.test' })
  })

  test('the flags reach startChatServer through the one mapping', () => {
    const settings = parse(['--call-out-proxy', PROXY, '--call-out-user', 'lobby', '--call-out-password-file', 'password.txt'])
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined }
    const options = chatServerOptionsFromCli(serverCliOptions(settings, logger))
    assert.equal(options.callOutProxy, PROXY)
    assert.deepEqual(options.callOutCredentials, { username: 'lobby', password: 's3cret' })
  })

  test('incomplete or bad call-out flags say what to do, and never echo the password', () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--call-out-user', 'lobby'], { MSRP_BOT_CALL_OUT_PASSWORD: 'pw' }, /--call-out-user needs --call-out-proxy/],
      [['--call-out-password-file', 'password.txt'], {}, /--call-out-password-file needs --call-out-user/],
      [['--call-out-realm', 'example.test'], {}, /--call-out-realm needs --call-out-user/],
      [['--call-out-proxy', PROXY, '--call-out-user', 'lobby'], {}, /MSRP_BOT_CALL_OUT_PASSWORD is not set; export MSRP_BOT_CALL_OUT_PASSWORD=\.\.\./],
      [['--call-out-proxy', PROXY, '--call-out-user', 'lobby', '--call-out-password-env', 'ROOM_PW'], { ROOM_PW: '' }, /ROOM_PW is empty/],
      [['--call-out-proxy', PROXY, '--call-out-user', 'lobby', '--call-out-password-env', '$ROOM_PW'], {}, /Drop the '\$'/],
      [['--call-out-proxy', PROXY, '--call-out-user', 'lobby', '--call-out-password-file', 'missing.txt'], {}, /missing\.txt: cannot read it \(ENOENT\)/],
      [['--call-out-proxy', PROXY, '--call-out-user', 'lobby', '--call-out-password-file', 'empty.txt'], {}, /first line is empty/],
      [['--call-out-proxy', PROXY, '--call-out-user', 'lobby', '--call-out-password-file', 'password.txt', '--call-out-password-env', 'X'], { X: 'pw' }, /not both/],
      [['--call-out-proxy', 'proxy.example.test'], {}, /--call-out-proxy: .*write it as sip:host:port;transport=tcp/],
      [['--call-out-proxy', 'sip:proxy.example.test;transport=ws'], {}, /transport must be udp or tcp/],
      [['--call-out-proxy', PROXY, '--call-out-user', 'lo bby'], { MSRP_BOT_CALL_OUT_PASSWORD: 'pw' }, /without spaces or quotes/],
    ]
    for (const [argv, env, message] of cases) {
      assert.throws(() => parse(argv, env), (e: Error) => message.test(e.message) && !e.message.includes('s3cret'), argv.join(' '))
    }
  })

  test('--help lists the flags; no password flag exists', () => {
    const names = Object.keys(serverCommand.spec.flags)
    for (const flag of ['call-out-proxy', 'call-out-user', 'call-out-password-env', 'call-out-password-file', 'call-out-realm']) assert.ok(names.includes(flag), flag)
    assert.ok(!names.includes('call-out-password'))
  })
})
