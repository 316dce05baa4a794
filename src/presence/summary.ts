import { buildPidf } from './pidf.ts'
import type { PresenceDocument, PresenceNote } from './pidf-types.ts'

/** The few facts a chat UI or bot needs from a presence document. */
export interface PresenceSummary {
  /** True when any tuple is `open` (RFC 3863 §4.1.4). */
  open: boolean
  /** First note, preferring `lang` when given: person notes, then tuple notes, then document notes. */
  note: string | undefined
  /** RPID activities of all persons (RFC 4480). */
  activities: string[]
}

function pick(notes: PresenceNote[], lang: string | undefined): string | undefined {
  if (notes.length === 0) return undefined
  const wanted = lang === undefined ? undefined : notes.find((n) => n.lang?.toLowerCase() === lang.toLowerCase())
  return (wanted ?? notes[0])!.text
}

/** Reduce a PIDF document to open/closed, a note and activities. */
export function summarizePresence(doc: PresenceDocument, lang?: string): PresenceSummary {
  const allNotes = [...doc.persons.flatMap((p) => p.notes), ...doc.tuples.flatMap((t) => t.notes), ...doc.notes]
  const note = pick(doc.persons.flatMap((p) => p.notes), lang) ?? pick(doc.tuples.flatMap((t) => t.notes), lang) ?? pick(allNotes, lang)
  return {
    open: doc.tuples.some((t) => t.basic === 'open'),
    note,
    activities: doc.persons.flatMap((p) => p.activities),
  }
}

/** Options for {@link buildSimplePresence}. */
export interface SimplePresence {
  /** Presentity URI. */
  entity: string
  /** Basic status; default true (open). */
  open?: boolean
  /** Contact URI for the tuple (e.g. the bot's SIP URI). */
  contact?: string
  /** A note shown to watchers. */
  note?: string
  lang?: string
  /** RPID activities, e.g. `['busy']`. */
  activities?: string[]
  /** Tuple and person id; default `t1` / `p1`. */
  id?: string
  timestamp?: Date
}

/** One tuple plus (when there is a note or activity) one person: the usual PUBLISH body. */
export function buildSimplePresence(opts: SimplePresence): string {
  const note: PresenceNote[] = opts.note === undefined ? [] : [opts.lang === undefined ? { text: opts.note } : { text: opts.note, lang: opts.lang }]
  const tuple: PresenceDocument['tuples'][number] = { id: opts.id ?? 't1', basic: opts.open === false ? 'closed' : 'open', notes: note }
  if (opts.contact !== undefined) tuple.contact = { uri: opts.contact }
  if (opts.timestamp) tuple.timestamp = opts.timestamp.toISOString()
  const persons = (opts.activities?.length ?? 0) > 0 || opts.note !== undefined
    ? [{ id: `p-${opts.id ?? 't1'}`, activities: opts.activities ?? [], notes: note }]
    : []
  return buildPidf({ entity: opts.entity, tuples: [tuple], persons })
}
