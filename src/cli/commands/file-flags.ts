/**
 * The room-file flags `msrp-bot server` and `msrp-bot dev` share (RFC 5547): where files shared
 * in rooms are stored, how much, and the rooms' default file policy (push to everyone, keep after
 * the room goes).
 *
 * @module
 */
import { booleanFlag, stringFlag } from '../args.ts'
import type { FlagSpec } from '../args.ts'
import { CliUsageError } from '../errors.ts'
import type { ServerOptions } from '../runtime.ts'
import { parseCount } from '../validate.ts'

/** `--files` and the flags that need it. */
export const fileFlags: Record<string, FlagSpec> = {
  files: { type: 'string', value: '<dir>', description: 'Store files shared in rooms (RFC 5547) in this folder; without it rooms take no files' },
  'max-file-size': { type: 'string', value: '<bytes>', description: 'With --files: the largest file a room takes; bigger ones get 413 (k/m suffix)', default: '50m' },
  'room-file-quota': { type: 'string', value: '<bytes>', description: 'With --files: the most bytes of files one room keeps; more get 413 (k/m suffix)', default: '200m' },
  'push-files': { type: 'boolean', description: 'With --files: each room offers every stored file to all its other participants (they accept or decline it)' },
  'keep-files': { type: 'boolean', description: "With --files: keep a room's files when the room goes and across restarts (listed again when it comes back) instead of deleting them with it" },
}

/** `--files` and its limits and policy; only what was given. */
export function parseFileFlags(command: string, values: Parameters<typeof stringFlag>[0]): Pick<ServerOptions, 'files'> {
  const dir = stringFlag(values, 'files')
  const maxFile = stringFlag(values, 'max-file-size')
  const quota = stringFlag(values, 'room-file-quota')
  const push = booleanFlag(values, 'push-files')
  const keep = booleanFlag(values, 'keep-files')
  if (dir === undefined) {
    const needing = maxFile !== undefined ? '--max-file-size' : quota !== undefined ? '--room-file-quota' : push ? '--push-files' : keep ? '--keep-files' : undefined
    if (needing !== undefined) throw new CliUsageError(`${command}: ${needing} needs --files <dir> (rooms take files only with it)`, { command })
    return {}
  }
  return {
    files: {
      dir,
      ...(maxFile === undefined ? {} : { maxFileBytes: parseCount(command, '--max-file-size', maxFile, { min: 1, max: 1024 * 1024 * 1024 * 1024, bytes: true }) }),
      ...(quota === undefined ? {} : { maxRoomBytes: parseCount(command, '--room-file-quota', quota, { min: 1, max: 1024 * 1024 * 1024 * 1024, bytes: true }) }),
      ...(push ? { push: true } : {}),
      ...(keep ? { retention: 'keep' as const } : {}),
    },
  }
}
