/**
 * What the focus advertises in the SDP answer of a room's MSRP stream, from the room's config:
 * the RFC 7701 §8 `chatroom` attribute tokens and the RFC 4975 §8 `max-size` and
 * `accept-types` / `accept-wrapped-types` values. The SDP codec formats them.
 *
 * @module
 */

import { IMDN_TYPE, IS_COMPOSING_TYPE } from '../../rooms/content-types.ts'
import type { RoomConfig } from './room-store.ts'

/** SDP attribute values for a room's MSRP media line. */
export interface RoomMediaPolicy {
  /** `a=chatroom:` tokens (RFC 7701 §8): `nickname` always, `private-messages` if allowed. */
  chatroom: string[]
  /** `a=max-size:` in bytes (RFC 4975 §8). */
  maxSize: number
  /** `a=accept-types:` (RFC 4975 §8): the room only carries CPIM-wrapped messages (RFC 7701 §6). */
  acceptTypes: string[]
  /** `a=accept-wrapped-types:` — the room's types plus isComposing and IMDN. */
  acceptWrappedTypes: string[]
}

/** Derives the SDP policy of a room. */
export function roomMediaPolicy(config: Readonly<RoomConfig>): RoomMediaPolicy {
  const chatroom = ['nickname']
  if (config.allowPrivateMessages) chatroom.push('private-messages')
  const wrapped = config.acceptTypes.some((t) => t === '*' || t === '*/*') ? ['*'] : [...config.acceptTypes, IS_COMPOSING_TYPE, IMDN_TYPE]
  return { chatroom, maxSize: config.maxMessageSize, acceptTypes: ['message/cpim'], acceptWrappedTypes: wrapped }
}
