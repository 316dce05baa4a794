/** Shared helpers for the server core tests. */
import { ServerRoom, InMemoryRoomStore, type ChatCpim, type RoomConfig } from '../../../src/server/core/index.ts'
import { FakeClock } from '../../../src/clock.ts'

export const ROOM = 'sip:lobby@example.test'
export const ALICE = 'sip:alice@example.test'
export const BOB = 'sip:bob@example.test'
export const CAROL = 'sip:carol@example.test'
export const MOD = 'sip:mod@example.test'
export const OWNER = 'sip:owner@example.test'

/** A room on a fake clock, with sequential participant ids p1, p2, ... */
export function makeRoom(config: Partial<RoomConfig> = {}) {
  const clock = new FakeClock(1_000)
  const store = new InMemoryRoomStore({ clock })
  store.createRoom(ROOM, { moderators: [MOD], owners: [OWNER], ...config })
  let n = 0
  const room = new ServerRoom(store, ROOM, { clock, newId: () => `p${++n}` })
  return { clock, store, room }
}

/** Joins and returns the participant id, failing the test if refused. */
export function joinOk(room: ServerRoom, uri: string): string {
  const d = room.join({ uri })
  if (!d.ok) throw new Error(`join of ${uri} refused: ${d.status}`)
  return d.participant.id
}

/** A CPIM message from `from` to `to` (room URI by default). */
export function cpim(from: string, text: string, options: { to?: string[]; contentType?: string } = {}): ChatCpim & { imdn: string[] } {
  return {
    from: { uri: from },
    to: (options.to ?? [ROOM]).map((uri) => ({ uri })),
    contentType: options.contentType ?? 'text/plain;charset=UTF-8',
    body: new TextEncoder().encode(text),
    imdn: ['imdn.Message-ID: 34jk324j'],
  }
}
