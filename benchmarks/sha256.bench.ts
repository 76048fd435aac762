// Content-id hashing cost per message: Node's native sha256 (the `node` twin) against
// @noble/hashes (the portable twin), and in Chromium @noble/hashes against WebCrypto's
// asynchronous digest awaited per message, as the receive path would have to. Run:
// npm run bench:sha256

/* eslint-disable no-console -- a benchmark reports on stdout */

import { launch } from '../test/browser/lib/browsers.ts'
import { bundle } from '../test/browser/lib/bundle.ts'
import { serve } from '../test/browser/lib/server.ts'

const SIZES = [1024, 65536]

/** µs per call of each hasher at each size: median of 7 rounds of ~200 ms. Runs in Node and in the page. */
async function measure (hashers: Record<string, (b: Uint8Array) => unknown>, sizes: number[]): Promise<Record<string, number>> {
  // self-contained: the page receives this function as source text
  const round = async (fn: (b: Uint8Array) => unknown, data: Uint8Array): Promise<number> => {
    let n = 0
    const start = performance.now()
    while (performance.now() - start < 200) {
      for (let i = 0; i < 20; i++) {
        // awaited only when it is a promise, as the receive path does
        const v = fn(data)
        if (v instanceof Promise) { await v }
      }
      n += 20
    }
    return (performance.now() - start) * 1000 / n
  }
  const out: Record<string, number> = {}
  for (const size of sizes) {
    const data = new Uint8Array(size).map((_, i) => i * 7)
    for (const [name, fn] of Object.entries(hashers)) {
      await round(fn, data) // warm-up
      const rounds: number[] = []
      for (let r = 0; r < 7; r++) { rounds.push(await round(fn, data)) }
      rounds.sort((a, b) => a - b)
      out[`${name} ${size / 1024} KiB`] = rounds[rounds.length >> 1]
    }
  }
  return out
}

const print = (where: string, r: Record<string, number>): void => {
  for (const [k, v] of Object.entries(r)) { console.log(`${where.padEnd(10)}${k.padEnd(36)}${v.toFixed(2).padStart(9)} µs`) }
}

const native = await import('../src/platform/platform.node.ts')
const portable = await import('../src/platform/platform.ts')
print('node', await measure({ 'node:crypto (native twin)': native.sha256Key, '@noble/hashes (portable twin)': portable.sha256Key }, SIZES))

const page = `
import { sha256Key } from '#platform'
const measure = ${measure.toString()}
globalThis.run = (sizes) => measure({
  '@noble/hashes (portable twin)': sha256Key,
  'crypto.subtle.digest, awaited': (b) => crypto.subtle.digest('SHA-256', b)
}, sizes)
`
const server = await serve()
const browser = await launch('chromium')
try {
  server.set('/bench.js', await bundle({ entry: { contents: page, resolveDir: new URL('.', import.meta.url).pathname }, format: 'esm', minify: true }))
  server.set('/bench.html', '<!doctype html><script type="module" src="/bench.js"></script>')
  const tab = await browser.newPage()
  await tab.goto(`${server.url}/bench.html`)
  await tab.waitForFunction(() => (globalThis as any).run !== undefined)
  print(`chromium ${browser.version().split('.')[0]}`, await tab.evaluate(async (sizes) => (globalThis as any).run(sizes), SIZES))
} finally {
  await browser.close()
  await server.close()
}
