/**
 * Opens the page's chat backend: the project's own SIP user agent and room client, over SIP on
 * a WebSocket (RFC 7118) and MSRP on a WebSocket (RFC 7977), both to the server the page came
 * from (same origin). Every WebSocket is tapped for the inspector.
 *
 * @module
 */
import { SipChatBackend } from '../chat/sip-chat-backend.ts'
import type { MsrpDialer } from '../chat/msrp-dialer.ts'
import { openMsrpWebSocket, type WebSocketConstructor } from '../msrp/web-socket.ts'
import { WebSocketClientTransport, type SipWebSocketConstructor } from '../sip/transport/web-socket-client.ts'
import { tappedWebSocket, type WireFrame } from './wire-tap.ts'

/** What the server tells the page (`/config.json`). */
export interface PageConfig {
  /** The SIP domain: users are `sip:<name>@<domain>`, rooms `sip:<room>@<domain>`. */
  readonly domain: string
}

/** Reads the page's config from the server it came from. */
export async function loadConfig(): Promise<PageConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' })
  if (!response.ok) throw new Error(`the server did not give the page its settings (/config.json: ${response.status})`)
  return (await response.json()) as PageConfig
}

/** A backend for `user` on the page's own server; `onFrame` sees every SIP and MSRP frame. */
export function createPageBackend(user: string, config: PageConfig, onFrame: (frame: WireFrame) => void): SipChatBackend {
  const secure = location.protocol === 'https:'
  const url = `${secure ? 'wss' : 'ws'}://${location.host}/`
  const port = location.port === '' ? (secure ? 443 : 80) : Number(location.port)
  const server = `sip:${location.hostname}:${port};transport=${secure ? 'wss' : 'ws'}`
  const WebSocketClass = tappedWebSocket(onFrame)
  const sipTransport = new WebSocketClientTransport({ url, secure, WebSocket: WebSocketClass as unknown as SipWebSocketConstructor })
  // RFC 7977 §4: every MSRP connection goes to the WebSocket server the page knows, whatever
  // host the focus's a=path names.
  const dial: MsrpDialer = Object.assign(
    (_firstHop: unknown, options: { transactionTimeoutMs?: number | undefined }) =>
      openMsrpWebSocket(url, { WebSocket: WebSocketClass as unknown as WebSocketConstructor, ...(options.transactionTimeoutMs === undefined ? {} : { transactionTimeoutMs: options.transactionTimeoutMs }) }),
    { uriTransport: 'ws' as const },
  )
  return new SipChatBackend(
    { uri: `sip:${user}@${config.domain}`, transport: 'ws', registrar: server, outboundProxy: `${server};lr` },
    { sipTransport, msrpDialer: dial, automaton: false },
  )
}
