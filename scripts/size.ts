// `npm run size`: the browser bundle size of meshsub's router against @libp2p/gossipsub's, both
// measured the same way: esbuild, platform=browser, minified, gzip -9; "own code" externalises
// every package import, "with dependencies" bundles them too (what a dApp ships for the router).

/* eslint-disable no-console -- a report on stdout */

import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { bundleForBrowser } from './browser-bundle.ts'

const require = createRequire(import.meta.url)
const routers = [
  // meshsub from source: the `meshsub-source` condition only picks src/ over dist/ for #platform
  { name: 'meshsub', entry: fileURLToPath(new URL('../src/index.ts', import.meta.url)) },
  { name: '@libp2p/gossipsub', entry: require.resolve('@libp2p/gossipsub') }
]

async function size (entry: string, ownCodeOnly: boolean): Promise<{ min: number, gz: number }> {
  const code = await bundleForBrowser(entry, ownCodeOnly)
  return { min: code.length, gz: gzipSync(code, { level: 9 }).length }
}

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`
console.log('router              own code: min / gzip        with dependencies: min / gzip')
const rows: Array<{ name: string, own: { min: number, gz: number }, all: { min: number, gz: number } }> = []
for (const r of routers) {
  const own = await size(r.entry, true)
  const all = await size(r.entry, false)
  rows.push({ name: r.name, own, all })
  console.log(`${r.name.padEnd(20)}${kib(own.min).padStart(10)} / ${kib(own.gz).padEnd(14)}${kib(all.min).padStart(16)} / ${kib(all.gz)}`)
}
const [ours, theirs] = rows
console.log(`ratio meshsub / @libp2p/gossipsub (gzip): own code ${(ours.own.gz / theirs.own.gz).toFixed(2)}, with dependencies ${(ours.all.gz / theirs.all.gz).toFixed(2)}`)
