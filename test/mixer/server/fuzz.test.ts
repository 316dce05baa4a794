/**
 * Fuzzing the chat server's network surfaces with fast-check (issue 16): random bytes and
 * mutated valid messages over SIP UDP, SIP TCP and MSRP TCP. Each surface runs for a bounded
 * time (FUZZ_MS per surface, default 3 s) with a fixed seed (FUZZ_SEED, default 16; a failure
 * prints the seed and path to replay), and afterwards the server must still be up and answer a
 * valid request: OPTIONS over UDP with 200, an MSRP SEND to an unknown session with 481.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { connect } from 'node:net'
import fc from 'fast-check'
import { startChatServer, type ChatServer } from '../../../src/mixer/server/index.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 16)
const TIME_MS = Number(process.env.FUZZ_MS ?? 3_000)
const DOMAIN = 'example.test'

const SIP_TEMPLATES = [
  `OPTIONS sip:${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfuzz1\r\nMax-Forwards: 70\r\nFrom: <sip:fuzz@${DOMAIN}>;tag=a1\r\nTo: <sip:${DOMAIN}>\r\nCall-ID: fuzz-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
  `INVITE sip:lobby@${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfuzz2\r\nMax-Forwards: 70\r\nFrom: <sip:fuzz@${DOMAIN}>;tag=a2\r\nTo: <sip:lobby@${DOMAIN}>\r\nCall-ID: fuzz-2\r\nCSeq: 1 INVITE\r\nContact: <sip:fuzz@127.0.0.1:5999>\r\nContent-Type: application/sdp\r\nContent-Length: 120\r\n\r\nv=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=message 9 TCP/MSRP *\r\na=path:msrp://127.0.0.1:9/abcd;tcp\r\n`,
  `REGISTER sip:${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfuzz3\r\nMax-Forwards: 70\r\nFrom: <sip:fuzz@${DOMAIN}>;tag=a3\r\nTo: <sip:fuzz@${DOMAIN}>\r\nCall-ID: fuzz-3\r\nCSeq: 1 REGISTER\r\nContact: <sip:fuzz@127.0.0.1:5999>;expires=60\r\nContent-Length: 0\r\n\r\n`,
  `SUBSCRIBE sip:lobby@${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKfuzz4\r\nMax-Forwards: 70\r\nFrom: <sip:fuzz@${DOMAIN}>;tag=a4\r\nTo: <sip:lobby@${DOMAIN}>\r\nCall-ID: fuzz-4\r\nCSeq: 1 SUBSCRIBE\r\nEvent: conference\r\nExpires: 0\r\nContact: <sip:fuzz@127.0.0.1:5999>\r\nContent-Length: 0\r\n\r\n`,
]

const MSRP_TEMPLATES = [
  'MSRP fuzz0001 SEND\r\nTo-Path: msrp://127.0.0.1:2855/nosuchsession;tcp\r\nFrom-Path: msrp://127.0.0.1:9/fuzzer;tcp\r\nMessage-ID: fuzz-msg-1\r\nByte-Range: 1-5/5\r\nContent-Type: message/cpim\r\n\r\nhello\r\n-------fuzz0001$\r\n',
  'MSRP fuzz0002 NICKNAME\r\nTo-Path: msrp://127.0.0.1:2855/nosuchsession;tcp\r\nFrom-Path: msrp://127.0.0.1:9/fuzzer;tcp\r\nUse-Nickname: "fuzz"\r\n-------fuzz0002$\r\n',
  'MSRP fuzz0003 200 OK\r\nTo-Path: msrp://127.0.0.1:9/fuzzer;tcp\r\nFrom-Path: msrp://127.0.0.1:2855/nosuchsession;tcp\r\n-------fuzz0003$\r\n',
]

/** A valid message with random edits: bytes replaced, inserted, cut off, or a number blown up. */
function mutated(templates: string[]): fc.Arbitrary<Buffer> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ maxLength: 32 }), fc.constantFrom(':', '\r\n', ';', '<', '>', '"', '\\', '%', '\x00', '99999999999999999999', '-1', ' ').map((s) => Buffer.from(s, 'latin1'))) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), bytes: fc.constant(new Uint8Array()) }),
  )
  return fc.tuple(fc.constantFrom(...templates), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([template, edits]) => {
    let bytes = Buffer.from(template, 'latin1')
    for (const e of edits) {
      const at = e.at % (bytes.length + 1)
      if (e.kind === 'cut') bytes = bytes.subarray(0, at)
      else if (e.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), e.bytes, bytes.subarray(at)])
      else bytes = Buffer.concat([bytes.subarray(0, at), e.bytes, bytes.subarray(at + e.bytes.length)])
    }
    return Buffer.from(bytes)
  })
}

const sipInput = fc.oneof(fc.uint8Array({ maxLength: 1500 }).map((b) => Buffer.from(b)), mutated(SIP_TEMPLATES))
const msrpInput = fc.oneof(fc.uint8Array({ maxLength: 1500 }).map((b) => Buffer.from(b)), mutated(MSRP_TEMPLATES))

const params = { seed: SEED, numRuns: 1_000_000, interruptAfterTimeLimit: TIME_MS, markInterruptAsFailure: false }

describe('fuzzing the server (fast-check, bounded in time)', () => {
  let server: ChatServer
  let udp: UdpSocket
  let sipPort: number
  let msrpPort: number
  before(async () => {
    server = await startChatServer({ domain: DOMAIN, rooms: ['lobby'], transport: { kind: 'sockets', host: '127.0.0.1', port: 0, msrpPort: 0 } })
    sipPort = server.addresses.sip.find((a) => a.transport === 'udp')!.port
    msrpPort = server.addresses.msrp.port
    udp = createSocket('udp4')
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve))
  })
  after(async () => {
    udp.close()
    await server.close()
  })

  let optionsSeq = 0
  /** The server answers a valid OPTIONS over UDP with 200. */
  async function answersOptions(): Promise<void> {
    const n = ++optionsSeq
    const local = udp.address().port
    const request = `OPTIONS sip:${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bKalive${n}\r\nMax-Forwards: 70\r\nFrom: <sip:probe@${DOMAIN}>;tag=p${n}\r\nTo: <sip:${DOMAIN}>\r\nCall-ID: alive-${n}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`
    const answer = new Promise<string>((resolve) => {
      const onMessage = (message: Buffer): void => {
        const text = message.toString('latin1')
        if (!text.includes(`Call-ID: alive-${n}`) && !text.includes(`call-id: alive-${n}`)) return
        udp.off('message', onMessage)
        resolve(text)
      }
      udp.on('message', onMessage)
    })
    // UDP may drop the probe while the server works off the flood: retransmit it as a UAC would
    // (RFC 3261 §17.1.2.2 Timer E), until the answer arrives.
    let answered = false
    const retransmit = async (): Promise<void> => {
      for (let i = 0; i < 20 && !answered; i++) {
        udp.send(request, sipPort, '127.0.0.1')
        await Promise.race([answer, new Promise((resolve) => setTimeout(resolve, 250))])
      }
    }
    const gaveUp = retransmit().then(() => {
      if (!answered) throw new Error('the server did not answer OPTIONS within 20 retransmissions (5 s)')
    })
    const text = await Promise.race([answer, gaveUp.then(() => answer)])
    answered = true
    assert.match(text, /^SIP\/2\.0 200 /)
  }

  /** A fresh MSRP connection gets 481 for a SEND to an unknown session. */
  async function answersMsrp(): Promise<void> {
    const socket = connect(msrpPort, '127.0.0.1')
    let data = ''
    socket.on('data', (chunk: Buffer) => { data += chunk.toString('latin1') })
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write(MSRP_TEMPLATES[0]!)
    while (!data.includes('-------fuzz0001$')) {
      await new Promise((resolve, reject) => {
        socket.once('data', resolve)
        socket.once('close', () => reject(new Error(`the MSRP connection closed before the 481 (got ${JSON.stringify(data)})`)))
      })
    }
    socket.destroy()
    assert.match(data, /^MSRP fuzz0001 481/)
  }

  /** Writes `bytes` on a new connection to `port`, ends it, and waits until it closed. */
  async function oneConnection(port: number, bytes: Buffer): Promise<void> {
    const socket = connect(port, '127.0.0.1')
    socket.on('error', () => undefined)
    socket.resume()
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.once('connect', () => socket.end(bytes))
    await closed
  }

  it('SIP over UDP: every datagram is answered or dropped; the server still answers OPTIONS', async () => {
    await answersOptions()
    await fc.assert(fc.asyncProperty(sipInput, async (bytes) => {
      await new Promise<void>((resolve) => udp.send(bytes, sipPort, '127.0.0.1', () => resolve()))
    }), params)
    await answersOptions()
  })

  it('SIP over TCP: random streams close or get answered; the server still answers OPTIONS', async () => {
    const tcpPort = server.addresses.sip.find((a) => a.transport === 'tcp')!.port
    await fc.assert(fc.asyncProperty(sipInput, async (bytes) => {
      await oneConnection(tcpPort, bytes)
    }), params)
    await answersOptions()
  })

  it('MSRP: random streams are answered or closed; the server still answers 481 for an unknown session', async () => {
    await fc.assert(fc.asyncProperty(msrpInput, async (bytes) => {
      await oneConnection(msrpPort, bytes)
    }), params)
    await answersMsrp()
    assert.equal(server.transportStats().msrpReadBufferedBytes, 0)
  })
})
