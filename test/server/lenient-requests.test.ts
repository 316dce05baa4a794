// The focus is liberal in what it accepts and never ends a session over one bad request: a bare
// `Use-Nickname: alice` (what the SIP SIMPLE SDK sends) is a nickname; a malformed NICKNAME or
// SEND gets 400 and the participant stays, still able to chat.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { startChatServer } from '../../src/server/index.ts'
import { MsrpConnection } from '../../src/msrp/connection.ts'
import type { MsrpFrame } from '../../src/msrp/message.ts'
import { MsrpParser } from '../../src/msrp/parser.ts'
import { generateSessionId, MsrpSession } from '../../src/msrp/session.ts'
import { streamTransport } from '../../src/msrp/transport.ts'
import { parseMsrpSdp } from '../../src/sdp/index.ts'
import { createOffer } from '../../src/sdp/offer-answer.ts'
import { readCSeq } from '../../src/sip/headers/cseq.ts'
import { TestParticipant } from './participant.ts'

describe('focus: one bad MSRP request never ends the session', () => {
  it('bare Use-Nickname is accepted; malformed NICKNAME and SEND get 400; the participant stays and chats', async () => {
    const server = await startChatServer({ domain: 'example.test', rooms: ['lobby'], transport: { kind: 'memory' } })
    const alice = await TestParticipant.create(server, 'alice')
    try {
      // Join as TestParticipant.join does, keeping the raw MSRP stream to write bytes of our own.
      const room = server.roomUri('lobby')
      const localUri = `msrp://alice.invalid:2855/${generateSessionId()};tcp`
      const offer = createOffer({ path: [localUri], acceptTypes: ['message/cpim'], acceptWrappedTypes: ['*'], setup: 'active' })
      const { request, response } = await alice.request('INVITE', room, { body: offer, contentType: 'application/sdp' })
      assert.equal(response.status, 200)
      const dialog = alice.core.createUacDialog(request, response, (incoming) => incoming.respond(200))
      await alice.core.sendAck(dialog.createAck(readCSeq(request.headers).seq), alice.serverDestination)
      const focusPath = parseMsrpSdp(response.body.toString('utf8')).media[0]!.path
      const m = /^msrp:\/\/([^:/]+):(\d+)\//.exec(focusPath[0]!)!
      const stream = server.network!.msrp.connect(m[1]!, Number(m[2]))
      const responses: MsrpFrame[] = []
      const parser = new MsrpParser()
      stream.on('data', (chunk: Buffer) => parser.feed(chunk, (f) => void (f.type === 'response' && responses.push(f))))
      const connection = new MsrpConnection(streamTransport(stream, 'memory'), { role: 'active' })
      const session = await MsrpSession.connect({ localUri, remotePath: focusPath.join(' '), connection })
      const raw = async (tid: string, lines: string[], body?: string): Promise<MsrpFrame> => {
        const head = [`MSRP ${tid} ${lines[0]}`, `To-Path: ${focusPath.join(' ')}`, `From-Path: ${localUri}`, ...lines.slice(1)].join('\r\n')
        stream.write(`${head}\r\n${body === undefined ? '' : `\r\n${body}\r\n`}-------${tid}$\r\n`)
        for (;;) {
          const found = responses.find((r) => r.transactionId === tid)
          if (found !== undefined) return found
          if (connection.state !== 'open') throw new Error(`the focus closed the MSRP connection instead of answering ${tid}`)
          await new Promise((resolve) => setImmediate(resolve))
        }
      }

      const bare = await raw('nick0001', ['NICKNAME', 'Use-Nickname: alice'])
      assert.equal(bare.type === 'response' && bare.status, 200, 'a bare nickname is a nickname')
      assert.equal(server.room('lobby')!.participants()[0]?.nickname, 'alice')

      const broken = await raw('nick0002', ['NICKNAME', 'Use-Nickname: "unterminated'])
      assert.equal(broken.type === 'response' && broken.status, 400)
      const badSend = await raw('send0001', ['SEND', 'Message-ID: bad-range-1', 'Byte-Range: 0-5/5', 'Content-Type: message/cpim'], 'hello')
      assert.equal(badSend.type === 'response' && badSend.status, 400)

      // Still in the room, same session, same nickname, and a proper request works.
      assert.equal(connection.state, 'open')
      assert.equal(server.room('lobby')!.participants().length, 1)
      assert.equal(server.room('lobby')!.participants()[0]?.nickname, 'alice')
      await session.setNickname('alice2')
      assert.equal(server.room('lobby')!.participants()[0]?.nickname, 'alice2')
      await session.close()
    } finally {
      await server.close()
      await alice.close()
    }
  })
})
