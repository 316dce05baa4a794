import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FakeClock, flushMicrotasks } from '../../src/clock.ts'
import { StepAbortedError, StepGuard, StepTimeoutError } from '../../src/chat/step-guard.ts'

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('StepGuard', () => {
  it('passes the outcome of a step through and leaves no timer behind', async () => {
    const clock = new FakeClock()
    const steps = new StepGuard(clock, 1000)
    assert.equal(await steps.run('REGISTER', Promise.resolve('200 OK')), '200 OK')
    await assert.rejects(steps.run('INVITE', Promise.reject(new Error('486 Busy Here'))), /486 Busy Here/)
    assert.equal(clock.runNext(), undefined, 'no timer pending')
  })

  it('gives a step up at its deadline with CHAT_STEP_TIMEOUT, lets onAbandon undo it, and swallows its late outcome', async () => {
    const clock = new FakeClock()
    const lines: string[] = []
    const steps = new StepGuard(clock, 1000, { logger: { debug: (m) => lines.push(m) }, label: 'sip:echo@example.test' })
    const work = deferred<string>()
    let abandoned: Promise<string> | undefined
    const result = steps.run('INVITE sip:lobby@example.test', work.promise, { onAbandon: (late) => (abandoned = late) })
    const settled = result.then(() => undefined, (error: unknown) => error)
    clock.advance(999)
    await flushMicrotasks()
    assert.equal(abandoned, undefined)
    clock.advance(1)
    const error = await settled
    assert.ok(error instanceof StepTimeoutError)
    assert.equal(error.code, 'CHAT_STEP_TIMEOUT')
    assert.equal(error.step, 'INVITE sip:lobby@example.test')
    assert.equal(error.timeoutMs, 1000)
    assert.equal(abandoned, work.promise)
    work.reject(new Error('a late failure nobody awaits')) // must not surface as an unhandled rejection
    await flushMicrotasks()
    assert.deepEqual(lines, [
      'sip:echo@example.test: step INVITE sip:lobby@example.test started',
      'sip:echo@example.test: step INVITE sip:lobby@example.test abandoned (INVITE sip:lobby@example.test got no outcome within 1000 ms; it was given up (a reconnecting bot tries again after its backoff))',
    ])
  })

  it('abortAll() abandons the steps in flight with CHAT_STEP_ABORTED, not those started after; epoch counts the aborts', async () => {
    const clock = new FakeClock()
    const steps = new StepGuard(clock, 40_000)
    const early = steps.run('REGISTER', deferred<void>().promise).then(() => undefined, (error: unknown) => error)
    assert.equal(steps.epoch, 0)
    steps.abortAll(new Error('the SIP connection memory-2 closed (remote)'))
    assert.equal(steps.epoch, 1)
    const error = await early
    assert.ok(error instanceof StepAbortedError)
    assert.equal(error.code, 'CHAT_STEP_ABORTED')
    assert.match(error.message, /REGISTER was abandoned: the SIP connection memory-2 closed/)
    const later = deferred<string>()
    const run = steps.run('REGISTER', later.promise)
    later.resolve('200 OK')
    assert.equal(await run, '200 OK')
    assert.equal(clock.runNext(), undefined, 'no timer pending')
  })

  it('a per-step deadline overrides the default', async () => {
    const clock = new FakeClock()
    const steps = new StepGuard(clock, 40_000)
    const result = steps.run('MSRP connect to example.test:2855', deferred<void>().promise, { timeoutMs: 50 }).then(() => undefined, (error: unknown) => error)
    clock.advance(50)
    assert.equal(((await result) as StepTimeoutError).timeoutMs, 50)
  })
})
