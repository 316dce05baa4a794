/**
 * Conference state (RFC 4575 conference-info) codec and the chat-room roster built on it.
 */
// Roster: what most callers want.
export { ConferenceRoster, toParticipant } from './roster.ts'
export type { ConferenceParticipant, RosterDiff, RosterApplyResult } from './roster.ts'
export { buildFullRoster, buildPartialRoster, diffRoomParticipants } from './documents.ts'
export type { RosterEntry, RoomDescription, RosterChanges } from './documents.ts'

// Codec.
export { parseConferenceInfo } from './parse.ts'
export { buildConferenceInfo } from './build.ts'
export { mergeConferenceInfo } from './merge.ts'
export { CONFERENCE_INFO_NAMESPACE } from './types.ts'
export type {
  ConferenceInfo,
  ConferenceDescription,
  ConferenceState,
  ConferenceUser,
  ConferenceEndpoint,
  ConferenceFile,
  ConferenceMedia,
  ConferenceUri,
  ElementState,
  EndpointStatus,
  ExecutionInfo,
} from './types.ts'
