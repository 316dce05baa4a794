import type { ChatroomCapabilities } from './types.ts'

/** Parse the value of a=chatroom (RFC 7701): space-separated tokens. */
export function parseChatroom(value: string): ChatroomCapabilities {
  const tokens = value.split(/\s+/).filter((t) => t !== '')
  return {
    nickname: tokens.includes('nickname'),
    privateMessages: tokens.includes('private-messages'),
    extensions: tokens.filter((t) => t !== 'nickname' && t !== 'private-messages'),
  }
}

/** Format a=chatroom's value (RFC 7701). */
export function formatChatroom(c: Partial<ChatroomCapabilities>): string {
  const tokens: string[] = []
  if (c.nickname) tokens.push('nickname')
  if (c.privateMessages) tokens.push('private-messages')
  tokens.push(...(c.extensions ?? []))
  return tokens.join(' ')
}

/** Scheme, host and port of an MSRP URI (just enough to fill m= and c=; full validation is elsewhere). */
export function msrpUriAuthority(uri: string): { secure: boolean; host: string; port: number; transport: 'tcp' | 'tls' | 'ws' | 'wss' } | undefined {
  const m = /^(msrps?):\/\/(?:[^@/]*@)?(\[[0-9A-Fa-f:.]+\]|[^:/;\s]+)(?::(\d{1,5}))?\/[^;\s]*(?:;([A-Za-z0-9-]+))?/i.exec(uri)
  if (!m) return undefined
  const secure = m[1]!.toLowerCase() === 'msrps'
  // RFC 7977 §7: the `ws` transport parameter names MSRP over WebSocket (`msrps:` for wss).
  const ws = m[4]?.toLowerCase() === 'ws'
  const transport = ws ? (secure ? 'wss' : 'ws') : secure ? 'tls' : 'tcp'
  return { secure, host: m[2]!.replace(/^\[|\]$/g, ''), port: m[3] === undefined ? 2855 : Number(m[3]), transport }
}

/** The SDP m-line protocol of each MSRP transport (RFC 4975 §8; RFC 7977 §8). */
export const MSRP_SDP_PROTOCOL = { tcp: 'TCP/MSRP', tls: 'TCP/TLS/MSRP', ws: 'TCP/WS/MSRP', wss: 'TCP/WSS/MSRP' } as const
