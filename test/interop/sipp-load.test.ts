/**
 * sipp as a load generator sending MESSAGEs straight to an SDK UA (a UserAgentCore on a
 * TransportSet, UDP + TCP) that answers each with 200 through its server transaction: every
 * transaction must succeed, and the UA must have handled each MESSAGE exactly once (UDP
 * retransmissions, if any, are absorbed by the transaction layer, RFC 3261 §17.2.2).
 * Loopback only; the rate is moderate so the test says "correct under load", not "fast"
 * (the throughput figures are in test/bench/sip-load.bench.ts).
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { fileURLToPath } from 'node:url'
import { startMessageAnswerer, type MessageAnswerer } from '../bench/message-answerer.ts'
import { freePort, peersAvailable, runSipp, sippThroughput } from './harness/index.ts'

// Throws under CI when sipp is missing: a skipped interop test proves nothing there.
const available = peersAvailable()
const skip = available.ok ? false : available.why

const CALLS = 500
/** 500 calls/s, at most 50 in flight: about one second per transport. */
const LOAD_ARGS = ['-s', 'bot', '-r', '500', '-l', '50', '-recv_timeout', '5000']
const UAC = fileURLToPath(new URL('../bench/sipp/message_uac.xml', import.meta.url))

describe('sipp load: MESSAGEs straight to an SDK UA that answers 200', { skip }, () => {
  let ua: MessageAnswerer

  before(async () => {
    ua = await startMessageAnswerer(await freePort())
  })

  after(async () => {
    await ua?.close()
  })

  for (const [name, transport] of [['UDP', 'u1'], ['TCP', 't1']] as const) {
    it(`answers ${CALLS} MESSAGEs over ${name} with zero failed transactions`, async () => {
      ua.reset()
      const result = await runSipp({
        scenario: UAC,
        remote: `127.0.0.1:${ua.port}`,
        transport,
        calls: CALLS,
        args: LOAD_ARGS,
        traceMessages: false,
        timeoutMs: 60_000,
      })
      const detail = `${result.command}\n${result.errors.slice(0, 2000)}${result.stderr.slice(-1000)}`
      assert.equal(result.timedOut, false, `sipp did not finish: ${detail}`)
      assert.equal(result.exitCode, 0, `sipp exit ${result.exitCode}: ${detail}`)
      const counts = sippThroughput(result)
      assert.equal(counts.successful, CALLS, detail)
      assert.equal(counts.failed, 0, detail)
      assert.equal(ua.answered(), CALLS, 'each MESSAGE reaches the handler once and is answered')
      assert.equal(ua.problems(), 0, 'no other requests and no transport errors')
    })
  }

  it('holds only the UDP server transactions afterwards (Timer J), none of the TCP ones', () => {
    // RFC 3261 §17.2.2: Timer J is 64*T1 (32 s) on UDP, to absorb retransmissions, and zero on
    // reliable transports, so right after both runs exactly the UDP run's transactions remain.
    assert.equal(ua.core.transactions.size.servers, CALLS)
    assert.equal(ua.core.transactions.size.clients, 0)
  })
})
