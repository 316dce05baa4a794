/**
 * A bot's echo round trip: a participant says a line in a room, an echo bot (the
 * `message:text` handler of bots/echo.ts: `ctx.reply(\`you said: ${text}\`)`) answers in the room,
 * and the time from the participant's send to the echo's arrival at the participant is taken.
 *
 * Two set-ups, each measured with `ECHO_BENCH_MESSAGES` round trips one after the other (one
 * participant) and the same number spread over `ECHO_BENCH_PARALLEL` participants that each
 * send theirs one after the other, all at once:
 * - **in process**: `createTestChat` (msrp-bot/testing: the chat server and the bot in this
 *   process over in-memory SIP and MSRP transports), the participant a chat backend on the same
 *   in-memory network;
 * - **over TCP**: the chat server in a child process (chat-server-process.ts), compiled by tsc
 *   as the published package runs it and from the sources under tsx (`BENCH_RUNTIMES`, default
 *   both; compiled-build.ts says why they differ); the bot (`createBot` with the server as its
 *   outbound proxy, no registrar) and the participants in this process, each with its own SIP
 *   and MSRP TCP connections over loopback.
 *
 * The bot's own pacing of its sends (`rateLimit`, 5 messages/s by default) is switched off: the
 * figure is the round trip, not the pacing.
 *
 * Reports p50 and p99 of each, and round trips per second of the parallel runs. Run:
 * `npm run bench -- echo-roundtrip`.
 *
 * @module
 */
import { pathToFileURL } from 'node:url'
import type { BenchResult } from './bench-result.ts'
import { BenchChild } from './bench-child.ts'
import { benchRuntimes, type BenchRuntime } from './compiled-build.ts'
import { createBot, type Bot } from '../../src/bot/bot.ts'
import type { Context } from '../../src/bot/context.ts'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import type { SipChatBackend } from '../../src/chat/sip-chat-backend.ts'
import type { ChatNetwork } from '../../src/server/index.ts'
import { createTestChat } from '../../src/testing/index.ts'

const MESSAGES = Number(process.env.ECHO_BENCH_MESSAGES ?? 500)
const PARALLEL = Number(process.env.ECHO_BENCH_PARALLEL ?? 4)
const WARMUP = 50
/** A round trip that takes longer than this fails the run (a lost message or a stuck bot). */
const ROUND_TRIP_TIMEOUT_MS = 10_000
const DOMAIN = 'bench.test'
const QUIET = { debug() {}, info() {}, warn() {}, error() {} }

/** The echo bot's answer to a public line (as bots/echo.ts). */
function addEcho(bot: Bot<Context>): void {
  bot.on('message:text', (ctx) => {
    if (ctx.text.startsWith('/')) return
    return ctx.reply(`you said: ${ctx.text}`)
  })
}

/** A participant that sends lines and awaits their echo. */
class Speaker {
  readonly #backend: SipChatBackend
  readonly #waiting = new Map<string, () => void>()
  #room: Awaited<ReturnType<SipChatBackend['join']>> | undefined

  constructor(backend: SipChatBackend) {
    this.#backend = backend
    backend.subscribe((event: BackendEvent) => {
      if (event.type !== 'message' || typeof event.body !== 'string') return
      this.#waiting.get(event.body)?.()
    })
  }

  async join(room: string, nickname: string): Promise<void> {
    await this.#backend.start()
    this.#room = await this.#backend.join(room, { nickname })
  }

  /** Says `text` and resolves with the ms until its echo arrived. */
  async roundTrip(text: string): Promise<number> {
    const echo = `you said: ${text}`
    let timer: NodeJS.Timeout | undefined
    const arrived = new Promise<void>((resolve, reject) => {
      this.#waiting.set(echo, resolve)
      timer = setTimeout(() => reject(new Error(`no echo of "${text}" within ${ROUND_TRIP_TIMEOUT_MS} ms: the bot or the server lost it or is stuck`)), ROUND_TRIP_TIMEOUT_MS)
    })
    const start = performance.now()
    try {
      await Promise.all([this.#room!.send(text), arrived])
      return performance.now() - start
    } finally {
      clearTimeout(timer)
      this.#waiting.delete(echo)
    }
  }

  stop(): Promise<void> {
    return this.#backend.stop()
  }
}

/** Percentiles of `values` (ms). */
function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
  return { p50: at(50), p99: at(99) }
}

/** Sequential and parallel round trips of `speakers` (the first one alone, then all). */
async function roundTrips(speakers: Speaker[]): Promise<{ sequential: number[]; parallel: number[]; parallelPerSecond: number }> {
  for (let i = 0; i < WARMUP; i++) await speakers[0]!.roundTrip(`warm-up ${i}`)
  const sequential: number[] = []
  for (let i = 0; i < MESSAGES; i++) sequential.push(await speakers[0]!.roundTrip(`line ${i} of the sequential run`))
  const parallel: number[] = []
  const start = performance.now()
  await Promise.all(
    speakers.map(async (speaker, s) => {
      for (let i = s; i < MESSAGES; i += speakers.length) parallel.push(await speaker.roundTrip(`line ${i} of the parallel run`))
    }),
  )
  return { sequential, parallel, parallelPerSecond: MESSAGES / ((performance.now() - start) / 1000) }
}

async function inProcess(): Promise<Awaited<ReturnType<typeof roundTrips>>> {
  const chat = await createTestChat({ domain: DOMAIN, rooms: ['lobby'], history: 0 })
  const speakers: Speaker[] = []
  const bot = chat.createBot({ uri: `sip:echo@${DOMAIN}`, logLevel: 'warn', rateLimit: false })
  try {
    addEcho(bot)
    await bot.start()
    await bot.join(chat.roomUri('lobby'), { nickname: 'echo' })
    for (let i = 0; i < PARALLEL; i++) {
      const speaker = new Speaker(speakerBackend(`sip:user${i}@${DOMAIN}`, chat.network))
      speakers.push(speaker)
      await speaker.join(chat.roomUri('lobby'), `user${i}`)
    }
    return await roundTrips(speakers)
  } finally {
    for (const s of speakers) await s.stop()
    await bot.stop()
    await chat.close()
  }
}

function speakerBackend(uri: string, memory?: ChatNetwork, proxy?: string): SipChatBackend {
  return createNodeChatBackend(
    { uri, transport: 'tcp', registrar: false, ...(proxy === undefined ? {} : { outboundProxy: proxy }) },
    { reconnect: false, automaton: false, logger: QUIET, ...(memory === undefined ? {} : { memory }) },
  )
}

async function overTcp(runtime: BenchRuntime): Promise<Awaited<ReturnType<typeof roundTrips>>> {
  const server = await BenchChild.start('./chat-server-process.ts', runtime)
  const speakers: Speaker[] = []
  let bot: Bot<Context> | undefined
  try {
    const { sipPort, room } = await server.next<{ sipPort: number; room: string }>('ready', 30_000)
    const proxy = `sip:127.0.0.1:${sipPort};transport=tcp;lr`
    bot = createBot({ uri: `sip:echo@${DOMAIN}`, transport: 'tcp', registrar: false, outboundProxy: proxy, logLevel: 'warn', rateLimit: false })
    addEcho(bot)
    await bot.start()
    await bot.join(room, { nickname: 'echo' })
    for (let i = 0; i < PARALLEL; i++) {
      const speaker = new Speaker(speakerBackend(`sip:user${i}@${DOMAIN}`, undefined, proxy))
      speakers.push(speaker)
      await speaker.join(room, `user${i}`)
    }
    return await roundTrips(speakers)
  } finally {
    for (const s of speakers) await s.stop()
    await bot?.stop()
    await server.close()
  }
}

/** Runs the benchmark (see the module comment). */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = []
  const setUps: Array<[string, () => ReturnType<typeof roundTrips>]> = [['in process', inProcess]]
  for (const runtime of benchRuntimes()) setUps.push([`over TCP (server ${runtime === 'compiled' ? 'compiled' : 'under tsx'})`, () => overTcp(runtime)])
  for (const [name, measure] of setUps) {
    const { sequential, parallel, parallelPerSecond } = await measure()
    const seq = percentiles(sequential)
    const par = percentiles(parallel)
    results.push(
      { name: `echo round trip ${name}, sequential p50`, value: seq.p50, unit: 'ms', note: `${MESSAGES} round trips one after the other, one participant` },
      { name: `echo round trip ${name}, sequential p99`, value: seq.p99, unit: 'ms' },
      { name: `echo round trip ${name}, ${PARALLEL} in parallel p50`, value: par.p50, unit: 'ms', note: `${MESSAGES} round trips over ${PARALLEL} participants sending at once` },
      { name: `echo round trip ${name}, ${PARALLEL} in parallel p99`, value: par.p99, unit: 'ms' },
      { name: `echo round trips ${name}, ${PARALLEL} in parallel`, value: parallelPerSecond, unit: 'trips/s' },
    )
  }
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const r of await run()) console.log(`${r.name}: ${Number.isInteger(r.value) ? r.value : r.value.toFixed(2)} ${r.unit}${r.note ? ` (${r.note})` : ''}`)
}
