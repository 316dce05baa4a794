import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'

/** Whether a port is free for both TCP and UDP on 127.0.0.1 (Kamailio binds both). */
async function isFree(port: number): Promise<boolean> {
  const tcp = await new Promise<boolean>((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
  if (!tcp) return false
  return new Promise<boolean>((resolve) => {
    const socket = createSocket('udp4')
    socket.once('error', () => {
      socket.close()
      resolve(false)
    })
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)))
  })
}

const taken = new Set<number>()

/**
 * A port free for TCP and UDP on loopback, never the same twice in this process.
 * Ports are drawn from 20000..39999 at random so test files running in parallel rarely collide;
 * the OS still has the last word, so callers bind soon after.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000)
    if (taken.has(port)) continue
    if (await isFree(port)) {
      taken.add(port)
      return port
    }
  }
  throw new Error('no free loopback port found for TCP+UDP in 20000..39999')
}
