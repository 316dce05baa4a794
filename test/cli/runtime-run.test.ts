// `msrp-bot run`: the echo bot on a SIP network, here a chat server on loopback sockets acting
// as registrar and focus; a participant over TCP gets the echo; abort stops the bot cleanly.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { runBotCommand } from '../../src/cli/run-runtime.ts'
import { startChatServer } from '../../src/server/index.ts'
import { REPO_ROOT } from './helpers.ts'
import { lineIo, Participant } from './runtime-helpers.ts'

const ECHO = join(REPO_ROOT, 'bots/echo.ts')
const DOMAIN = 'example.test'
const SILENT = { debug() {}, info() {}, warn() {} }

describe('msrp-bot run (runBotCommand)', () => {
  it('registers the echo bot with the server, joins the room, echoes publicly and privately, unregisters on abort', { timeout: 30_000 }, async () => {
    const server = await startChatServer({ domain: DOMAIN, rooms: ['lobby'], users: { echo: 'echo-pw', alice: 'alice-pw' }, transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 }, logger: SILENT })
    const tcp = server.addresses.sip.find((a) => a.transport === 'tcp')!
    const io = lineIo()
    const abort = new AbortController()
    // No DNS for example.test: the server is the registrar and the outbound proxy (which routes
    // the room's INVITE to its own focus), as `msrp-bot dev` prints for `msrp-bot chat`.
    const registrar = `sip:127.0.0.1:${tcp.port};transport=tcp`
    const proxy = `sip:127.0.0.1:${tcp.port};transport=tcp;lr`
    const running = runBotCommand(
      {
        botFile: ECHO,
        account: { uri: `sip:echo@${DOMAIN}`, registrar, outboundProxy: proxy, username: undefined, password: 'echo-pw', transport: undefined },
        rooms: [`sip:lobby@${DOMAIN}`],
        nickname: 'echo',
        logLevel: 'silent',
      },
      { io, signal: abort.signal },
    )
    running.catch(() => undefined)
    const alice = new Participant(`sip:alice@${DOMAIN}`, proxy, { password: 'alice-pw' })
    try {
      await Promise.race([io.stdout.waitFor(/running; Ctrl-C stops the bot/), running])
      assert.match(io.stdout.text, new RegExp(`^msrp-bot: sip:echo@${DOMAIN} registered$`, 'm'))
      assert.match(io.stdout.text, new RegExp(`^msrp-bot: joined sip:lobby@${DOMAIN} as echo$`, 'm'))
      // The bot registered with its --uri (SIP_URI was handed to the module), authenticated.
      assert.equal(server.registrar.locate(`sip:echo@${DOMAIN}`).length, 1)
      // SIP_URI was restored after loading the module.
      assert.equal(process.env['SIP_URI'], undefined)

      await alice.backend.start()
      const room = await alice.backend.join(`sip:lobby@${DOMAIN}`, { nickname: 'alice' })
      assert.deepEqual(room.participants.map((p) => p.nickname).sort(), ['alice', 'echo'])
      await room.send('hello bot')
      const echoed = await alice.message(/^you said: hello bot$/)
      assert.equal(echoed.sender.uri, `sip:echo@${DOMAIN}`)
      await room.sendPrivate(`sip:echo@${DOMAIN}`, 'secret')
      const whisper = await alice.message(/only you can see this/)
      assert.equal(whisper.private, true)

      abort.abort()
      const left = alice.waitFor((e) => e.type === 'leave' && e.participant.nickname === 'echo')
      await running
      await left
      assert.match(io.stdout.text, /msrp-bot: stopping \(leaving rooms, unregistering\)\n$/)
      assert.equal(server.registrar.locate(`sip:echo@${DOMAIN}`).length, 0, 'the bot unregistered')
    } finally {
      abort.abort()
      await running.catch(() => undefined)
      await alice.backend.stop()
      await server.close()
    }
  })

  it('fails with REGISTRATION_FAILED and a hint when the password is wrong (nothing left running)', { timeout: 30_000 }, async () => {
    const server = await startChatServer({ domain: DOMAIN, rooms: ['lobby'], users: { echo: 'echo-pw' }, transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 }, logger: SILENT })
    const tcp = server.addresses.sip.find((a) => a.transport === 'tcp')!
    try {
      await assert.rejects(
        runBotCommand(
          {
            botFile: ECHO,
            account: { uri: `sip:echo@${DOMAIN}`, registrar: `sip:127.0.0.1:${tcp.port};transport=tcp`, outboundProxy: undefined, username: undefined, password: 'wrong', transport: undefined },
            rooms: [`sip:lobby@${DOMAIN}`],
            nickname: 'echo',
            logLevel: 'silent',
          },
          { io: lineIo(), signal: new AbortController().signal },
        ),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'REGISTRATION_FAILED')
          assert.match(error.message, /check uri, password/)
          return true
        },
      )
    } finally {
      await server.close()
    }
  })
})
