// Shared setup for chat-layer tests: an in-process chat server and SipChatBackends on its
// memory network, with an event log per backend and a quiescence wait (no sleeps).
import { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import type { SipChatBackendOptions } from '../../src/chat/sip-chat-backend.ts'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { startChatServer } from '../../src/server/index.ts'
import type { ChatServer, ChatServerOptions } from '../../src/server/index.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import { testingHooksOf } from '../../src/chat/testing-hooks.ts'

export const DOMAIN = 'example.test'
export const LOBBY = `sip:lobby@${DOMAIN}`

export interface Client {
  backend: SipChatBackend
  events: BackendEvent[]
  /** Messages as `nick: text` (private ones prefixed with "(private) "). */
  texts(): string[]
}

export async function startServer(options: Partial<ChatServerOptions> = {}): Promise<ChatServer> {
  return startChatServer({ domain: DOMAIN, rooms: { lobby: { moderators: [`sip:mod@${DOMAIN}`] } }, ...options })
}

export async function client(server: ChatServer, name: string, options: SipChatBackendOptions = {}): Promise<Client> {
  const backend = createNodeChatBackend(
    { uri: `sip:${name}@${DOMAIN}`, transport: 'tcp' },
    { memory: server.network!, reconnect: { initialMs: 5, maxMs: 100 }, mediaGraceMs: 100, ...options },
  )
  const events: BackendEvent[] = []
  backend.subscribe((event) => void events.push(event))
  await backend.start()
  return {
    backend,
    events,
    texts: () =>
      events.flatMap((e) =>
        e.type === 'message' ? [`${e.private ? '(private) ' : ''}${e.sender.nickname ?? e.sender.uri}: ${String(e.body)}`] : [],
      ),
  }
}

/** Resolves once every backend is idle and the network has been quiet for a few turns. */
export async function quiet(server: ChatServer, backends: SipChatBackend[]): Promise<void> {
  const network = server.network!.sip
  for (;;) {
    await Promise.all(backends.map((b) => testingHooksOf(b).idle()))
    const before = `${backends.reduce((n, b) => n + testingHooksOf(b).activity, 0)}/${network.delivered}`
    let still = true
    for (let i = 0; i < 3 && still; i++) {
      await new Promise((resolve) => setImmediate(resolve))
      still = backends.every((b) => testingHooksOf(b).busy === 0) && `${backends.reduce((n, b) => n + testingHooksOf(b).activity, 0)}/${network.delivered}` === before
    }
    if (still) return
  }
}

/** Waits (by quiescence) until `predicate` holds, failing with `what` if the system goes quiet without it. */
export async function until(server: ChatServer, backends: SipChatBackend[], predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (predicate()) return
    await quiet(server, backends)
    if (predicate()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`timed out waiting for: ${what}`)
}
