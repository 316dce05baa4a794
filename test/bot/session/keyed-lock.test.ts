import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { KeyedLock } from '../../../src/bot/session/keyed-lock.ts'

describe('KeyedLock', () => {
  it('runs tasks for one key one after the other, in arrival order, and others alongside', async () => {
    const lock = new KeyedLock()
    const events: string[] = []
    let releaseFirst!: () => void
    const firstMayEnd = new Promise<void>((resolve) => (releaseFirst = resolve))
    const a1 = lock.run('a', async () => {
      events.push('a1 start')
      await firstMayEnd
      events.push('a1 end')
    })
    const a2 = lock.run('a', async () => {
      events.push('a2 start')
    })
    const b = lock.run('b', async () => {
      events.push('b ran')
    })
    await b
    assert.deepEqual(events, ['a1 start', 'b ran']) // b did not wait for a; a2 did
    releaseFirst()
    await Promise.all([a1, a2])
    assert.deepEqual(events, ['a1 start', 'b ran', 'a1 end', 'a2 start'])
    assert.equal(lock.size, 0) // nothing kept once the keys are idle
  })

  it('goes on with the next task after one rejects', async () => {
    const lock = new KeyedLock()
    const failing = lock.run('k', async () => {
      throw new Error('boom')
    })
    const next = lock.run('k', async () => 42)
    await assert.rejects(failing, /boom/)
    assert.equal(await next, 42)
    assert.equal(lock.size, 0)
  })
})
