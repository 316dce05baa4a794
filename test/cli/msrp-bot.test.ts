import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { after, describe, test } from 'node:test'
import { parseCommandLine } from '../../src/cli/args.ts'
import { chatCommand } from '../../src/cli/commands/chat.ts'
import type { Command } from '../../src/cli/commands/command.ts'
import { devCommand } from '../../src/cli/commands/dev.ts'
import { runCommand } from '../../src/cli/commands/run.ts'
import { serverCommand } from '../../src/cli/commands/server.ts'
import { memoryIo } from '../../src/cli/io.ts'
import { COMMANDS, main } from '../../src/cli/msrp-bot.ts'
import { backendConfigFor } from '../../src/cli/network-backend.ts'
import { REPO_ROOT, tempDir } from './helpers.ts'

const tmp = tempDir()
after(tmp.cleanup)
const botFile = tmp.write('bot.ts', 'export default {}\n')
tmp.write('other.ts', 'export default {}\n')
tmp.write('notes.txt', 'not a bot\n')
tmp.write('users.txt', 'alice:secret\necho:s3cret\n')

/** Runs main() in the temp folder; returns the exit code and what was printed. */
async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = memoryIo({ cwd: tmp.dir, env })
  const code = await main(argv, io, { signal: new AbortController().signal })
  return { code, out: io.stdout.text, err: io.stderr.text, env: io.env }
}

/** Parses a command line for one command (as main does) and returns the typed options. */
function parse<O>(command: Command<O>, argv: string[], env: NodeJS.ProcessEnv = {}, cwd = tmp.dir): O {
  return command.parse(parseCommandLine(command.spec, argv), memoryIo({ cwd, env }))
}

describe('msrp-bot: dispatch', () => {
  test('--help lists every command; no arguments prints it to stderr with exit 2', async () => {
    const help = await cli(['--help'])
    assert.equal(help.code, 0)
    for (const name of ['dev', 'run', 'server', 'chat']) assert.match(help.out, new RegExp(`^  ${name} `, 'm'))
    const bare = await cli([])
    assert.equal(bare.code, 2)
    assert.match(bare.err, /Usage: msrp-bot <command>/)
  })

  test('--version prints the package version', async () => {
    const { code, out } = await cli(['--version'])
    assert.equal(code, 0)
    assert.match(out, /^\d+\.\d+\.\d+/)
  })

  test('unknown command: exit 2, says what exists and the closest', async () => {
    const { code, err } = await cli(['serve'])
    assert.equal(code, 2)
    assert.match(err, /unknown command 'serve'\. Did you mean 'server'\? .*Commands: dev, run, server, chat/)
    const flagFirst = await cli(['--port', '5060'])
    assert.equal(flagFirst.code, 2)
    assert.match(flagFirst.err, /Flags come after the command/)
  })

  test('every command has --help (also as `help <command>`), exit 0, even with required flags missing', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const { code, out } = await cli([name, '--help'])
      assert.equal(code, 0, name)
      assert.match(out, new RegExp(`^Usage: msrp-bot ${name}`), name)
      assert.match(out, /--help/, name)
      assert.equal((await cli(['help', name])).out, out)
    }
  })

  test('unknown flag for every command: exit 2, names it and the command help', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const { code, err } = await cli([name, '--bogus'])
      assert.equal(code, 2, name)
      assert.match(err, new RegExp(`msrp-bot ${name}: unknown flag '--bogus'.*Valid flags: `), name)
      assert.match(err, new RegExp(`See 'msrp-bot ${name} --help'`), name)
    }
  })

  test('valid options reach the runtime: a server on a taken MSRP port stops with a typed error, exit 1', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    try {
      const taken = (blocker.address() as AddressInfo).port
      const { code, err } = await cli(['server', '--port', '0', '--msrp-port', String(taken), '--log-level', 'silent'])
      assert.equal(code, 1)
      assert.match(err, new RegExp(`MSRP port 127\\.0\\.0\\.1:${taken} is already in use.*\\[MSRP_LISTEN_FAILED\\]`))
    } finally {
      blocker.close()
    }
  })
})

describe('msrp-bot server', () => {
  test('defaults', () => {
    assert.deepEqual(parse(serverCommand, []), {
      host: '127.0.0.1',
      advertise: undefined,
      port: 5060,
      domain: 'localhost',
      rooms: ['lobby'],
      moderators: [],
      users: undefined,
      wsPort: undefined,
      msrpPort: 2855,
      logLevel: 'info',
    })
  })

  test('every flag', () => {
    const options = parse(serverCommand, [
      '--host', '192.0.2.10', '--advertise', 'chat.example.com', '-p', '5070', '--domain', 'chat.example.com', '--rooms', 'lobby,ops', '--rooms', 'dev',
      '--users', 'users.txt', '--ws-port', '8080', '--msrp-port', '0', '--log-level', 'debug',
      '--moderators', 'sip:alice@chat.example.com,sip:mod@chat.example.com',
    ])
    assert.deepEqual(options, {
      host: '192.0.2.10',
      advertise: 'chat.example.com',
      port: 5070,
      domain: 'chat.example.com',
      rooms: ['lobby', 'ops', 'dev'],
      moderators: ['sip:alice@chat.example.com', 'sip:mod@chat.example.com'],
      users: [{ username: 'alice', password: 'secret' }, { username: 'echo', password: 's3cret' }],
      wsPort: 8080,
      msrpPort: 0,
      logLevel: 'debug',
    })
  })

  test('bad values name the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--port', 'http'], /--port must be a port number/],
      [['--ws-port', '70000'], /--ws-port must be a port number/],
      [['--port', '5060', '--msrp-port', '5060'], /--port and --msrp-port are both 5060; give each listener its own port/],
      [['--domain', 'sip:example.com'], /--domain is a bare domain/],
      [['--rooms', 'a b'], /--rooms: room name 'a b' is not valid/],
      [['--users', 'missing.txt'], /--users: cannot read --users file/],
      [['--host', '0.0.0.0'], /--host 0.0.0.0 cannot be advertised to clients; add --advertise with the address clients reach/],
      [['--host', '::'], /--host :: cannot be advertised to clients; add --advertise/],
      [['--host', '0.0.0.0', '--advertise', '0.0.0.0'], /--advertise 0.0.0.0 is not an address clients can reach/],
      [['--advertise', 'not a host'], /--advertise must be an IP address or host name/],
      [['--moderators', 'alice@example.com'], /--moderators must be a sip: or sips: URI.*Did you mean 'sip:alice@example.com'/],
      [['--log-level', 'loud'], /--log-level must be one of trace, debug/],
      [['extra'], /unexpected argument 'extra' \(it takes no positional arguments\)/],
    ]
    for (const [argv, pattern] of cases) {
      const { code, err } = await cli(['server', ...argv])
      assert.equal(code, 2, argv.join(' '))
      assert.match(err, pattern, argv.join(' '))
    }
  })

  test('--host 0.0.0.0 / :: is accepted with --advertise (parsed only, never started)', () => {
    const v4 = parse(serverCommand, ['--host', '0.0.0.0', '--advertise', '203.0.113.7', '--users', 'alice:secret'])
    assert.equal(v4.host, '0.0.0.0')
    assert.equal(v4.advertise, '203.0.113.7')
    const v6 = parse(serverCommand, ['--host', '::', '--advertise', '[2001:db8::7]', '--users', 'alice:secret'])
    assert.equal(v6.host, '::')
    assert.equal(v6.advertise, '2001:db8::7')
    // An internal bind with a public name needs no wildcard.
    assert.equal(parse(serverCommand, ['--host', '10.0.0.5', '--advertise', 'chat.example.com', '--users', 'a:b']).advertise, 'chat.example.com')
  })

  test('warns when listening beyond localhost without --users', () => {
    // Parsing alone prints the warning; nothing is started (tests listen on loopback only).
    const io = memoryIo({ cwd: tmp.dir, env: {} })
    serverCommand.parse(parseCommandLine(serverCommand.spec, ['--host', '192.0.2.10']), io)
    assert.match(io.stderr.text, /warning: listening on 192.0.2.10 without --users/)
    const quiet = memoryIo({ cwd: tmp.dir, env: {} })
    serverCommand.parse(parseCommandLine(serverCommand.spec, ['--host', '192.0.2.10', '--users', 'users.txt']), quiet)
    assert.equal(quiet.stderr.text, '')
  })

  test('security flags (issue 16): --digest-algorithms, --trusted-proxy, --allow-guests', async () => {
    const options = parse(serverCommand, ['--users', 'users.txt', '--digest-algorithms', 'md5', '--trusted-proxy', '192.0.2.1,proxy.example.com', '--trusted-proxy', '[2001:db8::1]', '--allow-guests'])
    assert.deepEqual(options.digestAlgorithms, ['MD5'])
    assert.deepEqual(options.trustedProxies, ['192.0.2.1', 'proxy.example.com', '2001:db8::1'])
    assert.equal(options.allowGuests, true)
    assert.deepEqual(parse(serverCommand, ['--digest-algorithms', 'SHA-256, MD5']).digestAlgorithms, ['SHA-256', 'MD5'])
    for (const [argv, pattern] of [
      [['--digest-algorithms', 'SHA1'], /--digest-algorithms: 'SHA1' is not a digest algorithm; use SHA-256, SHA-512-256 or MD5/],
      [['--digest-algorithms', ','], /--digest-algorithms is empty/],
      [['--trusted-proxy', 'not a host'], /--trusted-proxy must be an IP address or host name/],
    ] as Array<[string[], RegExp]>) {
      const { code, err } = await cli(['server', ...argv])
      assert.equal(code, 2, argv.join(' '))
      assert.match(err, pattern, argv.join(' '))
    }
  })

  test('passwords out of argv: MSRP_BOT_USERS (list or file); inline --users warns that ps shows it', () => {
    assert.deepEqual(parse(serverCommand, [], { MSRP_BOT_USERS: 'alice:secret' }).users, [{ username: 'alice', password: 'secret' }])
    assert.deepEqual(parse(serverCommand, [], { MSRP_BOT_USERS: 'users.txt' }).users?.map((u) => u.username), ['alice', 'echo'])
    const inline = memoryIo({ cwd: tmp.dir, env: {} })
    serverCommand.parse(parseCommandLine(serverCommand.spec, ['--users', 'alice:secret']), inline)
    assert.match(inline.stderr.text, /warning: --users with inline passwords shows them to every local user in ps; give a file .* or set MSRP_BOT_USERS/)
    const fromEnv = memoryIo({ cwd: tmp.dir, env: { MSRP_BOT_USERS: 'alice:secret' } })
    serverCommand.parse(parseCommandLine(serverCommand.spec, []), fromEnv)
    assert.equal(fromEnv.stderr.text, '')
  })

  test('open mode with --moderators warns that anyone can claim a moderator; --help says state is memory only', async () => {
    const io = memoryIo({ cwd: tmp.dir, env: {} })
    serverCommand.parse(parseCommandLine(serverCommand.spec, ['--moderators', 'sip:mod@localhost']), io)
    assert.match(io.stderr.text, /warning: --moderators without --users: anyone can claim a moderator's address/)
    const quiet = memoryIo({ cwd: tmp.dir, env: {} })
    serverCommand.parse(parseCommandLine(serverCommand.spec, ['--moderators', 'sip:mod@localhost', '--users', 'users.txt']), quiet)
    assert.equal(quiet.stderr.text, '')
    const help = await cli(['server', '--help'])
    assert.match(help.out.replace(/\s+/g, ' '), /State is kept in memory only: rooms, history, nicknames, registrations and presence are lost/)
    assert.match(help.out, /--digest-algorithms/)
    assert.match(help.out, /MSRP_BOT_USERS/)
  })
})

describe('msrp-bot dev', () => {
  test('defaults to ./bot.ts, with the server flags', () => {
    const options = parse(devCommand, ['--port', '0', '--rooms', 'lobby,dev'])
    assert.deepEqual(options.botFiles, [botFile])
    assert.equal(options.server.port, 0)
    assert.deepEqual(options.server.rooms, ['lobby', 'dev'])
    assert.equal(options.chat, true)
    assert.equal(parse(devCommand, ['--no-chat']).chat, false)
  })

  test('--advertise, and the 0.0.0.0 rule, as for server', () => {
    assert.equal(parse(devCommand, []).server.advertise, undefined)
    const options = parse(devCommand, ['--host', '0.0.0.0', '--advertise', 'dev.example.test'])
    assert.equal(options.server.host, '0.0.0.0')
    assert.equal(options.server.advertise, 'dev.example.test')
    assert.throws(() => parse(devCommand, ['--host', '0.0.0.0']), /--host 0.0.0.0 cannot be advertised to clients; add --advertise/)
  })

  test('serves the browser chat page on --web-port (default 8080, movable), off with --no-web', () => {
    const plain = parse(devCommand, [])
    assert.equal(plain.server.wsPort, 8080)
    assert.ok(plain.defaultPorts?.includes('ws-port'), 'a taken default web port moves to a free one')
    const fixed = parse(devCommand, ['--web-port', '0'])
    assert.equal(fixed.server.wsPort, 0)
    assert.ok(!fixed.defaultPorts?.includes('ws-port'))
    assert.equal(parse(devCommand, ['--ws-port', '9000']).server.wsPort, 9000)
    assert.equal(parse(devCommand, ['--no-web']).server.wsPort, undefined)
    assert.throws(() => parse(devCommand, ['--no-web', '--web-port', '9000']), /--web-port and --no-web contradict/)
    assert.throws(() => parse(devCommand, ['--web-port', '9000', '--ws-port', '9001']), /share one port/)
    assert.throws(() => parse(devCommand, ['--web-port', '7000', '--msrp-port', '7000']), /--web-port and --msrp-port are both 7000/)
  })

  test('several bot files, resolved against the working directory', () => {
    assert.deepEqual(parse(devCommand, ['bot.ts', './other.ts']).botFiles, [botFile, `${tmp.dir}/other.ts`])
  })

  test('bad bot files', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['nope.ts'], /bot file not found: nope.ts/],
      [['notes.txt'], /a bot file is a .ts \/ .mts \/ .js \/ .mjs module/],
      [['bot.ts', 'bot.ts'], /is given twice/],
      [['.'], /is a directory/],
    ]
    for (const [argv, pattern] of cases) {
      const { code, err } = await cli(['dev', ...argv])
      assert.equal(code, 2, argv.join(' '))
      assert.match(err, pattern, argv.join(' '))
    }
    const empty = tempDir()
    try {
      assert.throws(() => parse(devCommand, [], {}, empty.dir), /no bot files given and there is no \.\/bot\.ts here/)
    } finally {
      empty.cleanup()
    }
  })
})

describe('.env handling', () => {
  test('a malformed .env stops the command with the file and line', async () => {
    const dir = tempDir()
    try {
      dir.write('bot.ts', 'export default {}\n')
      dir.write('.env', 'GOOD=1\nthis is not an assignment\n')
      const io = memoryIo({ cwd: dir.dir })
      assert.equal(await main(['dev'], io, { signal: new AbortController().signal }), 2)
      assert.match(io.stderr.text, /msrp-bot dev: .*\.env:2: expected KEY=VALUE, got 'this is not an assignment'/)
    } finally {
      dir.cleanup()
    }
  })

  test('--env-file loads another file; MSRP_BOT_LOG_LEVEL from it sets the log level', () => {
    tmp.write('prod.env', 'MSRP_BOT_LOG_LEVEL=error\n')
    const env: NodeJS.ProcessEnv = {}
    const io = memoryIo({ cwd: tmp.dir, env })
    const options = devCommand.parse(parseCommandLine(devCommand.spec, ['--env-file', 'prod.env']), io)
    assert.equal(options.server.logLevel, 'error')
    assert.equal(env['MSRP_BOT_LOG_LEVEL'], 'error')
  })
})

describe('msrp-bot run', () => {
  const base = ['bot.ts', '--uri', 'sip:echo@example.com', '--registrar', 'sip:example.com', '--room', 'sip:lobby@chat.example.com']

  test('typed options from flags; the password comes from SIP_PASSWORD', () => {
    assert.deepEqual(parse(runCommand, base, { SIP_PASSWORD: 'pw' }), {
      botFile,
      account: {
        uri: 'sip:echo@example.com',
        registrar: 'sip:example.com',
        outboundProxy: undefined,
        username: undefined,
        password: 'pw',
        transport: undefined,
      },
      rooms: ['sip:lobby@chat.example.com'],
      nickname: 'echo',
      logLevel: 'info',
    })
  })

  test('without --registrar the bot does not register: joins through the outbound proxy (a SylkServer room)', () => {
    const i = base.indexOf('--registrar')
    const options = parse(runCommand, [...base.slice(0, i), ...base.slice(i + 2), '--outbound-proxy', 'sip:127.0.0.1:5072;transport=tcp;lr'])
    assert.equal(options.account.registrar, undefined)
    assert.equal(options.account.outboundProxy, 'sip:127.0.0.1:5072;transport=tcp;lr')
    assert.equal(backendConfigFor(options.account).registrar, false, 'no registrar: registrar false for the backend')
    assert.equal(backendConfigFor(options.account, { uri: 'sip:x@example.com', transport: 'tcp', registrar: 'sip:reg.example.com' }).registrar, 'sip:reg.example.com', "the bot config's registrar is kept")
    assert.equal(backendConfigFor({ ...options.account, registrar: 'sip:example.com' }).registrar, 'sip:example.com')
  })

  test('every flag', () => {
    const options = parse(
      runCommand,
      [
        'bot.ts', '-u', 'sips:echo@example.com', '--registrar', 'sips:example.com', '--password-env', 'BOT_PW',
        '--username', 'echo-auth', '--outbound-proxy', 'sips:proxy.example.com;lr', '--transport', 'tls',
        '-r', 'sip:a@chat.example.com,sip:b@chat.example.com', '-n', 'Echo Bot', '--log-level', 'warn',
      ],
      { BOT_PW: 'secret' },
    )
    assert.equal(options.account.password, 'secret')
    assert.equal(options.account.username, 'echo-auth')
    assert.equal(options.account.outboundProxy, 'sips:proxy.example.com;lr')
    assert.equal(options.account.transport, 'tls')
    assert.deepEqual(options.rooms, ['sip:a@chat.example.com', 'sip:b@chat.example.com'])
    assert.equal(options.nickname, 'Echo Bot')
    assert.equal(options.logLevel, 'warn')
  })

  test('falls back to SIP_* variables, loaded from .env without overriding the environment', () => {
    const dir = tempDir()
    try {
      dir.write('bot.ts', 'export default {}\n')
      dir.write('.env', 'SIP_URI=sip:echo@example.com\nSIP_REGISTRAR=sip:example.com\nSIP_ROOMS=sip:lobby@chat.example.com\nSIP_PASSWORD=from-file\n')
      const io = memoryIo({ cwd: dir.dir, env: { SIP_PASSWORD: 'from-env' } })
      const options = runCommand.parse(parseCommandLine(runCommand.spec, ['bot.ts']), io)
      assert.equal(options.account.uri, 'sip:echo@example.com')
      assert.equal(options.account.registrar, 'sip:example.com')
      assert.deepEqual(options.rooms, ['sip:lobby@chat.example.com'])
      assert.equal(options.account.password, 'from-env')
      assert.equal(io.env['SIP_URI'], 'sip:echo@example.com')
    } finally {
      dir.cleanup()
    }
  })

  test('errors name the flag and the fix', async () => {
    const without = (flag: string) => {
      const i = base.indexOf(flag)
      return [...base.slice(0, i), ...base.slice(i + 2)]
    }
    const cases: Array<[string[], RegExp]> = [
      [[], /missing <bot file>/],
      [without('--uri'), /--uri is required: the SIP address to use, e.g. --uri sip:echo@example.com \(or set SIP_URI/],
      [without('--room'), /--room is required/],
      [[...base, '--uri', 'echo@example.com'], /--uri must be a sip: or sips: URI .*Did you mean 'sip:echo@example.com'/],
      [[...base, '--room', 'lobby'], /--room must be a sip: or sips: URI/],
      [[...base, '--password-env', 'NOT_SET'], /--password-env NOT_SET: that variable is not set; export NOT_SET=\.\.\. or put it in \.env/],
      [[...base, '--password-env', '$X'], /Drop the '\$'/],
      [[...base, '--transport', 'sctp'], /--transport must be one of udp, tcp, tls, ws/],
      [[...base, '--uri', 'sips:echo@example.com', '--transport', 'tcp'], /a sips: URI needs TLS/],
      [[...base, '--nickname', ' padded'], /--nickname ' padded' is not usable/],
      [[...base, '--env-file', 'missing.env'], /env file not found/],
      [['a.ts', 'b.ts'], /unexpected argument 'b.ts'/],
    ]
    for (const [argv, pattern] of cases) {
      const { code, err } = await cli(['run', ...argv])
      assert.equal(code, 2, argv.join(' '))
      assert.match(err, pattern, argv.join(' '))
    }
  })

  test('a bad SIP_URI in the environment is named as such', async () => {
    const { code, err } = await cli(['run', 'bot.ts', '--registrar', 'sip:example.com', '--room', 'sip:l@x.com'], { SIP_URI: 'nope' })
    assert.equal(code, 2)
    assert.match(err, /SIP_URI \(from the environment or \.env\) must be a sip: or sips: URI/)
  })
})

describe('msrp-bot chat', () => {
  test('typed options; registrar optional; nickname defaults to the user part', () => {
    assert.deepEqual(parse(chatCommand, ['sip:lobby@localhost', '--uri', 'sip:alice@localhost']), {
      room: 'sip:lobby@localhost',
      account: { uri: 'sip:alice@localhost', registrar: undefined, outboundProxy: undefined, username: undefined, password: undefined, transport: undefined },
      nickname: 'alice',
      logLevel: 'info',
    })
    assert.equal(parse(chatCommand, ['sip:lobby@localhost', '-u', 'sip:alice@localhost', '-n', 'Alice']).nickname, 'Alice')
  })

  test('errors', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /missing <room or person uri>/],
      [['lobby', '--uri', 'sip:alice@localhost'], /the room URI must be a sip: or sips: URI such as sip:lobby@chat.example.com/],
      [['sip:lobby@localhost'], /--uri is required/],
      [['sip:lobby@localhost', '--uri', 'sip:localhost'], /--uri needs a user part/],
    ]
    for (const [argv, pattern] of cases) {
      const { code, err } = await cli(['chat', ...argv])
      assert.equal(code, 2, argv.join(' '))
      assert.match(err, pattern, argv.join(' '))
    }
  })
})

describe('bin/msrp-bot.js', () => {
  test('runs the TypeScript entry through tsx and exits with its code', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [`${REPO_ROOT}bin/msrp-bot.js`, 'serve'], { cwd: tmp.dir }, (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }),
      )
    })
    assert.equal(result.code, 2)
    assert.match(result.stderr, /unknown command 'serve'\. Did you mean 'server'\?/)
  })
})
