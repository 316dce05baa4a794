/**
 * `msrp-bot dev` on a machine where the default ports are taken (a second `npm start`, a SIP
 * phone on 5060): the ports the user did not choose move to free ones, and the user is told.
 * Ports given with --port / --msrp-port stay as given: failing there is what was asked for.
 *
 * @module
 */
import { failedPortFlag, isPortInUse, type PortFlag } from './listen-failure.ts'
import type { ServerOptions } from './runtime-options.ts'

/** The ports a listener may move from. */
export type MovablePorts = ReadonlySet<PortFlag>

/**
 * Calls `start(settings)`; when a port in `movable` is in use, calls it again with that port 0
 * (any free one) after saying so through `say`. Other failures are rethrown as they are.
 */
export async function startOnFreePorts<T>(
  settings: ServerOptions,
  movable: MovablePorts,
  say: (line: string) => void,
  start: (settings: ServerOptions) => Promise<T>,
): Promise<T> {
  let current = settings
  // At most one retry per port flag: a port that is still taken after moving is a real failure.
  for (const moved = new Set<PortFlag>(); ; ) {
    try {
      return await start(current)
    } catch (error) {
      const flag = failedPortFlag(error)
      if (flag === undefined || !isPortInUse(error) || !movable.has(flag) || moved.has(flag)) throw error
      moved.add(flag)
      const port = flag === 'msrp-port' ? current.msrpPort : flag === 'ws-port' ? current.wsPort : current.port
      const what = flag === 'msrp-port' ? 'MSRP' : flag === 'ws-port' ? 'web' : 'SIP'
      say(`msrp-bot dev: ${what} port ${port} is in use (another msrp-bot dev?); using a free port instead (--${flag === 'ws-port' ? 'web-port' : flag} chooses one)`)
      current = flag === 'msrp-port' ? { ...current, msrpPort: 0 } : flag === 'ws-port' ? { ...current, wsPort: 0 } : { ...current, port: 0 }
    }
  }
}
