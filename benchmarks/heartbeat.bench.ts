// Heartbeat benchmark, standalone: scenario (iv) of the matrix in one process, printed as a line
// and as JSON. Run: npx node --expose-gc benchmarks/heartbeat.bench.ts [peers] [topics] [heartbeats] [--no-scoring]
// (defaults 1,000 peers × 100 topics, 300 heartbeats, scoring on). The method is described in
// benchmarks/scenarios/heartbeat.ts.

import { heartbeat } from './scenarios/heartbeat.ts'

const args = process.argv.slice(2).filter(a => !a.startsWith('--'))
const params = {
  peers: Number(args[0] ?? 1000),
  topics: Number(args[1] ?? 100),
  heartbeats: Number(args[2] ?? 300),
  scoring: !process.argv.includes('--no-scoring')
}
const r = await heartbeat(params)
const ms = (k: string): string => `${(r[k] as number).toFixed(2)} ms`
// eslint-disable-next-line no-console
console.log(`heartbeat ${params.peers} peers × ${params.topics} topics (scoring ${params.scoring ? 'on' : 'off'}, ${r.minorGcBeforeEachHeartbeat === true ? 'scavenge before each' : 'no GC control'}): ` +
  `p50 ${ms('p50')}, p99 ${ms('p99')}, max ${ms('max')}; CPU mean ${ms('cpuMean')}; over ${String(r.heartbeats)} heartbeats`)
// eslint-disable-next-line no-console
console.log(JSON.stringify({ bench: 'heartbeat', ...params, ...r }))
