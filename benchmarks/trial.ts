// One benchmark trial, run by benchmarks/run.ts in a fresh child process: reads the scenario and
// its parameters from argv (JSON), runs it, prints one `RESULT <json>` line and exits.

import { hookSocketWrites } from './lib/probe.ts'
import { decodeHandle } from './scenarios/decode-handle.ts'
import { heap } from './scenarios/heap.ts'
import { heartbeat } from './scenarios/heartbeat.ts'
import { network } from './scenarios/network.ts'
import { simSpeed } from './scenarios/sim-speed.ts'
import { singleHop } from './scenarios/single-hop.ts'

const scenarios: Record<string, (p: any) => Promise<Record<string, unknown>>> = {
  'single-hop': singleHop,
  network,
  'decode-handle': decodeHandle,
  heap,
  heartbeat,
  'sim-speed': simSpeed
}

async function main (): Promise<void> {
  const { scenario, params } = JSON.parse(process.argv[2] ?? '{}') as { scenario: string, params: unknown }
  const run = scenarios[scenario]
  if (run === undefined) { throw new Error(`unknown scenario ${scenario}`) }
  hookSocketWrites()
  const result = await run(params)
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
}

main().then(() => { process.exit(0) }, (err) => {
  process.stderr.write(`trial failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
