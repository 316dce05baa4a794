/**
 * The browser chat page in a real browser (headless Chromium): `msrp-bot dev bots/echo.ts`
 * serves it; alice and bob chat with each other and with the echo bot, whisper, see the roster
 * change, see the room's history after a reload, and the inspector shows the MSRP SEND of a message. Set MSRP_BOT_WEB_SCREENSHOTS to
 * a folder to save screenshots of the page there (docs/ holds the ones the README shows).
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { createNodeChatBackend } from '../../src/chat/node-platform.ts'
import { bufferSource } from '../../src/msrp/file-io.ts'
import { startMsrpBot, type RunningBinary } from '../cli/binary.ts'
import { chromiumAvailable, launchChromium } from './chromium.ts'

const available = chromiumAvailable()
const SCREENSHOTS = process.env['MSRP_BOT_WEB_SCREENSHOTS']

describe('the chat page in Chromium', { skip: available.ok ? false : available.why }, () => {
  let dev: RunningBinary
  let browser: Browser
  let base = ''
  let files = ''

  before(async () => {
    files = await mkdtemp(join(tmpdir(), 'chat-page-files-'))
    dev = startMsrpBot(['dev', 'bots/echo.ts', '--port', '0', '--msrp-port', '0', '--web-port', '0', '--no-chat', '--files', files, '--push-files'])
    await dev.waitFor(/chat in a browser at http:\/\/\S+/)
    base = /chat in a browser at (http:\/\/[^/\s]+)\//.exec(dev.stdout())![1]!
    browser = await launchChromium()
  })

  after(async () => {
    await browser?.close()
    dev?.child.kill('SIGINT')
    await dev?.exited
    if (files !== '') await rm(files, { recursive: true, force: true })
  })

  /** Opens the page as `user` in the lobby and waits until it is in the room. */
  async function open(user: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(`${base}/?user=${user}&room=lobby`)
    await page.getByRole('status').filter({ hasText: new RegExp(`^In sip:lobby@\\S+ as ${user}$`) }).waitFor()
    assert.deepEqual(errors, [])
    return page
  }

  const log = (page: Page) => page.getByRole('log')
  const participants = (page: Page) => page.getByRole('list', { name: 'Participants' })

  test('alice says hello to the echo bot and bob; bob sees it; the roster changes; whispers stay private; history after a reload', async () => {
    const alice = await open('alice')
    await participants(alice).getByRole('button', { name: /echo.*bot/ }).waitFor()
    const bob = await open('bob')
    // The roster change reaches alice (conference-info NOTIFY).
    await participants(alice).getByRole('button', { name: /^bob/ }).waitFor()

    // The "done when": type hello, press Enter, find the echo's answer; bob sees it.
    await alice.getByRole('textbox', { name: 'Message' }).fill('hello')
    await alice.getByRole('textbox', { name: 'Message' }).press('Enter')
    await log(alice).getByText('you said: hello').waitFor()
    await log(bob).getByText('hello', { exact: true }).waitFor()
    assert.match((await log(bob).textContent()) ?? '', /alice:hello/)

    // Whisper: bob chooses alice in the roster; only alice gets it.
    await participants(bob).getByRole('button', { name: /^alice.*whisper/ }).click()
    await bob.getByRole('textbox', { name: 'Message' }).fill('psst, alice')
    await bob.getByRole('textbox', { name: 'Message' }).press('Enter')
    await log(alice).getByText('psst, alice').waitFor()
    assert.match((await log(alice).textContent()) ?? '', /bob → you \(private\):psst, alice/)

    // The inspector shows the MSRP SEND that carried alice's message, and its CPIM.
    const frames = alice.getByRole('list', { name: 'Frames' })
    await frames.getByText(/sent MSRP SEND \(CPIM\)/).first().waitFor()
    assert.match((await frames.textContent()) ?? '', /Content-Type: message\/cpim[\s\S]*hello/)
    assert.match((await frames.textContent()) ?? '', /sent SIP INVITE sip:lobby@/)
    const summaries = await frames.locator('summary').allTextContents()
    assert.ok(summaries.some((t) => /received MSRP SEND \(CPIM\)/.test(t)), `the inspector shows received SENDs too:\n${summaries.join('\n')}`)

    if (SCREENSHOTS !== undefined) {
      await alice.screenshot({ path: join(SCREENSHOTS, 'web-chat.png') })
      await frames.getByText(/sent MSRP SEND \(CPIM\)/).last().click()
      await alice.screenshot({ path: join(SCREENSHOTS, 'web-chat-inspector.png') })
    }

    // bob leaves: alice's roster loses him.
    await bob.close()
    await participants(alice).getByRole('button', { name: /^bob/ }).waitFor({ state: 'detached' })

    // History after a reload: what was said while bob was away is replayed to him, marked.
    await alice.getByRole('textbox', { name: 'Message' }).fill('while you were away')
    await alice.getByRole('textbox', { name: 'Message' }).press('Enter')
    await log(alice).getByText('you said: while you were away').waitFor()
    const bobAgain = await open('bob')
    await log(bobAgain).locator('p.history').filter({ hasText: 'alice:while you were away' }).waitFor()
    await bobAgain.close()
    await alice.close()
  })

  test('a file offered to the page\'s user, directly or pushed by the room, is refused at once with 488, and the transcript says so', async () => {
    const alice = await open('alice')
    const { domain } = (await (await fetch(`${base}/config.json`)).json()) as { domain: string }
    const sipPort = /\(SIP (\d+) udp\+tcp/.exec(dev.stdout())![1]!
    const proxy = `sip:127.0.0.1:${sipPort};transport=tcp;lr`
    const dave = createNodeChatBackend({ uri: `sip:dave@${domain}`, transport: 'tcp', registrar: proxy, outboundProxy: proxy }, { reconnect: false, publishPresence: false, automaton: false })
    try {
      await dave.start()
      const bytes = new TextEncoder().encode('for the page')
      const file = { name: 'notes.txt', type: 'text/plain', size: bytes.length, sha1: createHash('sha1').update(bytes).digest('hex'), source: bufferSource(bytes) }
      // Answered by the page, not by the sender giving up after 30 s: a 488, not a timeout.
      await assert.rejects(dave.sendFile(`sip:alice@${domain}`, file), (e: { code?: string; statusCode?: number }) => e.code === 'SEND_REJECTED' && e.statusCode === 488)
      await log(alice).getByText(/dave offered you a file, notes\.txt \(12 bytes\)\. This page cannot take files/).waitFor()

      // The room pushes what dave shares to everyone (--push-files): the page's stack answers 488.
      const lobby = await dave.join(`sip:lobby@${domain}`, { nickname: 'dave' })
      const shared = new TextEncoder().encode('for the room')
      await dave.sendFile(lobby.uri, { name: 'agenda.txt', type: 'text/plain', size: shared.length, sha1: createHash('sha1').update(shared).digest('hex'), source: bufferSource(shared) })
      await log(alice).getByText(/dave shared file \d+: agenda\.txt/).waitFor()
      await log(alice).getByText(/The room offered you agenda\.txt\. This page cannot take files/).waitFor()
      await alice.getByRole('list', { name: 'Frames' }).getByText(/sent SIP 488 Not Acceptable Here/).first().waitFor()
    } finally {
      await dave.stop()
      await alice.close()
    }
  })

  test('a room that does not exist: the page says why and offers the form again; then joins on Enter and shows the room\'s history', async () => {
    const page = await browser.newPage()
    await page.goto(`${base}/?user=carol&room=nosuchroom`)
    await page.getByRole('status').filter({ hasText: /Could not join: .*nosuchroom/ }).waitFor()
    assert.ok(await page.getByRole('textbox', { name: 'Your name' }).isVisible())
    await page.getByRole('textbox', { name: 'Room' }).fill('lobby')
    await page.getByRole('textbox', { name: 'Your name' }).press('Enter')
    // "In <room> as carol" once joined ("Connecting as carol…" comes first).
    await page.getByRole('status').filter({ hasText: /^In sip:lobby@\S+ as carol$/ }).waitFor().catch(async (error: unknown) => {
      throw new Error(`${String(error)}\nstatus: ${await page.getByRole('status').textContent()}`)
    })
    // The room's history: carol, new here, gets the earlier conversation replayed and marked.
    const earlier = log(page).locator('p.history')
    await earlier.filter({ hasText: 'you said: hello' }).waitFor()
    assert.match((await earlier.first().textContent()) ?? '', /earlier/)
    await page.getByRole('textbox', { name: 'Message' }).fill('/help')
    await page.getByRole('textbox', { name: 'Message' }).press('Enter')
    await log(page).getByText(/I repeat what you say/).waitFor().catch(async (error: unknown) => {
      throw new Error(`${String(error)}\nlog: ${await log(page).textContent()}\nframes: ${await page.getByRole('list', { name: 'Frames' }).textContent()}`)
    })
    await page.close()
  })
})
