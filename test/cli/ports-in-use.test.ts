// A port in use is one line naming the port and the flag to change, never a Node stack trace;
// `msrp-bot dev` moves off default ports that are taken (issue 17, item 1).
import assert from 'node:assert/strict'
import { createSocket, type Socket } from 'node:dgram'
import { Server, createServer } from 'node:net'
import { after, describe, test } from 'node:test'
import { runMsrpBot, startMsrpBot } from './binary.ts'

const held: Array<Server | Socket> = []
after(async () => {
  await Promise.all(held.map((h) => new Promise<void>((resolve) => (h instanceof Server ? h.close(() => resolve()) : h.close(() => resolve())))))
})

/** Holds a TCP port (0: any free one); resolves with it, or undefined when it is taken already. */
async function holdTcp(port = 0): Promise<number | undefined> {
  const server = createServer()
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(undefined) : reject(error)))
    server.listen(port, '127.0.0.1', () => {
      held.push(server)
      resolve((server.address() as { port: number }).port)
    })
  })
}

async function holdUdp(): Promise<number> {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  held.push(socket)
  return socket.address().port
}

function assertNoStackTrace(stderr: string): void {
  assert.doesNotMatch(stderr, /node:net|node:dgram|    at |Node\.js v/, `a stack trace was printed:\n${stderr}`)
}

describe('msrp-bot server with a port in use', () => {
  test('SIP TCP: one line naming the port and --port, exit 1', async () => {
    const port = (await holdTcp())!
    const result = await runMsrpBot(['server', '--port', String(port), '--msrp-port', '0'])
    assert.equal(result.code, 1)
    assert.match(result.stderr, new RegExp(`^msrp-bot server: SIP TCP port 127\\.0\\.0\\.1:${port} is already in use; .* Set the port with --port\\. \\[SIP_TRANSPORT_LISTEN_FAILED\\]\\n$`))
    assertNoStackTrace(result.stderr)
  })

  test('SIP UDP: one line naming the port and --port, exit 1', async () => {
    const port = await holdUdp()
    const result = await runMsrpBot(['server', '--port', String(port), '--msrp-port', '0'])
    // The TCP port of the same number may be taken by chance; either way the line names --port.
    assert.equal(result.code, 1)
    assert.match(result.stderr, new RegExp(`SIP (UDP|TCP) port 127\\.0\\.0\\.1:${port} is already in use; .*--port\\.`))
    assertNoStackTrace(result.stderr)
  })

  test('WebSocket: names --ws-port', async () => {
    const port = (await holdTcp())!
    const result = await runMsrpBot(['server', '--port', '0', '--msrp-port', '0', '--ws-port', String(port)])
    assert.equal(result.code, 1)
    assert.match(result.stderr, new RegExp(`SIP WS port 127\\.0\\.0\\.1:${port} is already in use; .*--ws-port\\.`))
    assertNoStackTrace(result.stderr)
  })

  test('MSRP: names --msrp-port', async () => {
    const port = (await holdTcp())!
    const result = await runMsrpBot(['server', '--port', '0', '--msrp-port', String(port)])
    assert.equal(result.code, 1)
    assert.match(result.stderr, new RegExp(`MSRP port 127\\.0\\.0\\.1:${port} is already in use; .*--msrp-port\\.`))
    assertNoStackTrace(result.stderr)
  })
})

describe('msrp-bot dev with a port in use', () => {
  test('a port given with --port stays: the same one line, exit 1', async () => {
    const port = (await holdTcp())!
    const result = await runMsrpBot(['dev', 'bots/echo.ts', '--no-chat', '--port', String(port), '--msrp-port', '0'])
    assert.equal(result.code, 1)
    assert.match(result.stderr, new RegExp(`msrp-bot dev: SIP TCP port 127\\.0\\.0\\.1:${port} is already in use; .*--port\\.`))
    assertNoStackTrace(result.stderr)
  })

  test('a web port given with --web-port stays: one line naming --web-port, exit 1', async () => {
    const port = (await holdTcp())!
    const result = await runMsrpBot(['dev', 'bots/echo.ts', '--no-chat', '--port', '0', '--msrp-port', '0', '--web-port', String(port)])
    assert.equal(result.code, 1)
    assert.match(result.stderr, new RegExp(`msrp-bot dev: SIP WS port 127\\.0\\.0\\.1:${port} is already in use; .* Set the port with --web-port\\.`))
    assertNoStackTrace(result.stderr)
  })

  test('default ports that are taken move to free ones, and dev says so', async () => {
    // Held here unless something else holds them already: either way they are taken.
    await holdTcp(5060)
    await holdTcp(2855)
    await holdTcp(8080)
    const dev = startMsrpBot(['dev', 'bots/echo.ts', '--no-chat'], { env: { MSRP_BOT_LOG_LEVEL: 'warn' } })
    try {
      await dev.waitFor(/Ctrl-C stops the server/)
      assert.match(dev.stdout(), /SIP port 5060 is in use \(another msrp-bot dev\?\); using a free port instead \(--port chooses one\)/)
      assert.match(dev.stdout(), /MSRP port 2855 is in use \(another msrp-bot dev\?\); using a free port instead \(--msrp-port chooses one\)/)
      assert.match(dev.stdout(), /web port 8080 is in use \(another msrp-bot dev\?\); using a free port instead \(--web-port chooses one\)/)
      assert.match(dev.stdout(), /chat server ready on 127\.0\.0\.1 \(SIP (?!5060)\d+ udp\+tcp, MSRP (?!2855)\d+\)/)
      assert.match(dev.stdout(), /chat in a browser at http:\/\/127\.0\.0\.1:(?!8080)\d+\/\?room=lobby/)
      assert.match(dev.stdout(), /joined sip:lobby@localhost/)
    } finally {
      dev.child.kill('SIGINT')
    }
    const result = await dev.exited
    assert.equal(result.code, 0, result.stderr)
    assertNoStackTrace(result.stderr)
  })
})
