// Kamailio's dispatcher (test/interop/peers/dispatcher) in front of two msrp-bot cluster nodes on
// one redis-server: requests hashed on the room ($rU, algorithm 7) reach a node, which serves
// the room or proxies to its owner; when the owner dies, Kamailio marks it down and the next
// node takes the room, with its history.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { TestParticipant } from '../server/participant.ts'
import { redisAvailable, remoteServer, startNode, startRedis, type RedisServer, type TestNode } from '../server/cluster/harness.ts'
import { peersDir } from './harness/peers.ts'
import { freePort } from './harness/ports.ts'

const PATH = `${process.env['PATH'] ?? ''}${delimiter}/usr/sbin`
const onPath = (name: string): boolean => PATH.split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, name)))

function available(): { ok: true } | { ok: false; why: string } {
  const redis = redisAvailable()
  if (!redis.ok) return redis
  if (onPath('kamailio') && onPath('kamcmd')) return { ok: true }
  const why = 'kamailio not found on PATH or in /usr/sbin; install the Debian package kamailio (.ci/run does)'
  if (process.env['CI']) throw new Error(`kamailio is required under CI: ${why}`)
  return { ok: false, why }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: { ...process.env, PATH, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${String(error)}\n${stdout}\n${stderr}`))
      else resolve(String(stdout))
    })
  })
}

const ready = available()

describe('interop: Kamailio dispatcher in front of a cluster', { skip: ready.ok ? false : ready.why }, () => {
  let redis: RedisServer
  let a: TestNode
  let b: TestNode
  let runDir: string
  let port: number
  let watcher: TestParticipant
  const people: TestParticipant[] = []

  before(async () => {
    redis = await startRedis()
    a = await startNode(redis.url, 'a', ['lobby'])
    b = await startNode(redis.url, 'b')
    runDir = mkdtempSync(join(tmpdir(), 'msrp-bot-dispatcher-'))
    port = await freePort()
    // Kamailio tells this participant, by MESSAGE, when it marks a node down or up.
    watcher = await TestParticipant.create(remoteServer(port), 'watcher', { transport: 'tcp' })
    people.push(watcher)
    const watcherUri = `sip:watcher@127.0.0.1:${watcher.set.localAddress('tcp').port};transport=tcp`
    await run('bash', [join(peersDir(), 'dispatcher', 'start.sh')], { RUN_DIR: runDir, SIP_PORT: String(port), NODES: `${a.server.sipUri('tcp')} ${b.server.sipUri('tcp')}`, WATCHER: watcherUri })
  })

  after(async () => {
    for (const p of people) await p.close()
    const pidFile = join(runDir ?? '', 'kamailio.pid')
    if (runDir !== undefined && existsSync(pidFile)) {
      try { process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM') } catch { /* already gone */ }
    }
    await a?.stop()
    await b?.stop()
    await redis?.stop()
    if (runDir !== undefined && process.env['KEEP_RUN_DIR'] === undefined) rmSync(runDir, { recursive: true, force: true })
  })

  async function person(user: string): Promise<TestParticipant> {
    const p = await TestParticipant.create(remoteServer(port), user, { transport: 'tcp' })
    people.push(p)
    return p
  }

  /** The dispatcher's view of each node: URI → flags (`A` active, `I` inactive, `P` probing). */
  async function nodeFlags(): Promise<Map<string, string>> {
    const out = await run('kamcmd', ['-s', `unix:${join(runDir, 'kamailio_ctl')}`, 'dispatcher.list'])
    const flags = new Map<string, string>()
    for (const m of out.matchAll(/URI: (\S+)\s+FLAGS: (\S+)/g)) flags.set(m[1]!, m[2]!)
    return flags
  }

  test('people join and chat in a room through Kamailio, whichever node the hash picks', async () => {
    const alice = await person('alice')
    const bob = await person('bob')
    await alice.joinOk('lobby')
    await bob.joinOk('lobby')
    assert.equal(a.server.room('lobby')?.participants().length, 2, 'the owner (A) serves the room')
    assert.equal(await alice.nickname('lobby', 'Al'), 200)
    assert.equal(await alice.say('lobby', 'through the dispatcher'), 200)
    await bob.messages.next((m) => m.text === 'through the dispatcher')
  })

  test('the owner dies: OPTIONS probing marks it down, and the other node serves the room, history kept', async () => {
    await a.stop() // gives its leases back; a crash instead waits for the lease (cluster-failover.test.ts)
    // No request needed: the dispatcher's OPTIONS probe finds A gone (after its transaction
    // timeout) and marks it down, which the watcher hears about.
    const down = await watcher.sipMessages.next((m) => m.body.toString('utf8') === `down ${a.server.sipUri('tcp')}`, 30_000)
    assert.ok(down)
    const flags = await nodeFlags()
    assert.match(flags.get(a.server.sipUri('tcp')) ?? '', /^I/, `node A marked inactive: ${JSON.stringify([...flags])}`)
    assert.match(flags.get(b.server.sipUri('tcp')) ?? '', /^A/)
    // Every request now reaches B, whatever it hashes to.
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) statuses.push((await (await person(`probe${i}`)).request('OPTIONS', `sip:probe${i}@cluster.test`)).response.status)
    assert.ok(statuses.every((s) => s === 404), `every request reached the live node (404: no such user): ${statuses.join(' ')}`)
    const carol = await person('carol')
    await carol.joinOk('lobby')
    assert.equal(b.cluster.store.owns('sip:lobby@cluster.test'), true)
    await carol.messages.next((m) => m.text === 'through the dispatcher')
  })
})
