import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EventEmitter } from 'eventemitter3'
import type { TransportTimers } from '../../../src/sip/transport/index.ts'

/** Resolves with the arguments of the next emission of `event`. */
export function nextEvent<T extends unknown[] = unknown[]>(emitter: EventEmitter<any>, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args as T)))
}

/** Collects the next `count` emissions of `event`. */
export function collect<T extends unknown[] = unknown[]>(emitter: EventEmitter<any>, event: string, count: number): Promise<T[]> {
  return new Promise((resolve) => {
    const seen: T[] = []
    const listener = (...args: unknown[]) => {
      seen.push(args as T)
      if (seen.length === count) {
        emitter.off(event, listener)
        resolve(seen)
      }
    }
    emitter.on(event, listener)
  })
}

/** A small well-formed SIP request with Content-Length. */
export function sipRequest(body = 'hello', callId = 'c1@test'): Buffer {
  const bodyBytes = Buffer.from(body)
  return Buffer.concat([
    Buffer.from(
      'MESSAGE sip:bob@example.test SIP/2.0\r\n' +
        'Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-1\r\n' +
        'From: <sip:alice@example.test>;tag=a\r\nTo: <sip:bob@example.test>\r\n' +
        `Call-ID: ${callId}\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n` +
        `Content-Type: text/plain\r\nContent-Length: ${bodyBytes.length}\r\n\r\n`,
    ),
    bodyBytes,
  ])
}

/** A manual clock for keepalive tests: `advance(ms)` runs what is due. */
export class FakeTimers implements TransportTimers {
  now = 0
  #next = 1
  readonly #pending = new Map<number, { at: number; callback: () => void }>()

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#next++
    this.#pending.set(id, { at: this.now + ms, callback })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number)
  }

  get pendingCount(): number {
    return this.#pending.size
  }

  advance(ms: number): void {
    const end = this.now + ms
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined
      for (const entry of this.#pending) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry
      if (!due) break
      this.#pending.delete(due[0])
      this.now = due[1].at
      due[1].callback()
    }
    this.now = end
  }
}

/** A throw-away self-signed certificate for 127.0.0.1 / localhost, made with openssl. */
export function selfSignedCert(): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'msrp-bot-tls-'))
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: 'ignore' })
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
