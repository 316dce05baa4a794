// Where the restart stress test's chat server runs, and how it is restarted: in process on the
// memory networks, or over loopback TCP in a child process (so an abrupt restart is a real
// crash: the kernel resets the sockets and nobody says goodbye).
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { BackoffOptions } from '../../../src/chat/backoff.ts'
import { SipChatBackend } from '../../../src/chat/sip-chat-backend.ts'
import { createChatNetwork, startChatServer } from '../../../src/server/index.ts'
import type { ChatNetwork, ChatServer } from '../../../src/server/index.ts'
import { STRESS_DOMAIN, STRESS_ROOMS } from './crew.ts'
import type { Member } from './crew.ts'
import { testingHooksOf } from '../../../src/chat/testing-hooks.ts'
import { createNodeChatBackend } from '../../../src/chat/node-platform.ts'

/** How a restart happens: `close()` first (BYEs saying "shutting down"), or a crash. */
export type RestartMode = 'graceful' | 'abrupt'
export const RESTART_MODES: readonly RestartMode[] = ['graceful', 'abrupt']

/** A chat server the test can restart, and the backends that reach it. */
export interface Deployment {
  readonly name: string
  /** A backend for `member` pointed at this server. */
  backend(member: Member): SipChatBackend
  /** Stops the server as `mode` says and starts a new one at the same address; resolves once it listens. */
  restart(mode: RestartMode, clients: readonly SipChatBackend[]): Promise<void>
  /** Stops the server for good. */
  close(): Promise<void>
}

/** The test chat's pacing: 10 ms doubling to 200 ms. */
const RECONNECT: BackoffOptions = { initialMs: 10, maxMs: 200 }

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** The server in this process, on the memory networks (what `msrp-bot/testing` runs). */
export async function inProcess(): Promise<Deployment> {
  const network: ChatNetwork = createChatNetwork()
  const start = (): Promise<ChatServer> => startChatServer({ domain: STRESS_DOMAIN, rooms: [...STRESS_ROOMS], transport: { kind: 'memory', network } })
  let server = await start()
  return {
    name: 'in process',
    backend: (member) =>
      new SipChatBackend({ uri: member.uri, transport: 'tcp' }, { memory: network, reconnect: RECONNECT, mediaGraceMs: 200, logger: member.logger }),
    async restart(mode, clients) {
      const old = server
      if (mode === 'abrupt') {
        // As a crash: the clients are cut off and their connections dropped before the server
        // closes, so its BYEs and final NOTIFYs go nowhere.
        const started = clients.filter((c) => c.userAgent?.state === 'started')
        for (const client of started) network.sip.partition(STRESS_DOMAIN, client.userAgent!.localAddress.address)
        for (const client of started) testingHooksOf(client).dropConnections()
        await nextTurn()
        await old.close()
        network.sip.heal()
      } else {
        await old.close()
      }
      server = await start()
    },
    close: () => server.close(),
  }
}

/** A child process that has loaded the server code and waits for 'listen'. */
interface Standby {
  child: ChildProcess
  exited: Promise<void>
  ready: Promise<void>
}

const SERVER_SCRIPT = fileURLToPath(new URL('./server-process.ts', import.meta.url))

function spawnStandby(): Standby {
  const child = fork(SERVER_SCRIPT, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (message: { type?: string }): void => {
      if (message.type !== 'ready') return
      child.off('message', onMessage)
      resolve()
    }
    child.on('message', onMessage)
    void exited.then(() => reject(new Error(`the chat server process exited: ${stderr.trim() || 'no output'}`)))
  })
  ready.catch(() => undefined)
  return { child, exited, ready }
}

/** Starts the server in `standby` on the given ports (0: any); resolves with the bound ones. */
async function listenOn(standby: Standby, sipPort: number, msrpPort: number): Promise<{ sipPort: number; msrpPort: number }> {
  await standby.ready
  const listening = new Promise<{ sipPort: number; msrpPort: number }>((resolve, reject) => {
    standby.child.on('message', (message: { type?: string; sipPort?: number; msrpPort?: number }) => {
      if (message.type === 'listening' && message.sipPort !== undefined && message.msrpPort !== undefined) {
        resolve({ sipPort: message.sipPort, msrpPort: message.msrpPort })
      }
    })
    void standby.exited.then(() => reject(new Error('the chat server process exited before listening')))
  })
  standby.child.send({ type: 'listen', sipPort, msrpPort })
  return listening
}

/** Server processes kept loaded in advance: a round restarts twice in quick succession. */
const STANDBYS = 2

/**
 * The server in a child process on loopback TCP; the clients dial it as a production bot
 * would. The next server processes are loaded in advance, so a restart costs the stop and a
 * server start, not a process start.
 */
export async function overTcp(): Promise<Deployment> {
  let current = spawnStandby()
  const standbys = Array.from({ length: STANDBYS }, () => spawnStandby())
  const { sipPort, msrpPort } = await listenOn(current, 0, 0)
  const proxy = `sip:127.0.0.1:${sipPort};transport=tcp;lr`
  return {
    name: 'over TCP',
    backend: (member) =>
      createNodeChatBackend(
        { uri: member.uri, transport: 'tcp', outboundProxy: proxy },
        { reconnect: RECONNECT, mediaGraceMs: 200, logger: member.logger },
      ),
    async restart(mode) {
      if (mode === 'abrupt') current.child.kill('SIGKILL')
      else current.child.send({ type: 'close' })
      await current.exited
      current = standbys.shift()!
      standbys.push(spawnStandby())
      await listenOn(current, sipPort, msrpPort)
    },
    async close() {
      for (const process of [current, ...standbys]) {
        process.child.kill('SIGKILL')
        await process.exited
      }
    },
  }
}
