// The unit suite in browsers: the browser-capable specs bundled with mocha, run in a page and in
// a dedicated web worker, each mocha test reported as one harness result.

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundle } from '../lib/bundle.ts'
import { within } from '../lib/results.ts'
import { browserSpecs } from './specs.ts'
import type { TestEvent } from './mocha-run.ts'
import type { SpecSelection } from './specs.ts'
import type { SuiteContext } from '../lib/suite.ts'

const here = dirname(fileURLToPath(import.meta.url))
const testDir = join(here, '..', '..')

const PAGE = '<!doctype html><meta charset="utf-8"><title>unit</title><script src="/mocha.js"></script><script src="/unit.js"></script>'
const WORKER_PAGE = `<!doctype html><meta charset="utf-8"><title>unit worker</title><script>
const w = new Worker('/unit-worker.js')
w.onmessage = (e) => { window.__meshsubReport(e.data) }
w.onerror = (e) => { window.__meshsubReport({ kind: 'fail', title: 'worker error', error: String(e.message) }); window.__meshsubReport({ kind: 'end' }) }
</script>`

/** Bundles mocha + the specs and serves the page and worker entries. */
export async function prepareUnit (ctx: Pick<SuiteContext, 'server'>, grep?: string): Promise<SpecSelection> {
  const selection = browserSpecs(testDir)
  const specs = selection.specs.filter(s => grep === undefined || s.includes(grep))
  const contents = [`import { run } from ${JSON.stringify(join(here, 'mocha-run.ts'))}`,
    ...specs.map(s => `import ${JSON.stringify(join(testDir, s))}`), 'run()'].join('\n')
  const code = await bundle({ entry: { contents, resolveDir: testDir } })
  const mochaJs = readFileSync(createRequire(import.meta.url).resolve('mocha/mocha.js'), 'utf8')
  ctx.server.set('/mocha.js', mochaJs)
  ctx.server.set('/unit.js', code)
  ctx.server.set('/unit.html', PAGE)
  ctx.server.set('/unit-worker.js', "importScripts('/mocha.js', '/unit.js')")
  ctx.server.set('/unit-worker.html', WORKER_PAGE)
  return { specs, excluded: selection.excluded }
}

/** Runs the bundled specs in a page ('page') or a worker ('worker'); one result per mocha test. */
export async function runUnit (ctx: SuiteContext, where: 'page' | 'worker'): Promise<void> {
  const page = await ctx.browser.newPage()
  const label = `${ctx.browserName}/${where}`
  let done!: () => void
  const ended = new Promise<void>(resolve => { done = resolve })
  let count = 0
  await page.exposeFunction('__meshsubReport', (ev: TestEvent) => {
    if (ev.kind === 'pass') { count++; ctx.results.pass(`${label} ${ev.title ?? ''}`, ev.ms) }
    if (ev.kind === 'fail') { count++; ctx.results.fail(`${label} ${ev.title ?? ''}`, ev.error) }
    if (ev.kind === 'end') {
      if (ev.scope !== where) { ctx.results.fail(`${label} unit run`, new Error(`the specs ran in a ${String(ev.scope)}, not a ${where}`)) }
      done()
    }
  })
  page.on('pageerror', (err) => { ctx.results.fail(`${label} uncaught page error`, err) })
  try {
    await page.goto(`${ctx.server.url}/${where === 'page' ? 'unit.html' : 'unit-worker.html'}`)
    await within(ended, 15 * 60_000, `${label} unit run`)
    if (count === 0) { ctx.results.fail(`${label} unit run`, new Error('no tests ran')) }
  } catch (err) {
    ctx.results.fail(`${label} unit run`, err)
  } finally {
    await page.close()
  }
}
