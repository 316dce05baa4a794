/**
 * A person in a chat room, from the terminal: what `msrp-bot chat` and `msrp-bot dev` run. When
 * the address is a person's or a bot's rather than a room's, it is a 1:1 chat instead (an MSRP
 * session, RFC 4975): lines typed go to the peer, `/quit` ends it.
 *
 * Lines typed are sent to the room; a few slash commands are the client's own (`/msg`, `/nick`,
 * `/who`, `/quit`, `/?`), every other line — `/help`, `/rules` included — goes to the room as
 * typed, so bots see their commands. What happens in the room is printed one line per event;
 * the room's history (what was said before the person joined) comes first, dimmed, with times.
 *
 * @module
 */
import { createInterface } from 'node:readline'
import type { BackendEvent, ChatBackend, DirectChatHandle, Participant, RoomHandle } from '../chat/index.ts'
import { BackendErrorCode, errorCode } from '../chat/index.ts'
import type { TextSink } from './io.ts'
import { FILE_HELP, TerminalFiles } from './terminal-files.ts'

/** Options of {@link runTerminalChat}. */
export interface TerminalChatOptions {
  /** A started backend for the person chatting. */
  readonly backend: ChatBackend
  /** The room to join. */
  readonly room: string
  /** The nickname to claim (another is tried when it is taken). */
  readonly nickname: string
  /** Lines typed by the person. */
  readonly input: NodeJS.ReadableStream
  /** Where the room's events are printed. */
  readonly output: TextSink
  /** Ends the chat (leaves the room) when aborted. */
  readonly signal?: AbortSignal | undefined
}

const CLIENT_HELP = [
  'Type a line to say it in the room. Client commands:',
  '  /msg <nickname> <text>   a private message',
  '  /nick <nickname>         change your nickname',
  '  /who                     who is in the room',
  ...FILE_HELP,
  '  /quit                    leave (Ctrl-C works too)',
  'Any other /command is sent to the room, for the bots: try /help.',
].join('\n')

/**
 * Joins `room` and chats until the input ends, `/quit`, or `signal` aborts; then leaves the
 * room. Resolves once left. The backend stays started (the caller owns it).
 *
 * @example
 * ```ts
 * await backend.start()
 * await runTerminalChat({ backend, room: 'sip:lobby@localhost', nickname: 'you', input: process.stdin, output: process.stdout })
 * ```
 */
export async function runTerminalChat(options: TerminalChatOptions): Promise<void> {
  const direct = await openDirectChat(options.backend, options.room)
  if (direct !== undefined) return runDirectChat(options, direct)
  const { backend, output } = options
  const print = (line: string): void => void output.write(`${line}\n`)
  const files = new TerminalFiles(backend, options.room)
  const unsubscribe = backend.subscribe((event) => {
    const fileLine = files.onEvent(event)
    if (fileLine !== undefined) print(fileLine)
    // Our own nickname change is confirmed by handleLine; the roster's echo of it is noise.
    if (event.type === 'nickname' && event.participant.uri === backend.uri) return
    const line = describeEvent(event, options.room, room?.participants, { color: output.isTTY === true && process.env['NO_COLOR'] === undefined })
    if (line !== undefined) print(line)
  })
  let room: RoomHandle | undefined
  try {
    room = await joinWithFreeNickname(backend, options.room, options.nickname)
    const others = room.participants.filter((p) => p.nickname !== room!.nickname).map(nameOf)
    print(`* you are ${room.nickname ?? backend.uri} in ${room.uri}; here: ${others.join(', ') || 'nobody else'}. /? for help`)
    await readLines(options, async (line) => {
      const fileResult = await files.handle(line.trim())
      if (fileResult !== undefined) {
        print(fileResult)
        return undefined
      }
      // Own lines are printed when sent, not when the send completes, so they stay in the order typed.
      const result = await handleLine(room!, line, backend.uri, print)
      if (result === 'quit') return 'quit'
      if (result !== undefined) print(result)
      return undefined
    })
  } finally {
    unsubscribe()
    await room?.leave()
  }
}

/**
 * A 1:1 chat with `target` when it is a person or a bot rather than a room: the backend asks it
 * first (OPTIONS: a conference focus lists Allow-Events: conference; else its INVITE answer has
 * a=chatroom). Undefined when the target is a room, or did not take a 1:1 chat for a reason a
 * room join reports better (not found, unreachable); a person who declined is an error.
 */
async function openDirectChat(backend: ChatBackend, target: string): Promise<DirectChatHandle | undefined> {
  if (backend.openDirect === undefined) return undefined
  try {
    return await backend.openDirect(target)
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode
    if (status === 486 || status === 600 || status === 603) throw error
    return undefined
  }
}

/** Chats 1:1 until the input ends, `/quit`, the signal aborts, or the peer hangs up. */
async function runDirectChat(options: TerminalChatOptions, chat: DirectChatHandle): Promise<void> {
  const { backend, output } = options
  const print = (line: string): void => void output.write(`${line}\n`)
  const name = /^sips?:([^@;?]+)@/i.exec(chat.peer)?.[1] ?? chat.peer
  // The peer's BYE ends the chat as /quit does: the line reader stops too.
  const stop = new AbortController()
  const abort = (): void => stop.abort()
  options.signal?.addEventListener('abort', abort)
  if (options.signal?.aborted) stop.abort()
  const files = new TerminalFiles(backend, chat.peer)
  const unsubscribe = backend.subscribe((event) => {
    const fileLine = files.onEvent(event)
    if (fileLine !== undefined) print(fileLine)
    if (event.type === 'direct' && event.chat === chat.chat) {
      print(`<${name}> ${typeof event.body === 'string' ? event.body : `[${event.contentType}, ${event.body.byteLength} bytes]`}`)
    } else if (event.type === 'direct-closed' && event.chat === chat.chat) {
      print(`* ${name} ended the chat`)
      stop.abort()
    }
  })
  try {
    print(`* you are in a 1:1 chat with ${chat.peer} (not a room). /quit ends it`)
    await readLines({ ...options, signal: stop.signal }, async (line) => {
      const text = line.trim()
      if (text === '') return undefined
      if (text === '/quit' || text === '/exit') return 'quit'
      const fileResult = await files.handle(text)
      if (fileResult !== undefined) {
        print(fileResult)
        return undefined
      }
      try {
        await chat.send(text)
      } catch (error) {
        print(`! not delivered (${errorCode(error) ?? 'error'}): ${error instanceof Error ? error.message : String(error)}`)
      }
      return undefined
    })
  } finally {
    options.signal?.removeEventListener('abort', abort)
    unsubscribe()
    await chat.close()
  }
}

async function joinWithFreeNickname(backend: ChatBackend, roomUri: string, nickname: string): Promise<RoomHandle> {
  for (let attempt = 1; ; attempt++) {
    const wanted = attempt === 1 ? nickname : `${nickname}${attempt}`
    try {
      return await backend.join(roomUri, { nickname: wanted })
    } catch (error) {
      if (errorCode(error) !== BackendErrorCode.nicknameTaken || attempt >= 9) throw error
      const live = (error as { room?: RoomHandle }).room
      await live?.leave()
    }
  }
}

/** Reads lines until the input ends, the handler says 'quit', or the signal aborts. */
function readLines(options: TerminalChatOptions, handle: (line: string) => Promise<'quit' | undefined>): Promise<void> {
  return new Promise<void>((resolve) => {
    const lines = createInterface({ input: options.input, terminal: false })
    let queue = Promise.resolve()
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      options.signal?.removeEventListener('abort', finish)
      lines.close()
      void queue.then(resolve)
    }
    lines.on('line', (line) => {
      // One line at a time, in order: a /nick must finish before the next message goes out.
      queue = queue.then(async () => {
        if (done) return
        if ((await handle(line)) === 'quit') finish()
      })
    })
    lines.on('close', finish)
    if (options.signal?.aborted) finish()
    else options.signal?.addEventListener('abort', finish)
  })
}

/**
 * Acts on one typed line and returns what to print (or 'quit'). Send failures are printed, not
 * thrown: the person sees that a message did not arrive and why. `self` (the person's URI) lets
 * `/who` show a nickname just changed, before the focus's roster NOTIFY says so.
 */
export async function handleLine(room: RoomHandle, line: string, self?: string, print?: (line: string) => void): Promise<string | 'quit' | undefined> {
  const text = line.trim()
  if (text === '') return undefined
  try {
    if (text === '/quit' || text === '/exit') return 'quit'
    if (text === '/?') return CLIENT_HELP
    if (text === '/who') {
      const own = self?.toLowerCase()
      const names = room.participants.map((p) => (p.uri.toLowerCase() === own && room.nickname !== undefined ? room.nickname : nameOf(p)))
      return `* here: ${names.join(', ')}`
    }
    const nick = /^\/nick\s+(\S.*)$/.exec(text)
    if (nick) {
      await room.setNickname(nick[1]!.trim())
      return `* you are now ${room.nickname}`
    }
    const direct = /^\/msg\s+(\S+)\s+(.+)$/.exec(text)
    if (direct) {
      const target = findParticipant(room.participants, direct[1]!)
      if (target === undefined) return `! nobody called ${direct[1]} is here (/who lists who is)`
      const sent = `(to ${nameOf(target)}) ${direct[2]}`
      if (print === undefined) {
        await room.sendPrivate(target.uri, direct[2]!)
        return sent
      }
      // Printed before the send completes: an answer may arrive before the 200 OK does.
      print(sent)
      await room.sendPrivate(target.uri, direct[2]!)
      return undefined
    }
    await room.send(text)
    return undefined
  } catch (error) {
    return `! not delivered (${errorCode(error) ?? 'error'}): ${error instanceof Error ? error.message : String(error)}`
  }
}

/**
 * One line describing a room event, or undefined for events not worth printing. With the
 * room's `participants`, a sender is named by one name throughout: the roster nickname, else
 * (a message that came before the roster named its sender) the URI's user part, which is the
 * nickname a bot or client claims by default; never the CPIM display name, which would make
 * the same participant `<Moderator>` first and `<moderator>` later.
 */
export function describeEvent(event: BackendEvent, roomUri: string, participants?: readonly Participant[], options: DescribeOptions = {}): string | undefined {
  if ('room' in event && event.room !== roomUri) return undefined
  switch (event.type) {
    case 'message': {
      const body = typeof event.body === 'string' ? event.body : `[${event.contentType}, ${event.body.byteLength} bytes]`
      const who = participants === undefined ? (event.sender.nickname ?? event.sender.uri) : senderName(event.sender.uri, participants)
      if (event.history === true && !event.private) {
        // The room's history: said before we came, so it shows when, and stays in the background.
        const line = `[${timeOf(event.timestamp, options.now ?? new Date())}] <${who}> ${body}`
        return options.color === true ? `${DIM}${line}${UNDIM}` : line
      }
      return event.private ? `(private) <${who}> ${body}` : `<${who}> ${body}`
    }
    case 'direct': {
      // A message to the person's own address, outside the room (a MESSAGE or a 1:1 chat).
      const body = typeof event.body === 'string' ? event.body : `[${event.contentType}, ${event.body.byteLength} bytes]`
      return `(direct) <${/^sips?:([^@;?]+)@/i.exec(event.sender.uri)?.[1] ?? event.sender.uri}> ${body}`
    }
    case 'notice':
      return event.text.split(/\r?\n/).filter((line) => line.trim() !== '').map((line) => `* ${line}`).join('\n')
    case 'join':
      return `* ${nameOf(event.participant)} joined`
    case 'leave':
      return `* ${nameOf(event.participant)} left`
    case 'nickname':
      return `* ${event.previousNickname ?? event.participant.uri} is now ${nameOf(event.participant)}`
    case 'room-closed':
      return event.reason === 'kicked' ? '* you were removed from the room' : '* the room was closed'
    case 'connection':
      return event.state === 'disconnected' ? '* connection lost, reconnecting…' : '* reconnected'
    default:
      return undefined
  }
}

/** How {@link describeEvent} renders. */
export interface DescribeOptions {
  /** Dim the room's history with ANSI SGR 2 (for a terminal that shows colour). */
  readonly color?: boolean | undefined
  /** The time history lines are dated against (default: now). */
  readonly now?: Date | undefined
}

const DIM = '\x1b[2m'
const UNDIM = '\x1b[22m'

/** `HH:MM` in local time, with the date in front when it was not today. */
function timeOf(at: Date, now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0')
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}`
  const sameDay = at.getFullYear() === now.getFullYear() && at.getMonth() === now.getMonth() && at.getDate() === now.getDate()
  return sameDay ? time : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`
}

function senderName(uri: string, participants: readonly Participant[]): string {
  const lower = uri.toLowerCase()
  const known = participants.find((p) => p.uri.toLowerCase() === lower)?.nickname
  return known ?? /^sips?:([^@;?]+)@/i.exec(uri)?.[1] ?? uri
}

function nameOf(participant: Participant): string {
  return participant.nickname ?? participant.uri
}

function findParticipant(participants: readonly Participant[], who: string): Participant | undefined {
  const lower = who.toLowerCase()
  return participants.find((p) => p.nickname?.toLowerCase() === lower) ?? participants.find((p) => p.uri.toLowerCase() === lower)
}
