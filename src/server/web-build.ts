/**
 * Writes the browser chat page, bundled, into a folder: `npm run build` puts it in dist/web,
 * where the published package's server finds it (web-assets.ts), so an installed msrp-bot needs
 * no bundler at run time.
 *
 * Run: `tsx src/server/web-build.ts dist/web`
 *
 * @module
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleWebPage } from './web-assets.ts'

/** Bundles the page into `outDir` (index.html, style.css, app.js); resolves with app.js's size. */
export async function buildWebPage(outDir: string): Promise<number> {
  await mkdir(outDir, { recursive: true })
  const source = fileURLToPath(new URL('../web/', import.meta.url))
  for (const file of ['index.html', 'style.css']) await copyFile(join(source, file), join(outDir, file))
  const js = await bundleWebPage()
  await writeFile(join(outDir, 'app.js'), js)
  return js.length
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2]
  if (outDir === undefined) {
    console.error('usage: tsx src/server/web-build.ts <folder>   (npm run build writes dist/web)')
    process.exitCode = 2
  } else {
    const size = await buildWebPage(outDir)
    console.log(`chat page bundled into ${outDir} (app.js ${Math.round(size / 1024)} KiB)`)
  }
}
