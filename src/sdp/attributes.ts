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
export function msrpUriAuthority(uri: string): { secure: boolean; host: string; port: number } | undefined {
  const m = /^(msrps?):\/\/(?:[^@/]*@)?(\[[0-9A-Fa-f:.]+\]|[^:/;\s]+)(?::(\d{1,5}))?\//i.exec(uri)
  if (!m) return undefined
  const secure = m[1]!.toLowerCase() === 'msrps'
  return { secure, host: m[2]!.replace(/^\[|\]$/g, ''), port: m[3] === undefined ? 2855 : Number(m[3]) }
}
