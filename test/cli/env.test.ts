import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import fc from 'fast-check'
import { EnvFileError, loadEnvFile, parseEnv } from '../../src/cli/env.ts'
import { tempDir } from './helpers.ts'

describe('parseEnv', () => {
  test('KEY=VALUE lines, blank lines and comments', () => {
    assert.deepEqual(parseEnv('# comment\n\nA=1\n  B = two words  \n#C=3\n'), { A: '1', B: 'two words' })
  })

  test('export prefix, empty values, last duplicate wins', () => {
    assert.deepEqual(parseEnv('export A=1\nexport  B=\nA=2'), { A: '2', B: '' })
  })

  test('inline comments need whitespace before #', () => {
    assert.deepEqual(parseEnv('A=pa#ss\nB=value # note\nC=#notcomment'), { A: 'pa#ss', B: 'value', C: '#notcomment' })
  })

  test('double quotes process escapes; single and backtick quotes are literal', () => {
    const env = parseEnv(`A="line1\\nline2 \\"q\\" \\\\ # kept"\nB='no \\n escape # kept'\nC=\`tick 'x' "y"\``)
    assert.equal(env['A'], 'line1\nline2 "q" \\ # kept')
    assert.equal(env['B'], 'no \\n escape # kept')
    assert.equal(env['C'], `tick 'x' "y"`)
  })

  test('quoted values may span lines and be followed by a comment', () => {
    assert.deepEqual(parseEnv('KEY="-----BEGIN\nabc\n-----END" # pem\nNEXT=1'), { KEY: '-----BEGIN\nabc\n-----END', NEXT: '1' })
  })

  test('no $VAR expansion', () => {
    assert.deepEqual(parseEnv('A=1\nB=$A\nC="${A}"'), { A: '1', B: '$A', C: '${A}' })
  })

  test('CRLF line endings and a BOM', () => {
    assert.deepEqual(parseEnv('\uFEFFA=1\r\nB="x"\r\n'), { A: '1', B: 'x' })
  })

  test('errors name the source and line', () => {
    assert.throws(() => parseEnv('A=1\nJUSTAWORD', '.env'), (e: unknown) => {
      assert.ok(e instanceof EnvFileError)
      assert.equal(e.code, 'CLI_ENV_FILE_INVALID')
      assert.equal(e.line, 2)
      assert.match(e.message, /^\.env:2: expected KEY=VALUE/)
      return true
    })
    assert.throws(() => parseEnv('1BAD=x'), /not a valid variable name/)
    assert.throws(() => parseEnv('A="never closed\nB=2'), /A:|quote of A is never closed/)
    assert.throws(() => parseEnv('A="x" trailing'), /unexpected 'trailing' after the closing quote of A/)
  })
})

describe('loadEnvFile', () => {
  const tmp = tempDir()
  after(tmp.cleanup)

  test('sets unset variables and never overrides set ones (even empty)', () => {
    const path = tmp.write('.env', 'A=from-file\nB=from-file\nC=from-file\n')
    const env: NodeJS.ProcessEnv = { A: 'from-env', B: '' }
    const result = loadEnvFile(path, env)
    assert.deepEqual(env, { A: 'from-env', B: '', C: 'from-file' })
    assert.deepEqual(result, { found: true, loaded: ['C'], kept: ['A', 'B'] })
  })

  test('a missing file is fine when optional, an error otherwise', () => {
    const env: NodeJS.ProcessEnv = {}
    assert.deepEqual(loadEnvFile(`${tmp.dir}/nope.env`, env, { optional: true }), { found: false, loaded: [], kept: [] })
    assert.throws(() => loadEnvFile(`${tmp.dir}/nope.env`, env), { code: 'CLI_ENV_FILE_MISSING' })
  })
})

describe('parseEnv properties', () => {
  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/)

  test('what a double-quoting writer writes, parseEnv reads back', () => {
    fc.assert(
      fc.property(fc.dictionary(key, fc.string({ maxLength: 30 })), (vars) => {
        const text = Object.entries(vars)
          .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r/g, '\\r')}"`)
          .join('\n')
        assert.deepEqual(parseEnv(text), { ...vars })
      }),
      { numRuns: 200 },
    )
  })

  test('any input either parses or fails with EnvFileError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          parseEnv(text)
        } catch (error) {
          assert.ok(error instanceof EnvFileError, String(error))
        }
      }),
      { numRuns: 300 },
    )
  })
})

test('parseEnv: __proto__ is an ordinary key', () => {
  const env = parseEnv('__proto__=x\nA=1')
  assert.equal(Object.getPrototypeOf(env), Object.prototype)
  assert.deepEqual(Object.keys(env), ['__proto__', 'A'])
})
