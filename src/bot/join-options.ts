/**
 * The options of joining a room: `bot.join(room, options)` and `ctx.invitation.accept(options)`.
 *
 * @module
 */

/** Options for `bot.join` and `ctx.invitation.accept`. */
export interface JoinRoomOptions {
  /** The nickname to claim (RFC 7701 §6). Defaults to the user part of the bot's URI. */
  nickname?: string | undefined
  /**
   * What to do when the nickname is taken (425): false (default) fails the join; true tries
   * `nickname2`, `nickname3`, …; a function returns the nickname for attempt n (1-based count of
   * refusals so far).
   */
  retryNicknames?: boolean | ((attempt: number, nickname: string) => string) | undefined
  /** How many nicknames to try in all before giving up (default 5). */
  maxNicknameAttempts?: number | undefined
}
