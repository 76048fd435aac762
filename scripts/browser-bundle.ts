// One browser build of a module, as a dApp's bundler makes it: esbuild, platform=browser,
// minified ESM; `meshsub-source` resolves `#platform` to src/. Used by `npm run size` and the
// bundle test, so the size reported and the bundle checked are the same build.

import { build } from 'esbuild'

/** The bundled code of `entry`; with `ownCodeOnly` every bare specifier (a dependency) stays an import. Throws esbuild's error. */
export async function bundleForBrowser (entry: string, ownCodeOnly: boolean): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    minify: true,
    conditions: ['meshsub-source'],
    logLevel: 'silent',
    plugins: ownCodeOnly ? [{ name: 'deps-external', setup (b) { b.onResolve({ filter: /^[^./#]/ }, a => ({ path: a.path, external: true })) } }] : []
  })
  return result.outputFiles[0].contents
}
