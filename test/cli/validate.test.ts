import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CliUsageError } from '../../src/cli/errors.ts'
import {
  parseChoice,
  parseDomain,
  parseEnvName,
  parseHost,
  parsePort,
  parseRoomName,
  parseSipAddress,
  splitList,
} from '../../src/cli/validate.ts'

const C = 'msrp-bot x'

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CliUsageError && pattern.test(e.message))
}

describe('flag value checks', () => {
  test('ports', () => {
    assert.equal(parsePort(C, '--port', '5060'), 5060)
    assert.equal(parsePort(C, '--port', '0', { allowZero: true }), 0)
    rejects(() => parsePort(C, '--port', '0'), /--port must be a port number from 1 to 65535, got '0'/)
    rejects(() => parsePort(C, '--port', '65536', { allowZero: true }), /from 0 to 65535 \(0 picks a free one\), got '65536'/)
    rejects(() => parsePort(C, '--port', '50x'), /got '50x'/)
    rejects(() => parsePort(C, '--port', '-1', { allowZero: true }), /got '-1'/)
  })

  test('hosts and domains', () => {
    assert.equal(parseHost(C, '--host', '127.0.0.1'), '127.0.0.1')
    assert.equal(parseHost(C, '--host', '[::1]'), '::1')
    assert.equal(parseHost(C, '--host', 'chat.example.com'), 'chat.example.com')
    rejects(() => parseHost(C, '--host', 'bad host'), /--host must be an IP address or host name/)
    assert.equal(parseDomain(C, '--domain', 'Example.COM'), 'example.com')
    rejects(() => parseDomain(C, '--domain', 'sip:example.com'), /bare domain such as example.com, not a URI/)
    rejects(() => parseDomain(C, '--domain', 'example.com:5060'), /takes no port/)
  })

  test('SIP addresses', () => {
    const ex = { user: 'required' as const, example: 'sip:echo@example.com' }
    assert.equal(parseSipAddress(C, '--uri', ' sip:echo@example.com ', ex), 'sip:echo@example.com')
    assert.equal(parseSipAddress(C, '--uri', 'sips:echo@example.com;transport=tls', ex), 'sips:echo@example.com;transport=tls')
    rejects(() => parseSipAddress(C, '--uri', 'echo@example.com', ex), /must be a sip: or sips: URI .* Did you mean 'sip:echo@example.com'\?/)
    rejects(() => parseSipAddress(C, '--uri', 'sip:example.com', ex), /--uri needs a user part/)
    rejects(() => parseSipAddress(C, '--uri', 'sip:echo@', ex), /--uri/)
    assert.equal(parseSipAddress(C, '--registrar', 'sip:example.com', { user: 'optional', example: 'sip:example.com' }), 'sip:example.com')
    rejects(
      () => parseSipAddress(C, 'SIP_URI (from the environment or .env)', 'http://x', ex),
      /^msrp-bot x: SIP_URI \(from the environment or .env\) must be a sip: or sips: URI/,
    )
  })

  test('lists, room names, env names, choices', () => {
    assert.deepEqual(splitList(['lobby, dev', 'ops,lobby', ' ']), ['lobby', 'dev', 'ops'])
    assert.equal(parseRoomName(C, '--rooms', 'lobby-2'), 'lobby-2')
    rejects(() => parseRoomName(C, '--rooms', 'my room'), /room name 'my room' is not valid/)
    assert.equal(parseEnvName(C, '--password-env', 'BOT_PASS'), 'BOT_PASS')
    rejects(() => parseEnvName(C, '--password-env', '$BOT_PASS'), /Drop the '\$': --password-env BOT_PASS/)
    rejects(() => parseEnvName(C, '--password-env', 'hunter2!'), /takes the NAME of an environment variable/)
    assert.equal(parseChoice(C, '--transport', 'TLS', ['udp', 'tcp', 'tls', 'ws'] as const), 'tls')
    rejects(() => parseChoice(C, '--transport', 'sctp', ['udp', 'tcp'] as const), /--transport must be one of udp, tcp; got 'sctp'/)
  })
})
