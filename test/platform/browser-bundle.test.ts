/**
 * The platform seam: the browser entry (src/browser.ts: UA, MSRP, room client, codecs) bundles
 * for the browser with no Node built-in, and the layers below the Node entry points import no
 * socket or `node:` module outside the node-only files listed here.
 */
import assert from 'node:assert/strict'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import vm from 'node:vm'
import { build, type Metafile } from 'esbuild'
import { importsOf, ROOT, sourceFiles } from '../architecture/imports.ts'

/** Node built-ins and the Node-only packages the stack uses. */
const NODE_ONLY = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'ws'])
const isNodeOnly = (specifier: string): boolean => specifier.startsWith('node:') || NODE_ONLY.has(specifier) || NODE_ONLY.has(specifier.split('/')[0]!)

/** Folders that must run anywhere: codecs, SIP core and UA, MSRP, the room client, the server's decisions. */
const PORTABLE = ['src/sip/', 'src/msrp/', 'src/cpim/', 'src/sdp/', 'src/digest/', 'src/presence/', 'src/conference/', 'src/chat/', 'src/protocol/', 'src/rooms/', 'src/server/core/']

/** Files in those folders that are Node's side of the seam, and why. */
const NODE_FILES: Record<string, string> = {
  'src/sip/transport/tcp.ts': 'TCP listener and connections (node:net)',
  'src/sip/transport/tls.ts': 'TLS listener and connections (node:tls)',
  'src/sip/transport/udp.ts': 'UDP socket (node:dgram)',
  'src/sip/transport/ws.ts': 'WebSocket server and client on the ws package',
  'src/sip/transport/ws-connection.ts': 'a ws-package WebSocket as a SIP connection',
  'src/sip/transport/stream-connection.ts': 'a node:net socket as a SIP connection',
  'src/sip/ua/node-transports.ts': 'the UA transport factory for Node',
  'src/sip/digest-server.ts': "the chat server's nonce signing (HMAC from node:crypto); no client imports it",
  'src/msrp/node-dial.ts': 'MSRP over node:net / node:tls / ws',
  'src/msrp/listener.ts': 'the passive MSRP side: TCP/TLS/WebSocket servers',
  'src/msrp/tls-sniff.ts': 'tells TLS from plain MSRP on one listening port (node:tls, node:stream)',
  'src/msrp/node-file-io.ts': 'RFC 5547 file sources and sinks on node:fs',
  'src/msrp/memory-stream.ts': "the in-process MSRP network on node:stream (the server's memory mode)",
  'src/chat/node-files.ts': 'files to send from node:fs, and the disk sink downloads write to',
  'src/chat/node-platform.ts': 'the chat backend wired to the Node transports',
}

async function bundleBrowserEntry(format: 'esm' | 'iife'): Promise<{ code: string; metafile: Metafile }> {
  const result = await build({
    entryPoints: [join(ROOT, 'src/browser.ts')],
    bundle: true,
    platform: 'browser',
    format,
    ...(format === 'iife' ? { globalName: 'msrpBot' } : {}),
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  return { code: result.outputFiles[0]!.text, metafile: result.metafile }
}

describe('the browser bundle', () => {
  it('bundles src/browser.ts for the browser with no Node built-in or Node-only package', async () => {
    const { metafile, code } = await bundleBrowserEntry('esm')
    const offending = Object.entries(metafile.inputs).flatMap(([file, input]) =>
      input.imports.filter((i) => i.external || isNodeOnly(i.path)).map((i) => `${file} -> ${i.path}`),
    )
    assert.deepEqual(offending, [])
    assert.ok(!/\brequire\(["'](node:|ws["'])/.test(code), 'the bundle must not require a Node module')
    const inputs = Object.keys(metafile.inputs)
    for (const part of ['src/sip/ua/user-agent.ts', 'src/msrp/session.ts', 'src/chat/room-client.ts', 'src/msrp/web-socket.ts', 'src/sip/transport/web-socket-client.ts']) {
      assert.ok(inputs.some((i) => i.endsWith(part)), `the bundle should contain ${part}`)
    }
  })

  it('runs in a context without process, require or setImmediate and carries a MESSAGE between two UAs', async () => {
    const { code } = await bundleBrowserEntry('iife')
    // Web platform globals only; Buffer is the one Node global the codecs still need (see src/browser.ts).
    const context = vm.createContext({
      Buffer, TextEncoder, TextDecoder, URL, crypto: globalThis.crypto, console, queueMicrotask,
      setTimeout, clearTimeout, setInterval, clearInterval, performance,
    })
    vm.runInContext(`${code}\nglobalThis.msrpBot = msrpBot`, context)
    const run = vm.runInContext(`(async () => {
      if (typeof process !== 'undefined' || typeof require !== 'undefined' || typeof setImmediate !== 'undefined') throw new Error('not a browser-like context')
      const { UserAgent, createMemoryNetwork } = msrpBot
      const network = createMemoryNetwork()
      const alice = new UserAgent({ uri: 'sip:alice@example.test', transport: network.createTransport({ host: 'alice.test', port: 5060 }) })
      const bob = new UserAgent({ uri: 'sip:bob@example.test', transport: network.createTransport({ host: 'bob.test', port: 5060 }) })
      await alice.start()
      await bob.start()
      const received = new Promise((resolve) => bob.on('message', (m) => resolve(m.text)))
      const response = await alice.sendMessage('sip:bob@bob.test:5060;transport=memory', 'hello from a page')
      const text = await received
      await alice.stop()
      await bob.stop()
      return { status: response.status, text }
    })()`, context) as Promise<{ status: number; text: string }>
    assert.deepEqual({ ...(await run) }, { status: 200, text: 'hello from a page' })
  })

  it('a UA given a transport kind but no factory says what to pass', async () => {
    const { UserAgent } = await import('../../src/sip/ua/user-agent.ts')
    const ua = new UserAgent({ uri: 'sip:a@example.test', transport: 'tcp' })
    await assert.rejects(ua.start(), /needs a transportFactory.*nodeTransports/)
  })
})

describe('the platform seam in src/', () => {
  it('codecs, SIP, MSRP and chat import nothing Node-only outside the listed node files', () => {
    // A folder's index.ts is the package entry Node users import (msrp-bot/sip ...): it
    // re-exports the Node pieces too. src/browser.ts is the entry without them.
    const offending = sourceFiles()
      .filter((f) => PORTABLE.some((p) => f.startsWith(p)) && !(f in NODE_FILES) && !f.endsWith('/index.ts'))
      .flatMap(importsOf)
      .filter((e) => !e.typeOnly && (isNodeOnly(e.specifier) || (e.to !== undefined && e.to in NODE_FILES)))
      .map((e) => `${e.from} -> ${e.specifier}`)
    assert.deepEqual(offending, [], 'inject the Node piece where the stack is created (see src/chat/node-platform.ts)')
  })

  it('every listed node file exists and still needs Node', () => {
    for (const file of Object.keys(NODE_FILES)) {
      const imports = importsOf(file)
      assert.ok(imports.some((e) => isNodeOnly(e.specifier) || (e.to !== undefined && e.to in NODE_FILES)), `${file} imports nothing Node-only; drop it from NODE_FILES`)
    }
  })
})
