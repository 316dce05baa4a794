// The chat server of the restart stress test's TCP runs, in a child process so that the test
// can crash it for real (SIGKILL: the kernel resets the sockets, nobody says goodbye). The
// process starts as a warm standby (loading the code takes far longer than starting a server)
// and starts the server on the ports of a 'listen' message (0: any free one); it reports the
// ports once it listens, and closes gracefully (BYEs saying "shutting down", RFC 3326) on a
// 'close' message.
import { startChatServer } from '../../../src/mixer/server/index.ts'
import type { ChatServer } from '../../../src/mixer/server/index.ts'
import { STRESS_DOMAIN, STRESS_ROOMS, note } from './crew.ts'

let server: ChatServer | undefined

async function listen(sipPort: number, msrpPort: number): Promise<void> {
  server = await startChatServer({
    domain: STRESS_DOMAIN,
    rooms: [...STRESS_ROOMS],
    transport: { kind: 'sockets', host: '127.0.0.1', port: sipPort, msrpPort },
    // With STRESS_LOG the server's lines go there too.
    ...(process.env.STRESS_LOG === undefined ? {} : { logger: { debug: (m: string) => note(`server ${process.pid}: ${m}`), info: (m: string) => note(`server ${process.pid}: ${m}`), warn: (m: string) => note(`server ${process.pid}: WARN ${m}`) } }),
  })
  const tcp = server.addresses.sip.find((a) => a.transport === 'tcp')
  process.send?.({ type: 'listening', sipPort: tcp?.port, msrpPort: server.addresses.msrp.port })
}

async function close(): Promise<never> {
  note(`server ${process.pid}: closing`)
  await server?.close()
  note(`server ${process.pid}: closed`)
  process.exit(0)
}

process.on('message', (message: { type?: string; sipPort?: number; msrpPort?: number }) => {
  if (message.type === 'listen') void listen(message.sipPort ?? 0, message.msrpPort ?? 0)
  if (message.type === 'close') void close()
})
// The parent going away ends this process too.
process.on('disconnect', () => void close())
process.send?.({ type: 'ready' })
