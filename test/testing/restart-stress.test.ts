// Restart stress: the chat server is restarted again and again, gracefully (BYEs saying
// "shutting down") and abruptly (a crash), in process and over TCP, at seeded random moments:
// while everyone is sending, and during a chosen client's REGISTER, INVITE, MSRP connect, MSRP
// bind, NICKNAME or SUBSCRIBE of the reconnect that follows. After each round every bot and
// person must be back in each of its rooms with its nickname (as everyone's roster shows it),
// every message sent meanwhile must have been delivered or failed with a typed SEND_* error,
// and a roll call must reach everyone. Waits are on events; a deadline only reports a client
// that is stuck. STRESS_LOG=<file> writes every client's (and the TCP server's) log lines there.
//
// STRESS_SEED=<n> replays a run (the seed is in the suite's name); STRESS_ROUNDS=<n> sets the
// in-process rounds (default 8; the TCP runs do a third of them, at least 2).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { MsrpBotError } from '../../src/errors.ts'
import { Crew, MOMENTS, note } from './stress/crew.ts'
import type { Member } from './stress/crew.ts'
import { RESTART_MODES, inProcess, overTcp } from './stress/deployments.ts'
import type { Deployment } from './stress/deployments.ts'
import { seededRandom } from './stress/random.ts'
import type { Random } from './stress/random.ts'

const SEED = Number(process.env.STRESS_SEED ?? 7701)
const ROUNDS = Number(process.env.STRESS_ROUNDS ?? 8)
/**
 * Only a stuck client reaches this. Recovery takes well under a second on an idle machine,
 * but a client may lawfully wait for a step's deadline (40 s, step-guard.ts), so the bound is
 * above it: what fails here is a wait that nothing ends.
 */
const STUCK_MS = 60_000

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await nextTurn()
}

/** `work`, or a TEST_STRESS_STUCK rejection naming `what` after {@link STUCK_MS}. */
async function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new MsrpBotError('TEST_STRESS_STUCK', `${what}: not reached within ${STUCK_MS} ms`)), STUCK_MS)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** A send that did not go through must say why with a typed contract code. */
function assertTypedFailure(error: unknown, context: string): string {
  assert.ok(error instanceof MsrpBotError, `${context}: failed with an untyped error: ${String(error)}`)
  assert.match(error.code, /^SEND_/, `${context}: failed with ${error.code}, not a SEND_* code: ${error.message}`)
  return error.code
}

/** Everyone says something in each room; every other member must hear it, from the right nickname. */
async function rollCall(crew: Crew, tag: string): Promise<void> {
  const sends: Array<Promise<unknown>> = []
  for (const member of crew.members) for (const room of member.nicknames.keys()) sends.push(member.send(room, `${tag} from ${member.name}`))
  await bounded(Promise.all(sends), `${tag}: sends confirmed`)
  const unheard = (): string[] => {
    const missing: string[] = []
    for (const speaker of crew.members) {
      for (const [room, nickname] of speaker.nicknames) {
        const text = `${tag} from ${speaker.name}`
        for (const listener of crew.membersOf(room)) {
          if (listener === speaker) continue
          const heard = listener.heard.find((h) => h.room === room && h.text === text)
          if (heard === undefined) missing.push(`${listener.name} did not hear ${speaker.name} in ${room}`)
          else if (heard.nickname !== nickname) missing.push(`${listener.name} heard ${speaker.name} in ${room} as "${heard.nickname ?? ''}", not "${nickname}"`)
        }
      }
    }
    return missing
  }
  await crew.until(`${tag}: everyone heard`, unheard, STUCK_MS)
}

interface RoundPlan {
  first: (typeof RESTART_MODES)[number]
  second: (typeof RESTART_MODES)[number]
  moment: (typeof MOMENTS)[number]
  target: Member
  turnsBeforeFirst: number
  turnsAfterMoment: number
}

/** Round `index`'s restarts: the first alternates graceful and abrupt (both are always covered), the rest is drawn. */
function plan(random: Random, crew: Crew, index: number): RoundPlan {
  return {
    first: RESTART_MODES[index % RESTART_MODES.length]!,
    second: random.pick(RESTART_MODES),
    moment: random.pick(MOMENTS),
    target: random.pick(crew.members),
    turnsBeforeFirst: random.int(0, 3),
    turnsAfterMoment: random.int(0, 3),
  }
}

function describePlan(p: RoundPlan): string {
  return `${p.first} restart while all are sending, then ${p.second} restart during ${p.target.name}'s ${p.moment} (+${p.turnsAfterMoment} turns)`
}

/**
 * Resolves when the round's target starts its chosen step against the new server. The target
 * may have come back before the test learnt that the new server listens (the child process
 * reports it a little later); then the server is restarted again, until the moment is caught.
 */
async function reachMoment(deployment: Deployment, crew: Crew, p: RoundPlan, index: number): Promise<void> {
  for (let extra = 0; ; extra++) {
    const moment = p.target.onStep(p.moment)
    const stop = new AbortController()
    const back = crew.until(`${p.target.name} back`, () => p.target.problems(crew), STUCK_MS, stop.signal).then(() => 'back' as const)
    try {
      const first = await bounded(Promise.race([moment.reached.then(() => 'moment' as const), back]), `round ${index}: ${p.target.name}'s ${p.moment} or its return`)
      if (first === 'moment') return
    } finally {
      moment.cancel()
      stop.abort()
    }
    assert.ok(extra < 3, `round ${index}: ${p.target.name} came back three times before its ${p.moment} could be caught`)
    note(`round ${index}: ${p.target.name} was back before its ${p.moment} was caught; restarting again (${p.first})`)
    await deployment.restart(p.first, crew.backends)
  }
}

/** One round: two restarts, then everyone back, every send settled and typed, and a roll call. */
async function round(deployment: Deployment, crew: Crew, p: RoundPlan, index: number): Promise<Map<string, number>> {
  const firstSend = crew.outcomes.length
  crew.chatter(`r${index}a`)
  await turns(p.turnsBeforeFirst)
  note(`round ${index}: first restart (${p.first})`)
  await deployment.restart(p.first, crew.backends)
  note(`round ${index}: first restart done`)
  await reachMoment(deployment, crew, p, index)
  crew.chatter(`r${index}b`)
  await turns(p.turnsAfterMoment)
  note(`round ${index}: second restart (${p.second})`)
  await deployment.restart(p.second, crew.backends)
  note(`round ${index}: second restart done`)
  await crew.until(`round ${index}: everyone back in their rooms with their nicknames`, () => crew.problems(), STUCK_MS)
  await crew.until(
    `round ${index}: every message sent during the restarts settled`,
    () => crew.pending().map((o) => `${o.member}'s "${o.text}" in ${o.room} has no outcome`),
    STUCK_MS,
  )
  const failures = new Map<string, number>()
  for (const outcome of crew.outcomes.slice(firstSend)) {
    if (outcome.result === 'delivered' || outcome.result === undefined) continue
    const code = assertTypedFailure(outcome.result.error, `round ${index}: ${outcome.member}'s "${outcome.text}" in ${outcome.room}`)
    failures.set(code, (failures.get(code) ?? 0) + 1)
  }
  for (const member of crew.members) {
    for (const error of member.botErrors) assertTypedFailure(error, `round ${index}: bot ${member.name}`)
  }
  await rollCall(crew, `roll ${index}`)
  return failures
}

for (const [makeDeployment, rounds] of [
  [inProcess, ROUNDS],
  [overTcp, Math.max(2, Math.ceil(ROUNDS / 3))],
] as const) {
  describe(`restart stress, ${makeDeployment === inProcess ? 'in process' : 'over TCP'} (STRESS_SEED=${SEED})`, () => {
    const random = seededRandom(SEED + (makeDeployment === inProcess ? 0 : 1))
    const crew = new Crew()
    let deployment: Deployment

    before(async () => {
      deployment = await makeDeployment()
      await crew.start((member) => deployment.backend(member))
      await crew.until('everyone in their rooms at the start', () => crew.problems(), STUCK_MS)
    })

    after(async () => {
      await Promise.allSettled(crew.members.map((m) => m.bot?.stop({ timeoutMs: 2000 })))
      await Promise.allSettled(crew.backends.map((b) => b?.stop()))
      await deployment?.close()
    })

    for (let index = 1; index <= rounds; index++) {
      it(`round ${index}`, async (t) => {
        const p = plan(random, crew, index)
        t.diagnostic(describePlan(p))
        note(`round ${index}: ${describePlan(p)}`)
        const failures = await round(deployment, crew, p, index)
        const sent = crew.outcomes.length
        t.diagnostic(`${sent} sends so far; typed failures this round: ${[...failures].map(([code, n]) => `${code} ×${n}`).join(', ') || 'none'}`)
      })
    }
  })
}
