import assert from 'node:assert/strict'
import { test } from 'node:test'
import { serverCliOptions } from '../../src/cli/server-settings.ts'
import type { ServerOptions } from '../../src/cli/runtime-options.ts'
import { chatServerOptionsFromCli } from '../../src/server/index.ts'

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined }

test('the parsed server flags become startChatServer options in one mapping (server and dev alike)', () => {
  const settings: ServerOptions = {
    host: '0.0.0.0',
    advertise: 'chat.example.test',
    port: 5070,
    domain: 'example.test',
    rooms: ['lobby', 'ops'],
    moderators: ['sip:mod@example.test'],
    users: [{ username: 'alice', password: 'pw' }],
    wsPort: 8080,
    msrpPort: 2856,
    logLevel: 'info',
    digestAlgorithms: ['SHA-256'],
    trustedProxies: ['10.0.0.1'],
    allowGuests: true,
    tls: { port: 5061, cert: Buffer.from('cert'), key: Buffer.from('key') },
    msrpDial: 'any',
    history: 50,
    historyBytes: 65_536,
    autoCreate: true,
    maxAutoRooms: 10,
    autoRoomHistory: 'keep',
  }
  const options = chatServerOptionsFromCli(serverCliOptions(settings, logger))
  assert.deepEqual(options, {
    domain: 'example.test',
    rooms: { lobby: { moderators: ['sip:mod@example.test'] }, ops: { moderators: ['sip:mod@example.test'] } },
    users: { alice: 'pw' },
    digestAlgorithms: ['SHA-256'],
    trustedProxies: ['10.0.0.1'],
    allowGuests: true,
    logger,
    transport: { kind: 'sockets', host: '0.0.0.0', advertise: 'chat.example.test', port: 5070, wsPort: 8080, msrpPort: 2856, tls: settings.tls },
    msrpDial: 'any',
    history: 50,
    historyBytes: 65_536,
    autoCreateRooms: { moderators: ['sip:mod@example.test'] },
    roomsOnDemand: { maxRooms: 10, history: 'keep' },
  })
  const rooms = options.rooms as Record<string, { moderators: string[] }>
  assert.notEqual(rooms['lobby']!.moderators, rooms['ops']!.moderators, 'each room gets its own moderator list')
})

test('flags left unset stay unset (the server applies its own defaults)', () => {
  const options = chatServerOptionsFromCli(serverCliOptions({ host: '127.0.0.1', advertise: undefined, port: 0, domain: 'localhost', rooms: [], moderators: [], users: undefined, wsPort: undefined, msrpPort: 0, logLevel: 'warn' }, logger))
  assert.deepEqual(options, { domain: 'localhost', rooms: {}, logger, transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 } })
})
