// Browser bundles for the harness: esbuild with platform=browser, in memory. A Node builtin
// reached from an entry is a build error here, never a silent shim.

import { build } from 'esbuild'
import type { BuildOptions, Message } from 'esbuild'

export interface BundleInput {
  /** an entry file, or the source of a virtual entry resolved from `resolveDir` */
  entry: string | { contents: string, resolveDir: string }
  /** iife runs as a classic script and in a classic worker (importScripts); esm as a module */
  format?: 'iife' | 'esm'
  /** package.json conditions: `meshsub-source` resolves `#platform` to src/ (see package.json imports) */
  conditions?: string[]
  external?: string[]
  minify?: boolean
}

/** Bundles for the browser; throws with esbuild's messages (e.g. a Node builtin) on failure. */
export async function bundle (input: BundleInput): Promise<string> {
  const options: BuildOptions = {
    bundle: true,
    write: false,
    platform: 'browser',
    format: input.format ?? 'iife',
    target: 'es2022',
    conditions: input.conditions ?? ['meshsub-source'],
    external: input.external,
    minify: input.minify ?? false,
    sourcemap: input.minify === true ? false : 'inline',
    logLevel: 'silent',
    // some libraries read process.env.NODE_ENV / global: give them the browser answer, not a shim
    define: { 'process.env.NODE_ENV': '"test"', global: 'globalThis' },
    // ES modules are strict code; an iife bundle of them is not unless it says so (writes to
    // frozen objects must throw in the browser as they do in Node)
    banner: (input.format ?? 'iife') === 'iife' ? { js: '"use strict";' } : undefined
  }
  if (typeof input.entry === 'string') {
    options.entryPoints = [input.entry]
  } else {
    options.stdin = { contents: input.entry.contents, resolveDir: input.entry.resolveDir, loader: 'ts', sourcefile: 'entry.ts' }
  }
  try {
    const result = await build({ ...options, outdir: 'out' })
    return result.outputFiles?.[0]?.text ?? ''
  } catch (err: any) {
    const errors: Message[] = err.errors ?? []
    if (errors.length === 0) { throw err }
    const lines = errors.slice(0, 20).map(e => `${e.location?.file ?? '?'}:${e.location?.line ?? 0}: ${e.text}`)
    throw new Error(`browser bundle failed:\n  ${lines.join('\n  ')}`)
  }
}
