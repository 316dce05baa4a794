/**
 * The browser chat page (docs/web.md): join a room under a name (or straight from a link,
 * `?user=alice&room=lobby`), chat in public, whisper by choosing a person, watch the roster,
 * and read every SIP, MSRP and CPIM frame in the inspector.
 *
 * @module
 */
import type { BackendEvent, Participant, RoomHandle } from '../chat/backend.ts'
import type { FileEvent } from '../chat/file-contract.ts'
import { parseFileNotice } from '../rooms/file-notice.ts'
import type { SipChatBackend } from '../chat/sip-chat-backend.ts'
import { createPageBackend, loadConfig } from './connect.ts'
import { Inspector } from './inspector.ts'
import { displayName, RosterView } from './roster-view.ts'
import { TranscriptView } from './transcript-view.ts'

const NAME = /^[A-Za-z0-9._-]{1,64}$/
/** Stop saying "typing" this long after the last key (RFC 3994 §4: the idle timeout). */
const TYPING_IDLE_MS = 5_000

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id)
  if (found === null) throw new Error(`the page has no #${id}`)
  return found as T
}

const status = element<HTMLParagraphElement>('status')
const joinForm = element<HTMLFormElement>('join')
const chat = element<HTMLElement>('chat')
const compose = element<HTMLFormElement>('compose')
const message = element<HTMLInputElement>('message')
const nickname = element<HTMLInputElement>('nickname')
const whisper = element<HTMLParagraphElement>('whisper')
const commands = element<HTMLDivElement>('commands')
const typingLine = element<HTMLParagraphElement>('typing')
const transcript = new TranscriptView(element('log'))
const inspector = new Inspector(element<HTMLOListElement>('frames'))
element<HTMLButtonElement>('inspector-clear').addEventListener('click', () => inspector.clear())

let backend: SipChatBackend | undefined
let room: RoomHandle | undefined
let self = ''
let whisperTo: Participant | undefined
let typingTimer: ReturnType<typeof setTimeout> | undefined
const knownCommands = new Set<string>()

const roster = new RosterView(element<HTMLUListElement>('roster'), (p) => startWhisper(p))

function setStatus(text: string): void {
  status.textContent = text
}

function nameOf(uri: string, nick?: string): string {
  if (nick !== undefined) return nick
  const p = room?.participants.find((x) => x.uri === uri)
  return displayName(p ?? { uri })
}

function refreshRoster(): void {
  if (room === undefined) return
  roster.show(room.participants, self)
  const typing = roster.typingNames()
  typingLine.textContent = typing.length === 0 ? '' : `${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`
}

function startWhisper(p: Participant | undefined): void {
  whisperTo = p
  whisper.hidden = p === undefined
  element('whisper-to').textContent = p === undefined ? '' : `Whispering to ${displayName(p)} (Escape returns to the room)`
  message.focus()
}
element<HTMLButtonElement>('whisper-cancel').addEventListener('click', () => startWhisper(undefined))

/** Slash commands a bot listed (its /help answer), offered as buttons that fill the message box. */
function learnCommands(text: string): void {
  for (const match of text.matchAll(/(?:^|\s)(\/[a-z][\w-]*)/gim)) {
    const command = match[1]!
    if (knownCommands.has(command) || knownCommands.size >= 50) continue
    knownCommands.add(command)
    const button = document.createElement('button')
    button.type = 'button'
    button.textContent = command
    button.addEventListener('click', () => {
      message.value = `${command} `
      message.focus()
    })
    commands.append(button)
  }
}
learnCommands('/help /nick')

function onEvent(event: BackendEvent): void {
  switch (event.type) {
    case 'message': {
      const text = typeof event.body === 'string' ? event.body : `(${event.contentType}, ${event.body.byteLength} bytes)`
      const who = nameOf(event.sender.uri, event.sender.nickname)
      if (event.private) transcript.add('private', `${who} → you (private)`, text, event.timestamp)
      else transcript.add(event.history === true ? 'history' : 'message', who, text, event.timestamp)
      if (room?.participants.find((p) => p.uri === event.sender.uri)?.isBot === true) learnCommands(text)
      roster.setTyping(event.sender.uri, false)
      refreshRoster()
      break
    }
    case 'notice':
      transcript.add('notice', '', event.text, event.timestamp)
      noteRefusedPush(event.text)
      break
    case 'join':
      transcript.add('notice', '', `${displayName(event.participant)} joined`)
      void backend?.watch(event.participant.uri).catch(() => undefined)
      refreshRoster()
      break
    case 'leave':
      transcript.add('notice', '', `${displayName(event.participant)} left`)
      if (whisperTo?.uri === event.participant.uri) startWhisper(undefined)
      refreshRoster()
      break
    case 'nickname':
      transcript.add('notice', '', `${event.previousNickname ?? event.participant.uri} is now ${displayName(event.participant)}`)
      refreshRoster()
      break
    case 'composing':
      roster.setTyping(event.sender.uri, event.active)
      refreshRoster()
      break
    case 'presence':
      roster.setPresence(event.contact, event.presence.status)
      break
    case 'room-closed':
      transcript.add('error', '', event.reason === 'kicked' ? 'You were removed from the room.' : 'The room was closed.')
      setStatus('Not in a room')
      break
    case 'file':
      onFile(event)
      break
    case 'connection':
      setStatus(event.state === 'disconnected' ? 'Connection lost, reconnecting…' : `In ${room?.uri ?? 'the room'}`)
      if (event.state === 'reconnected') refreshRoster()
      break
  }
}

/**
 * A file for this user. The page has no MSRP listener, so it can take none: an offer (sent to
 * this user directly, or pushed by the room) is declined at once — 488, so the sender is not left
 * ringing and the user's other devices may still take it — and the transcript says so. A file a
 * room only announced needs no answer: its notice is already in the transcript.
 */
function onFile(event: FileEvent): void {
  if (event.room !== undefined && event.pushed !== true) return
  event.file.decline()
  const who = event.pushed === true ? `${event.sender.nickname ?? 'Someone'} (through the room)` : nameOf(event.sender.uri, event.sender.nickname)
  const { name, size } = event.file.info
  transcript.add('error', '', `${who} offered you a file, ${name} (${size} bytes). This page cannot take files, so it was refused; use a chat client that takes files (msrp-bot chat) to receive it.`)
}

/**
 * The room's notice of a file it offers to everyone (rooms/file-notice.ts): the page's stack
 * refused that offer with 488 (it has no MSRP listener), so say so under the notice.
 */
function noteRefusedPush(text: string): void {
  const file = parseFileNotice(text)
  if (file?.pushed !== true) return
  transcript.add('error', '', `The room offered you ${file.name}. This page cannot take files, so it was refused; use a chat client that takes files (msrp-bot chat) to get it from the room.`)
}

async function join(user: string, roomName: string): Promise<void> {
  // Kept in the form, to try again from there if this fails.
  element<HTMLInputElement>('join-user').value = user
  element<HTMLInputElement>('join-room').value = roomName
  joinForm.hidden = true
  chat.hidden = false
  setStatus(`Connecting as ${user}…`)
  try {
    const config = await loadConfig()
    backend = createPageBackend(user, config, (frame) => inspector.add(frame))
    backend.subscribe(onEvent)
    await backend.start()
    self = backend.uri
    const roomUri = `sip:${roomName}@${config.domain}`
    room = await backend.join(roomUri, { nickname: user })
    nickname.value = room.nickname ?? user
    element('room-title').textContent = `Room ${roomName}`
    document.title = `${roomName} · msrp-bot chat`
    setStatus(`In ${roomUri} as ${room.nickname ?? user}`)
    for (const p of room.participants) if (p.uri !== self) void backend.watch(p.uri).catch(() => undefined)
    refreshRoster()
    message.focus()
  } catch (error) {
    // Back to the form, with the reason (a nickname taken, a room that does not exist ...).
    const failed = backend
    backend = undefined
    room = undefined
    // Stopped before the form comes back, so a new try does not overlap its unregistering.
    await failed?.stop().catch(() => undefined)
    chat.hidden = true
    joinForm.hidden = false
    setStatus(`Could not join: ${error instanceof Error ? error.message : String(error)}`)
    element<HTMLInputElement>('join-user').focus()
  }
}

async function send(text: string): Promise<void> {
  const current = room
  if (current === undefined) return
  stopTyping()
  const nick = /^\/nick\s+(\S+)$/.exec(text)
  try {
    if (nick !== null) {
      await current.setNickname(nick[1]!)
      nickname.value = current.nickname ?? nick[1]!
      refreshRoster()
    } else if (whisperTo !== undefined) {
      transcript.add('private', `you → ${displayName(whisperTo)} (private)`, text)
      await current.sendPrivate(whisperTo.uri, text)
    } else {
      transcript.add('message', current.nickname ?? nameOf(self), text)
      await current.send(text)
    }
  } catch (error) {
    transcript.add('error', '', `Not sent: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function stopTyping(): void {
  if (typingTimer === undefined) return
  clearTimeout(typingTimer)
  typingTimer = undefined
  void room?.sendComposing(false).catch(() => undefined)
}

message.addEventListener('input', () => {
  if (room === undefined || message.value === '') return
  if (typingTimer === undefined) void room.sendComposing(true).catch(() => undefined)
  else clearTimeout(typingTimer)
  typingTimer = setTimeout(stopTyping, TYPING_IDLE_MS)
})

message.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && whisperTo !== undefined) startWhisper(undefined)
})

compose.addEventListener('submit', (event) => {
  event.preventDefault()
  const text = message.value.trim()
  if (text === '') return
  message.value = ''
  void send(text)
})

nickname.addEventListener('change', () => {
  const wanted = nickname.value.trim()
  if (room === undefined || wanted === '' || wanted === room.nickname) return
  void send(`/nick ${wanted}`)
})

joinForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const user = element<HTMLInputElement>('join-user').value.trim()
  const roomName = element<HTMLInputElement>('join-room').value.trim()
  if (NAME.test(user) && NAME.test(roomName)) void join(user, roomName)
})

window.addEventListener('pagehide', () => void backend?.stop().catch(() => undefined))

const params = new URLSearchParams(location.search)
const user = params.get('user')
const roomParam = params.get('room') ?? 'lobby'
if (user !== null && NAME.test(user) && NAME.test(roomParam)) void join(user, roomParam)
else {
  if (user !== null) element<HTMLInputElement>('join-user').value = user
  element<HTMLInputElement>('join-room').value = roomParam
  element<HTMLInputElement>('join-user').focus()
}
