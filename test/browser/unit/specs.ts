// Which unit specs also run inside browsers (page and worker): the pure core, cache, score and
// codec tests and the adapter tests over the memory transport. Excluded ones say why.

import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

export const INCLUDED_DIRS = ['core', 'cache', 'score', 'codec', 'platform', 'adapter']

/** Specs that cannot run in a browser for a reason their source does not show, with the reason. */
export const EXCLUDED: Record<string, string> = {
  'platform/twins.spec.ts': 'compares against Node\'s native twin'
}

/** Why a spec cannot run in a browser, read from its source: TCP nodes, a Node builtin or global. */
function reasonInSource (source: string): string | undefined {
  if (/'tcp'|@libp2p\/tcp/.test(source)) { return 'TCP' }
  const builtin = source.match(/from '(node:[a-z_/]+)'/)
  if (builtin !== null) { return `imports ${builtin[1]}` }
  const global = source.match(/(?<![\w$.])(process|Buffer)\./)
  return global === null ? undefined : `uses Node's ${global[1]}`
}

export interface SpecSelection {
  specs: string[]
  /** spec → why it stays in Node */
  excluded: Record<string, string>
}

/** The browser-capable spec files under `testDir` (sorted), and the excluded ones with the reason. */
export function browserSpecs (testDir: string): SpecSelection {
  const specs: string[] = []
  const excluded: Record<string, string> = {}
  for (const dir of INCLUDED_DIRS) {
    for (const name of readdirSync(join(testDir, dir)).sort()) {
      if (!name.endsWith('.spec.ts')) { continue }
      const rel = `${dir}/${name}`
      const reason = EXCLUDED[rel] ?? reasonInSource(readFileSync(join(testDir, rel), 'utf8'))
      if (reason === undefined) {
        specs.push(rel)
      } else {
        excluded[rel] = reason
      }
    }
  }
  return { specs, excluded }
}
