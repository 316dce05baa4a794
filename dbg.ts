import { SipChatBackend } from './src/chat/sip-chat-backend.ts'
import { startChatServer } from './src/mixer/server/index.ts'
import type { ChatServer } from './src/mixer/server/index.ts'
import { DOMAIN, LOBBY, client, quiet, startServer, until } from './test/chat/helpers.ts'
const t0 = Date.now()
const slog = { debug: (m: string) => m.includes('->') ? undefined : console.log(Date.now() - t0, 'S', m), info: (m: string) => console.log(Date.now() - t0, 'S', m), warn: (m: string) => console.log(Date.now() - t0, 'S', 'W', m) }
async function crashAndRestart(server: ChatServer, clients: SipChatBackend[]): Promise<ChatServer> {
  const network = server.network!
  for (const c of clients) network.sip.partition(DOMAIN, c.userAgent!.localAddress.address)
  for (const c of clients) c.dropConnections()
  await new Promise((resolve) => setImmediate(resolve))
  console.log(Date.now() - t0, 'closing')
  await server.close()
  console.log(Date.now() - t0, 'closed')
  network.sip.heal()
  return startChatServer({ domain: DOMAIN, rooms: ['lobby'], transport: { kind: 'memory', network } })
}
let server = await startServer({ rooms: ['lobby'], logger: slog })
const alice = await client(server, 'alice')
const bob = await client(server, 'bob')
const ra = await alice.backend.join(LOBBY, { nickname: 'alice' })
const rb = await bob.backend.join(LOBBY, { nickname: 'bob' })
await quiet(server, [alice.backend, bob.backend])
alice.backend.dropConnections()
await ra.send('x').catch(() => {})
server = await crashAndRestart(server, [alice.backend, bob.backend])
console.log(Date.now() - t0, 'restarted')
const both = [alice.backend, bob.backend]
await until(server, both, () => alice.backend.state === 'online' && bob.backend.state === 'online' && ra.participants.length === 2 && rb.participants.length === 2, 'both back in the room')
console.log(Date.now() - t0, 'done')
process.exit(0)
