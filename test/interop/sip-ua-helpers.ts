/** Shared bits of the SIP user-agent interop tests (each test file starts its own Kamailio). */
import { createSocket } from 'node:dgram'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseSipMessage } from '../../src/sip/parser.ts'
import type { SipMessage, SipRequest } from '../../src/sip/message.ts'
import { UserAgent, type UserAgentOptions, type UaLogger } from '../../src/sip/ua/index.ts'
import { peersAvailable, peersDir, type KamailioInstance } from './harness/index.ts'
import { nodeTransports } from '../../src/sip/ua/node-transports.ts'

/**
 * The `skip` option for an interop suite: false when Kamailio and sipp are there, else the one
 * line naming what to install. Under CI a missing peer throws instead (see peersAvailable).
 *
 * @example
 * const skip = requirePeers()
 * describe('interop: ...', { skip }, () => { ... })
 */
export function requirePeers(): false | string {
  const available = peersAvailable()
  return available.ok ? false : `SIP interop needs Kamailio and sipp: ${available.why}`
}

/** Logs to stderr when MSRP_BOT_DEBUG is set (to read a failing run). */
export const debugLogger: UaLogger | undefined = process.env['MSRP_BOT_DEBUG']
  ? { debug: (m) => process.stderr.write(`D ${m}\n`), warn: (m) => process.stderr.write(`W ${m}\n`) }
  : undefined

/** A UA for `user`@example.test whose out-of-dialog requests go through the Kamailio instance. */
export async function kamailioUa(kam: KamailioInstance, user: string, options: Partial<UserAgentOptions> = {}): Promise<UserAgent> {
  const transport = typeof options.transport === 'string' ? options.transport : 'udp'
  const port = transport === 'tls' ? kam.sipsPort! : kam.sipPort
  const ua = new UserAgent({
    transportFactory: nodeTransports,
    uri: `sip:${user}@${kam.domain}`,
    password: kam.password,
    outboundProxy: `sip:${kam.host}:${port};lr`,
    transport,
    ...(debugLogger ? { logger: debugLogger } : {}),
    ...options,
  })
  await ua.start()
  return ua
}

/** Records every SIP message the UA receives as "METHOD" or "status METHOD"; `received` keeps the messages. */
export function wireLog(ua: UserAgent, received: SipMessage[] = []): string[] {
  const seen: string[] = []
  ua.transports.on('message', (bytes, meta) => {
    try {
      const m = parseSipMessage(bytes, { datagram: meta.protocol === 'udp' })
      received.push(m)
      seen.push(m.kind === 'request' ? m.method : `${m.status} ${m.headers.get('CSeq')?.split(' ')[1] ?? ''}`)
    } catch {
      seen.push('unparseable')
    }
  })
  return seen
}

/** Records every request the UA sends through its authenticating sender (BYE, re-INVITE ...). */
export function sentRequests(ua: UserAgent): SipRequest[] {
  const sent: SipRequest[] = []
  const original = ua.sendRequest.bind(ua)
  ua.sendRequest = (request, options) => {
    sent.push(request)
    return original(request, options)
  }
  return sent
}

/** Resolves once something has bound `port` on UDP 127.0.0.1 (a sipp UAS that started). */
export async function udpPortBound(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const inUse = await new Promise<boolean>((resolve) => {
      const socket = createSocket('udp4')
      socket.once('error', () => {
        socket.close()
        resolve(true)
      })
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(false)))
    })
    if (inUse) return
    await new Promise<void>((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`nothing bound UDP port ${port} within ${timeoutMs} ms (sipp did not start?)`)
}

/**
 * The peers' message.xml checks that the 200's To tag contains `SIPpTag04` (the tag its own
 * UAS scenario uses). Our UA picks random tags, so the copy used here checks for a To tag
 * (`;tag=`) instead; everything else in the scenario is unchanged.
 */
export function messageScenarioForSdk(): { path: string; dispose: () => void } {
  const original = readFileSync(join(peersDir(), 'sipp', 'message.xml'), 'latin1')
  const patched = original.replace('regexp="SIPpTag04"', 'regexp=";tag="')
  if (patched === original) throw new Error('message.xml changed: its SIPpTag04 check was not found')
  const dir = mkdtempSync(join(tmpdir(), 'msrp-bot-sipp-scenario-'))
  const path = join(dir, 'message_to_sdk.xml')
  writeFileSync(path, patched.replace('<!DOCTYPE scenario SYSTEM "sipp.dtd">', ''))
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}
