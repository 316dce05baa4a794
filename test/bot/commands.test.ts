import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { normalizeCommandName, parseCommand, splitArguments } from '../../src/bot/commands.ts'
import { CommandNameError } from '../../src/bot/errors.ts'
import { started, setup } from './helpers.ts'

describe('parseCommand', () => {
  it('parses name, arguments and raw arguments', () => {
    assert.deepEqual(parseCommand('/say hello  world'), {
      name: 'say',
      addressee: undefined,
      args: ['hello', 'world'],
      rawArgs: 'hello  world',
    })
  })

  it('groups "double" and \'single\' quoted arguments', () => {
    assert.deepEqual(parseCommand(`/kick "bad guy" 'for spam' now`)?.args, ['bad guy', 'for spam', 'now'])
    assert.deepEqual(splitArguments(`"say \\"hi\\"" 'it''s' a"b c"d`), ['say "hi"', 'its', 'ab cd'])
    assert.deepEqual(splitArguments('"" x'), ['', 'x'])
  })

  it('takes an unterminated quote to the end instead of throwing', () => {
    assert.deepEqual(splitArguments('"never closed here'), ['never closed here'])
  })

  it('lower-cases the name, reads @addressee, allows leading spaces', () => {
    const c = parseCommand('  /HeLp@Echo topic')
    assert.equal(c?.name, 'help')
    assert.equal(c?.addressee, 'Echo')
    assert.deepEqual(c?.args, ['topic'])
  })

  it('is not a command without a leading slash, or with junk glued to the name', () => {
    assert.equal(parseCommand('help'), undefined)
    assert.equal(parseCommand('/'), undefined)
    assert.equal(parseCommand('/help!'), undefined)
    assert.equal(parseCommand('a /help'), undefined)
    assert.equal(parseCommand('//help'), undefined)
  })

  it('round-trips any argument list quoted with double quotes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 6 }), (args) => {
        const quoted = args.map((a) => `"${a.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(' ')
        assert.deepEqual(splitArguments(quoted), args)
      }),
      { numRuns: 200 },
    )
  })
})

describe('command name registration', () => {
  it("rejects '/start' with an error that says do not include '/'", () => {
    assert.throws(() => normalizeCommandName('/start'), (err: unknown) => {
      assert.ok(err instanceof CommandNameError)
      assert.equal(err.code, 'BOT_COMMAND_NAME_INVALID')
      assert.match(err.message, /do not include '\/'/)
      assert.match(err.message, /bot\.command\('start'/)
      return true
    })
    const { bot } = setup()
    assert.throws(() => bot.command('/start', () => {}), /do not include '\/'/)
  })

  it('rejects @, spaces and empty names with the rule', () => {
    assert.throws(() => normalizeCommandName('help@echo'), /do not include '@'/)
    assert.throws(() => normalizeCommandName('two words'), /no spaces/)
    assert.throws(() => normalizeCommandName(''), /1-32 letters/)
    assert.equal(normalizeCommandName('Help_Me-2'), 'help_me-2')
  })
})

describe('bot.command', () => {
  it('handles commands in public and private messages, case-insensitively', async () => {
    const seen: string[] = []
    const { lobby } = await started((bot) => {
      bot.command('Help', (ctx) => {
        seen.push(`${ctx.kind}:${ctx.command.name}:${ctx.match}`)
      })
    })
    await lobby.say('alice', '/help me')
    await lobby.whisper('bob', '/HELP')
    await lobby.say('alice', 'help')
    assert.deepEqual(seen, ['message:help:me', 'private:help:'])
  })

  it('accepts /cmd@nickname for this bot (nickname or URI user) and ignores other bots', async () => {
    const seen: string[] = []
    const fallthrough: string[] = []
    const { lobby } = await started((bot) => {
      bot.command(['help', 'about'], (ctx) => {
        seen.push(ctx.text)
      })
      bot.on('message', (ctx) => {
        fallthrough.push(ctx.text)
      })
    })
    await lobby.say('alice', '/help@echo')
    await lobby.say('alice', '/about@ECHO x')
    await lobby.say('alice', '/help@otherbot')
    assert.deepEqual(seen, ['/help@echo', '/about@ECHO x'])
    assert.deepEqual(fallthrough, ['/help@otherbot'])
  })

  it('uses the current room nickname for @addressing after a rename', async () => {
    const seen: string[] = []
    const { lobby, room } = await started((bot) => {
      bot.command('help', (ctx) => {
        seen.push(ctx.text)
      })
    })
    await room.setNickname('helper')
    await lobby.say('alice', '/help@helper')
    await lobby.say('alice', '/help@echo') // still the URI's user part
    await lobby.say('alice', '/help@bob')
    assert.deepEqual(seen, ['/help@helper', '/help@echo'])
  })

  it('passes parsed arguments with quotes in ctx.command.args', async () => {
    let args: readonly string[] = []
    const { lobby } = await started((bot) => {
      bot.command('remind', (ctx) => {
        args = ctx.command.args
      })
    })
    await lobby.say('alice', `/remind "team meeting" 'at 10'`)
    assert.deepEqual(args, ['team meeting', 'at 10'])
  })
})

describe('bot.hears', () => {
  it('puts regex captures in ctx.match', async () => {
    const rolls: string[] = []
    const { lobby } = await started((bot) => {
      bot.hears(/^roll (\d+)d(\d+)$/i, (ctx) => {
        rolls.push(`${ctx.match[1]}x${ctx.match[2]}`)
      })
    })
    await lobby.say('alice', 'Roll 2d6')
    await lobby.say('alice', 'roll a die')
    assert.deepEqual(rolls, ['2x6'])
  })

  it('matches strings as the whole trimmed text, and any trigger of a list', async () => {
    const seen: string[] = []
    const { lobby } = await started((bot) => {
      bot.hears(['ping', /^hey\b/g], (ctx) => {
        seen.push(ctx.match[0])
      })
    })
    await lobby.say('alice', 'ping')
    await lobby.say('alice', 'ping pong')
    await lobby.say('alice', ' ping ')
    await lobby.whisper('alice', 'hey there')
    await lobby.say('alice', 'hey again') // a /g RegExp must not keep lastIndex between updates
    assert.deepEqual(seen, ['ping', ' ping ', 'hey', 'hey'])
  })
})
