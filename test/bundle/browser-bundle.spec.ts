// A dApp's bundler can build every entry point of the package for browsers: esbuild with
// platform=browser fails on any Node builtin reached, and our own code names no Node global.

import { readFileSync } from 'node:fs'
import { expect } from 'aegir/chai'
import { bundleForBrowser } from '../../scripts/browser-bundle.ts'

const root = new URL('../../', import.meta.url)
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { exports: Record<string, { import: string }> }

/** The package's entry points as source files (dist/src/x.js → src/x.ts): the tests run from source. */
const entries = Object.entries(pkg.exports).map(([subpath, e]) => ({
  subpath,
  file: new URL(e.import.replace(/^\.\/dist\/src\//, 'src/').replace(/\.js$/, '.ts'), root).pathname
}))

/** Entry points that are Node tools, and why (the simulator may use Node: it is not the router) */
const NODE_GLOBALS_ALLOWED: Record<string, string> = {
  './sim': 'the simulator reports CPU time and heap through process.cpuUsage / process.memoryUsage'
}

/** Bundles `file` for browsers; `meshsub-source` resolves `#platform` to src/ instead of dist/. */
async function browserBundle (file: string, ownCodeOnly: boolean): Promise<{ code: string, errors: string[] }> {
  try {
    return { code: new TextDecoder().decode(await bundleForBrowser(file, ownCodeOnly)), errors: [] }
  } catch (err: any) {
    return { code: '', errors: (err.errors ?? [err]).map((e: { text?: string, message?: string }) => e.text ?? e.message) }
  }
}

describe('browser bundle', function () {
  this.timeout(60_000)

  it('lists the package\'s entry points', () => {
    expect(entries.map(e => e.subpath)).to.include('.')
  })

  for (const { subpath, file } of entries) {
    it(`${subpath}: bundles for the browser with its dependencies, no Node builtin reached`, async () => {
      const { errors } = await browserBundle(file, false)
      expect(errors).to.deep.equal([])
    })

    if (NODE_GLOBALS_ALLOWED[subpath] !== undefined) { continue }
    it(`${subpath}: our own code names neither process nor Buffer`, async () => {
      const { code, errors } = await browserBundle(file, true)
      expect(errors).to.deep.equal([])
      // minified: comments are gone; a global is an identifier not preceded by a dot or a word char
      expect(code.match(/(?<![\w$.])(process|Buffer)(?![\w$])/g) ?? []).to.deep.equal([])
    })
  }
})
