/**
 * The `Reason` header (RFC 3326) the focus puts on the BYEs it sends, so a participant can tell
 * why its session ended. RFC 3326 §2 lets a `SIP` cause carry any SIP status code; the codes
 * chosen here say what the participant should do next:
 *
 * | why                          | header value                                        | client reading          |
 * |------------------------------|-----------------------------------------------------|-------------------------|
 * | removed by a moderator       | `SIP;cause=403;text="Removed by moderator"`         | forbidden now: kicked   |
 * | room deleted / closed        | `SIP;cause=410;text="Room closed"`                  | gone for good: closed   |
 * | server shutting down         | `SIP;cause=503;text="Server shutting down"`         | unavailable: come back  |
 * | MSRP session failed/not bound| `SIP;cause=408;text="MSRP session failed"`          | re-join                 |
 * | stopped reading its messages | `SIP;cause=408;text="Not reading messages"`         | re-join                 |
 *
 * (RFC 4579 §5.5 defines the REFER that removes a participant but no Reason; 403 says "the
 * focus no longer lets you in", 410 "this room is gone", 503 "try again later".)
 *
 * @module
 */

/** Why the focus ends a participant's session. */
export type ByeCause = 'kicked' | 'room-closed' | 'shutdown' | 'media-failed' | 'slow-receiver'

/** The RFC 3326 `Reason` header value for each {@link ByeCause}. */
export const BYE_REASONS: Readonly<Record<ByeCause, string>> = {
  kicked: 'SIP;cause=403;text="Removed by moderator"',
  'room-closed': 'SIP;cause=410;text="Room closed"',
  shutdown: 'SIP;cause=503;text="Server shutting down"',
  'media-failed': 'SIP;cause=408;text="MSRP session failed"',
  // A receiver whose unread output passed the write bound (MSRP_WRITE_OVERFLOW): dropped so the
  // rest of the room is not held up or the server's memory filled (docs/security.md).
  'slow-receiver': 'SIP;cause=408;text="Not reading messages"',
}
