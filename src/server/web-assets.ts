/**
 * The browser chat page as the web port serves it: `index.html`, `style.css` and `app.js`, the
 * page's code bundled with the project's own SIP/MSRP stack (src/web, docs/web.md).
 *
 * The published package carries `app.js` prebuilt (`npm run build` writes dist/web). Run from
 * the repository (tsx, no build step) there is none, and the page is bundled once per process
 * with esbuild, a development dependency. Every response is same-origin only: a
 * Content-Security-Policy of `'self'`, no external fetch, `nosniff`.
 *
 * @module
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { MsrpBotError } from '../errors.ts'
import type { BasicLogger } from '../logger.ts'

/** One file of the page. */
export interface WebAsset {
  readonly body: Buffer
  readonly contentType: string
}

/** Where the page's files are: src/web beside src/server, or dist/web beside dist/server. */
const PAGE_DIR = new URL('../web/', import.meta.url)

/** Headers on every answer of the web port (same origin only, no sniffing, no framing). */
export const WEB_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

let loading: Promise<ReadonlyMap<string, WebAsset>> | undefined

/**
 * The page's files by URL path (`/`, `/style.css`, `/app.js`), read (and bundled, in the
 * repository) once per process.
 *
 * @throws MsrpBotError `WEB_PAGE_UNAVAILABLE` when there is no prebuilt bundle and esbuild is missing.
 */
export function loadWebAssets(): Promise<ReadonlyMap<string, WebAsset>> {
  loading ??= readAssets()
  loading.catch(() => {
    loading = undefined
  })
  return loading
}

async function readAssets(): Promise<ReadonlyMap<string, WebAsset>> {
  const html = await readFile(new URL('index.html', PAGE_DIR))
  const css = await readFile(new URL('style.css', PAGE_DIR))
  const prebuilt = new URL('app.js', PAGE_DIR)
  const js = existsSync(prebuilt) ? await readFile(prebuilt) : await bundleWebPage()
  return new Map<string, WebAsset>([
    ['/', { body: html, contentType: 'text/html; charset=utf-8' }],
    ['/index.html', { body: html, contentType: 'text/html; charset=utf-8' }],
    ['/style.css', { body: css, contentType: 'text/css; charset=utf-8' }],
    ['/app.js', { body: js, contentType: 'text/javascript; charset=utf-8' }],
  ])
}

/**
 * Bundles src/web/main.ts for the browser with esbuild (minified, one file). The codecs still
 * use Node's `Buffer`; the bundle gets the `buffer` package's in its place (buffer-shim.ts).
 */
export async function bundleWebPage(): Promise<Buffer> {
  let esbuild: typeof import('esbuild')
  try {
    esbuild = await import('esbuild')
  } catch (cause) {
    throw new MsrpBotError('WEB_PAGE_UNAVAILABLE', 'the chat page has no prebuilt app.js here and esbuild is not installed to bundle it: run `npm install` in the repository, or `npm run build`', { cause })
  }
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('main.ts', PAGE_DIR))],
    inject: [fileURLToPath(new URL('buffer-shim.ts', PAGE_DIR))],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  })
  return Buffer.from(result.outputFiles[0]!.contents)
}

/**
 * Answers the page's HTTP requests: GET/HEAD of its files and `/config.json` (the SIP domain
 * the page joins in), 404 for other paths, 405 for other methods.
 */
export function webAssetHandler(log: BasicLogger, page: { readonly domain: string }): (request: IncomingMessage, response: ServerResponse) => void {
  const config: WebAsset = { body: Buffer.from(JSON.stringify({ domain: page.domain })), contentType: 'application/json' }
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0]!
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...WEB_SECURITY_HEADERS, Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed: the chat page is read with GET\n')
      return
    }
    loadWebAssets().then(
      (assets) => {
        const asset = path === '/config.json' ? config : assets.get(path)
        if (asset === undefined) {
          response.writeHead(404, { ...WEB_SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: the chat page is at /\n')
          return
        }
        response.writeHead(200, { ...WEB_SECURITY_HEADERS, 'Content-Type': asset.contentType, 'Content-Length': asset.body.length, 'Cache-Control': 'no-cache' })
        response.end(request.method === 'HEAD' ? undefined : asset.body)
      },
      (error: unknown) => {
        log.warn(`web: cannot serve the chat page: ${error instanceof Error ? error.message : String(error)}`)
        response.writeHead(500, { ...WEB_SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end('the chat page is unavailable; the server log says why\n')
      },
    )
  }
}
