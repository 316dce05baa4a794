import type { ConferenceEndpoint, ConferenceInfo, ConferenceMedia, ConferenceUser, ElementState } from './types.ts'

/**
 * Element-level merge of conference-info state (RFC 4575 §4.6). Pure functions: the current
 * state is never mutated; a merged copy is returned.
 *
 * An element's `state` defaults to `full` (RFC 4575 schema default): `full` replaces the
 * element, `partial` merges into it, `deleted` removes it. Keyed children are matched by
 * `entity` (user, endpoint) or `id` (media).
 */

function mergeObject<T extends object>(current: T | undefined, update: T): T {
  if (current === undefined) return { ...update }
  const out = { ...current } as Record<string, unknown>
  for (const [k, v] of Object.entries(update)) if (v !== undefined) out[k] = v
  return out as T
}

function mergeMedia(current: ConferenceMedia[], update: ConferenceMedia[]): ConferenceMedia[] {
  const out = current.map((m) => ({ ...m }))
  for (const m of update) {
    const i = out.findIndex((x) => x.id === m.id)
    if (i < 0) out.push({ ...m })
    else out[i] = mergeObject(out[i], m)
  }
  return out
}

function withoutState<T extends { state?: ElementState }>(x: T): T {
  const copy = { ...x }
  delete copy.state
  return copy
}

function mergeEndpoint(current: ConferenceEndpoint | undefined, update: ConferenceEndpoint): ConferenceEndpoint {
  const fields = withoutState(update)
  if (current === undefined || (update.state ?? 'full') === 'full') return { ...fields, media: update.media.map((m) => ({ ...m })) }
  const merged = mergeObject(current, { ...fields, media: current.media })
  merged.media = mergeMedia(current.media, update.media)
  return merged
}

function mergeKeyed<T extends { entity: string; state?: ElementState }>(current: T[], update: T[], merge: (c: T | undefined, u: T) => T): T[] {
  const out = [...current]
  for (const u of update) {
    const i = out.findIndex((x) => x.entity === u.entity)
    if ((u.state ?? 'full') === 'deleted') {
      if (i >= 0) out.splice(i, 1)
    } else if (i < 0) out.push(merge(undefined, u))
    else out[i] = merge(out[i], u)
  }
  return out
}

function mergeUser(current: ConferenceUser | undefined, update: ConferenceUser): ConferenceUser {
  const fields = withoutState(update)
  if (current === undefined || (update.state ?? 'full') === 'full') {
    return { ...fields, endpoints: mergeKeyed([], update.endpoints, mergeEndpoint) }
  }
  const merged = mergeObject(current, { ...fields, endpoints: current.endpoints })
  merged.endpoints = mergeKeyed(current.endpoints, update.endpoints, mergeEndpoint)
  return merged
}

function mergeSection<T extends { state?: ElementState }>(current: T | undefined, update: T | undefined): T | undefined {
  if (update === undefined) return current
  const state = update.state ?? 'full'
  if (state === 'deleted') return undefined
  const fields = withoutState(update)
  return state === 'full' || current === undefined ? fields : mergeObject(current, fields)
}

/** Strip `state` attributes recursively so a full document becomes plain current state. */
function normalizeUsers(list: ConferenceUser[]): ConferenceUser[] {
  return mergeKeyed([], list, mergeUser)
}

/**
 * Apply `update` to `current` (undefined = nothing known yet). A full document replaces
 * everything; a partial one is merged element by element.
 */
export function mergeConferenceInfo(current: ConferenceInfo | undefined, update: ConferenceInfo): ConferenceInfo {
  const base: ConferenceInfo = update.state === 'full' || current === undefined
    ? { entity: update.entity, state: 'full' }
    : { ...current }
  if (update.version !== undefined) base.version = update.version
  const desc = mergeSection(update.state === 'full' ? undefined : current?.description, update.description)
  if (desc) base.description = desc
  else delete base.description
  const cs = mergeSection(update.state === 'full' ? undefined : current?.conferenceState, update.conferenceState)
  if (cs) base.conferenceState = cs
  else delete base.conferenceState

  const prevUsers = update.state === 'full' ? [] : (current?.users?.list ?? [])
  if (update.users === undefined) {
    if (prevUsers.length > 0 || current?.users) base.users = { list: prevUsers }
  } else {
    const ustate = update.users.state ?? 'full'
    if (ustate === 'deleted') base.users = { list: [] }
    else if (ustate === 'full') base.users = { list: normalizeUsers(update.users.list) }
    else base.users = { list: mergeKeyed(prevUsers, update.users.list, mergeUser) }
  }
  base.state = 'full'
  return base
}
