/** `msrp-bot server --tls-port --tls-cert --tls-key --msrp-dial` (docs/security.md). */
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { parseCommandLine } from '../../src/cli/args.ts'
import { serverCommand } from '../../src/cli/commands/server.ts'
import { memoryIo } from '../../src/cli/io.ts'
import type { ServerOptions } from '../../src/cli/runtime.ts'
import { tempDir } from './helpers.ts'

const tmp = tempDir()
after(tmp.cleanup)
tmp.write('cert.pem', '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n')
tmp.write('key.pem', '-----BEGIN PRIVATE KEY-----\nfake\n-----END PRIVATE KEY-----\n')

function parse(argv: string[]): ServerOptions {
  return serverCommand.parse(parseCommandLine(serverCommand.spec, argv), memoryIo({ cwd: tmp.dir, env: {} }))
}

describe('msrp-bot server: TLS and dial flags', () => {
  test('--tls-port with --tls-cert and --tls-key reads the PEM files', () => {
    const options = parse(['--tls-port', '5061', '--tls-cert', 'cert.pem', '--tls-key', 'key.pem'])
    assert.equal(options.tls?.port, 5061)
    assert.match(options.tls!.cert.toString(), /BEGIN CERTIFICATE/)
    assert.match(options.tls!.key.toString(), /BEGIN PRIVATE KEY/)
    assert.equal(options.msrpDial, undefined, 'the dial policy keeps its default (source) unless given')
  })

  test('--msrp-dial any|source', () => {
    assert.equal(parse(['--msrp-dial', 'any']).msrpDial, 'any')
    assert.equal(parse(['--msrp-dial', 'source']).msrpDial, 'source')
  })

  test('incomplete or bad TLS and dial flags say what to do', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--tls-port', '5061'], /--tls-port needs --tls-cert and --tls-key/],
      [['--tls-cert', 'cert.pem', '--tls-key', 'key.pem'], /--tls-cert and --tls-key need --tls-port/],
      [['--tls-port', '5061', '--tls-cert', 'missing.pem', '--tls-key', 'key.pem'], /--tls-cert missing\.pem: cannot read it/],
      [['--tls-port', 'x', '--tls-cert', 'cert.pem', '--tls-key', 'key.pem'], /--tls-port must be a port number/],
      [['--msrp-dial', 'anywhere'], /--msrp-dial must be one of source, any/],
    ]
    for (const [argv, message] of cases) assert.throws(() => parse(argv), message)
  })

  test('--help lists the flags', () => {
    const names = Object.keys(serverCommand.spec.flags)
    for (const flag of ['tls-port', 'tls-cert', 'tls-key', 'msrp-dial']) assert.ok(names.includes(flag), flag)
  })
})
