// `npm run test:browser`: bundles the browser tests with esbuild, drives the system's Chromium
// (and Firefox when installed and asked for) with playwright-core, prints one line per test and
// exits non-zero if any failed.
//
//   node test/browser/run.ts [--browser chromium|firefox|all] [--suite unit,ws,interop,webrtc,example] [--grep SUBSTRING]
//   (all: Chromium, and Firefox when installed; npm run test:browser runs all)

/* eslint-disable no-console -- the harness reports on stdout */

import { prepareE2e, runInterop, runWebSockets } from './e2e/suite.ts'
import { runBrowserChat } from './example/suite.ts'
import { browserPath, launch } from './lib/browsers.ts'
import { Results } from './lib/results.ts'
import { serve } from './lib/server.ts'
import { prepareUnit, runUnit } from './unit/suite.ts'
import { prepareWebrtc, runWebrtc } from './webrtc/suite.ts'
import type { BrowserName } from './lib/browsers.ts'
import type { SuiteContext } from './lib/suite.ts'

const args = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

const suites = option('--suite')?.split(',') ?? ['unit', 'ws', 'interop', 'webrtc', 'example']
const wanted = option('--browser') ?? 'chromium'
const grep = option('--grep')
const browsers: BrowserName[] = wanted === 'all' ? ['chromium', 'firefox'] : [wanted as BrowserName]

const results = new Results()
const server = await serve()
try {
  if (suites.includes('unit')) {
    const { specs, excluded } = await prepareUnit({ server }, grep)
    console.log(`unit: ${specs.length} spec files bundled; left to Node: ${Object.entries(excluded).map(([f, why]) => `${f} (${why})`).join(', ')}`)
  }
  if (suites.includes('ws') || suites.includes('interop')) { await prepareE2e({ server }) }
  if (suites.includes('webrtc')) { await prepareWebrtc({ server }) }
  for (const name of browsers) {
    if (browserPath(name) === undefined) {
      if (wanted === 'all' && name !== 'chromium') {
        console.log(`${name}: not installed, skipped`)
        continue
      }
      results.fail(`${name}: launch`, new Error(`${name} is not installed`))
      continue
    }
    const browser = await launch(name)
    const ctx: SuiteContext = { browser, browserName: name, server, results }
    try {
      console.log(`\n${name} ${browser.version()}`)
      if (suites.includes('unit')) {
        await runUnit(ctx, 'page')
        await runUnit(ctx, 'worker')
      }
      if (suites.includes('ws')) { await runWebSockets(ctx) }
      if (suites.includes('interop')) { await runInterop(ctx) }
      if (suites.includes('webrtc')) { await runWebrtc(ctx) }
      // the example's test takes the README's screenshot: Chromium only
      if (suites.includes('example') && name === 'chromium') { await runBrowserChat(ctx) }
    } finally {
      await browser.close()
    }
  }
} catch (err) {
  results.fail('harness', err)
} finally {
  await server.close()
}

console.log(`\n${results.summary()}`)
process.exit(results.failed.length === 0 && results.passed > 0 ? 0 : 1)
