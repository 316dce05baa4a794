import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Composer, run } from '../../src/bot/composer.ts'
import { Context } from '../../src/bot/context.ts'
import type { BackendEvent } from '../../src/chat/backend.ts'
import { BotError } from '../../src/bot/errors.ts'

const message = (text: string, isPrivate = false): BackendEvent => ({
  type: 'message',
  room: 'sip:lobby@chat.example.test',
  private: isPrivate,
  sender: { uri: 'sip:alice@example.test', nickname: 'alice' },
  contentType: 'text/plain',
  body: text,
  timestamp: new Date(0),
  messageId: 'm1',
})

// A context with no room: enough for composer mechanics that do not need one.
const ctxOf = (update: BackendEvent) => new Context({ update, me: { uri: 'sip:echo@example.test' }, room: undefined })

describe('Composer', () => {
  it('runs middleware in registration order, around next()', async () => {
    const log: string[] = []
    const c = new Composer<Context>()
    c.use(async (_ctx, next) => {
      log.push('a:before')
      await next()
      log.push('a:after')
    })
    c.use(async (_ctx, next) => {
      log.push('b')
      await next()
    })
    c.use(() => {
      log.push('c')
    })
    c.use(() => {
      log.push('never: c did not call next')
    })
    await run(c.middleware(), ctxOf(message('x')))
    assert.deepEqual(log, ['a:before', 'b', 'c', 'a:after'])
  })

  it('a sub-composer returned by use() keeps receiving middleware in place', async () => {
    const log: string[] = []
    const c = new Composer<Context>()
    const branch = c.use()
    c.use(() => {
      log.push('after')
    })
    branch.use(async (_ctx, next) => {
      log.push('branch')
      await next()
    })
    await run(c.middleware(), ctxOf(message('x')))
    assert.deepEqual(log, ['branch', 'after'])
  })

  it('rejects next() called twice from one middleware', async () => {
    const c = new Composer<Context>(async (_ctx, next) => {
      await next()
      await next()
    })
    await assert.rejects(run(c.middleware(), ctxOf(message('x'))), /more than once/)
  })

  it('accepts middleware objects and nests composers', async () => {
    const seen: string[] = []
    const inner = new Composer<Context>((ctx, next) => {
      seen.push(`inner:${ctx.kind}`)
      return next()
    })
    const outer = new Composer<Context>(inner, () => {
      seen.push('outer')
    })
    await run(outer.middleware(), ctxOf(message('x')))
    assert.deepEqual(seen, ['inner:message', 'outer'])
  })

  it('filter() runs its middleware only when the predicate holds, then passes on', async () => {
    const seen: string[] = []
    const c = new Composer<Context>()
    c.filter((ctx) => ctx.text === 'yes').use((_ctx, next) => {
      seen.push('filtered')
      return next()
    })
    c.use((ctx) => {
      seen.push(`end:${ctx.text}`)
    })
    await run(c.middleware(), ctxOf(message('yes')))
    await run(c.middleware(), ctxOf(message('no')))
    assert.deepEqual(seen, ['filtered', 'end:yes', 'end:no'])
  })

  it('drop() is the inverse of filter(), and predicates may be async', async () => {
    const seen: string[] = []
    const c = new Composer<Context>()
    c.drop(async (ctx) => ctx.text === 'spam', (ctx) => {
      seen.push(ctx.text ?? '')
    })
    await run(c.middleware(), ctxOf(message('spam')))
    await run(c.middleware(), ctxOf(message('ham')))
    assert.deepEqual(seen, ['ham'])
  })

  it('branch() picks one side', async () => {
    const seen: string[] = []
    const c = new Composer<Context>()
    c.branch(
      (ctx) => ctx.isPrivate,
      () => {
        seen.push('private')
      },
      () => {
        seen.push('public')
      },
    )
    await run(c.middleware(), ctxOf(message('x', true)))
    await run(c.middleware(), ctxOf(message('x', false)))
    assert.deepEqual(seen, ['private', 'public'])
  })

  it('lazy() builds middleware per update', async () => {
    const seen: string[] = []
    const c = new Composer<Context>()
    c.lazy((ctx) =>
      ctx.text === 'list'
        ? [
            (_c, next) => {
              seen.push('one')
              return next()
            },
            () => {
              seen.push('two')
            },
          ]
        : () => {
            seen.push('single')
          },
    )
    await run(c.middleware(), ctxOf(message('list')))
    await run(c.middleware(), ctxOf(message('other')))
    assert.deepEqual(seen, ['one', 'two', 'single'])
  })

  it('on() rejects unknown filter queries at run time with the list of valid ones', () => {
    const c = new Composer<Context>()
    // @ts-expect-error -- 'mesage' is not a filter query
    assert.throws(() => c.on('mesage', () => {}), /unknown filter query "mesage".*'message'/)
  })

  it('on() matches by update kind, with lists meaning "any of"', async () => {
    const seen: string[] = []
    const c = new Composer<Context>()
    c.on('message', () => {
      seen.push('public')
    })
    c.on(['private', 'presence'], (ctx) => {
      seen.push(ctx.kind)
    })
    // No room in these contexts: room-bound queries do not match, room-less 'presence' does.
    await run(c.middleware(), ctxOf(message('x')))
    await run(c.middleware(), ctxOf({ type: 'presence', contact: 'sip:a@b', presence: { status: 'away' } }))
    assert.deepEqual(seen, ['presence'])
  })
})

describe('errorBoundary', () => {
  it('catches errors of the wrapped middleware and lets the handler continue with next()', async () => {
    const seen: string[] = []
    const c = new Composer<Context>()
    c.errorBoundary(
      async (err, next) => {
        assert.ok(err instanceof BotError)
        seen.push(`caught:${(err.error as Error).message}`)
        await next()
      },
      () => {
        throw new Error('boom')
      },
    )
    c.use(() => {
      seen.push('after')
    })
    await run(c.middleware(), ctxOf(message('x')))
    assert.deepEqual(seen, ['caught:boom', 'after'])
  })

  it('does not catch errors from middleware registered after it', async () => {
    let caught = false
    const c = new Composer<Context>()
    c.errorBoundary(
      () => {
        caught = true
      },
      (_ctx, next) => next(),
    )
    c.use(() => {
      throw new Error('downstream')
    })
    await assert.rejects(run(c.middleware(), ctxOf(message('x'))), /downstream/)
    assert.equal(caught, false)
  })

  it('stops the chain after an error unless the handler calls next()', async () => {
    const seen: string[] = []
    const c = new Composer<Context>()
    c.errorBoundary(
      () => {},
      () => {
        throw new Error('x')
      },
    )
    c.use(() => {
      seen.push('after')
    })
    await run(c.middleware(), ctxOf(message('x')))
    assert.deepEqual(seen, [])
  })
})
