// Which unit specs also run inside browsers (page and worker): the pure core, cache, score and
// codec tests and the adapter tests over the memory transport. Excluded ones say why.

import { readdirSync } from 'node:fs'
import { join } from 'node:path'

export const INCLUDED_DIRS = ['core', 'cache', 'score', 'codec', 'platform', 'adapter']

/** spec files (relative to test/) that cannot run in a browser, with the reason */
export const EXCLUDED: Record<string, string> = {
  'platform/twins.spec.ts': 'compares against Node\'s native twin',
  'codec/generate.spec.ts': 'runs the protobufjs code generator on disk',
  'codec/go-golden.spec.ts': 'reads golden files from disk',
  'adapter/options.spec.ts': 'reads the README and docs from disk',
  'adapter/compat.spec.ts': 'TCP',
  'adapter/gossipsub.spec.ts': 'TCP',
  'adapter/network.spec.ts': 'TCP',
  'adapter/px.spec.ts': 'TCP',
  'adapter/raw-peer.spec.ts': 'TCP',
  'adapter/stream.spec.ts': 'TCP'
}

/** The browser-capable spec files under `testDir`, sorted. */
export function browserSpecs (testDir: string): string[] {
  const out: string[] = []
  for (const dir of INCLUDED_DIRS) {
    for (const name of readdirSync(join(testDir, dir)).sort()) {
      const rel = `${dir}/${name}`
      if (name.endsWith('.spec.ts') && EXCLUDED[rel] === undefined) { out.push(rel) }
    }
  }
  return out
}
