import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { BackendEvent, InvitationEvent } from '../../src/chat/backend.ts'
import { EventQueue } from '../../src/chat/event-queue.ts'
import { InFlight } from '../../src/chat/in-flight.ts'

const notice = (text: string): BackendEvent => ({ type: 'notice', room: 'sip:lobby@example.test', text, timestamp: new Date(0) }) as BackendEvent

describe('EventQueue', () => {
  it('delivers in order, one event at a time, awaiting each listener', async () => {
    const inFlight = new InFlight()
    const queue = new EventQueue(inFlight, () => undefined)
    const seen: string[] = []
    queue.subscribe(async (event) => {
      seen.push(`start ${(event as { text: string }).text}`)
      await Promise.resolve()
      seen.push(`end ${(event as { text: string }).text}`)
    })
    queue.push(notice('a'))
    queue.push(notice('b'))
    queue.deliver()
    queue.deliver() // delivering already: no second pump
    await inFlight.idle()
    assert.deepEqual(seen, ['start a', 'end a', 'start b', 'end b'])
    assert.equal(queue.length, 0)
  })

  it('warns of a listener that threw and goes on with the others', async () => {
    const inFlight = new InFlight()
    const warnings: string[] = []
    const queue = new EventQueue(inFlight, (m) => warnings.push(m))
    const seen: BackendEvent[] = []
    queue.subscribe(() => {
      throw new Error('boom')
    })
    const unsubscribe = queue.subscribe((event) => void seen.push(event))
    assert.equal(queue.listenerCount, 2)
    queue.push(notice('a'))
    queue.deliver()
    await inFlight.idle()
    assert.equal(seen.length, 1)
    assert.match(warnings[0]!, /an event listener threw: Error: boom/)
    unsubscribe()
    assert.equal(queue.listenerCount, 1)
  })

  it('declines an invitation no listener answered', async () => {
    const inFlight = new InFlight()
    const queue = new EventQueue(inFlight, () => undefined)
    let declined = 0
    const invitation = { room: 'sip:lobby@example.test', by: undefined, answered: false, accept: () => Promise.reject(new Error('unused')), decline: () => void declined++ }
    queue.push({ type: 'invitation', invitation } as InvitationEvent)
    queue.deliver()
    await inFlight.idle()
    assert.equal(declined, 1)
  })
})
