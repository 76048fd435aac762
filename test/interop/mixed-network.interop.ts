// A mixed network: 3 nodes each of meshsub, @libp2p/gossipsub 17, go-libp2p-pubsub and rust-libp2p
// (12 in all) on a seeded random connected graph (each node dials up to 2 random earlier ones, so
// about 4 links a node). 200 messages from random publishers, one every 25 ms: every message must
// reach every other node exactly once. Latency from publish to receipt (as this process sees it,
// stdout pipe included for go and rust) is reported as p50/p99/max.

import { expect } from 'aegir/chai'
import { seededRandom } from '../../benchmarks/lib/stats.ts'
import { closeAll, eventually, sleep, startNode, unavailable } from './mixed.ts'
import type { AnyNode, Impl } from './mixed.ts'

const SEED = 0x5eed
const MESSAGES = 200
const TOPIC = 'mixed'

function quantile (sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}

describe('interop: mixed network of all four implementations', function () {
  this.timeout(120_000)
  const nodes: AnyNode[] = []
  after(async () => { await closeAll(nodes.splice(0)) })

  it(`≥ 12 nodes, random graph, ${MESSAGES} messages from random publishers: 100% delivery everywhere`, async function () {
    this.timeout(20 * 60_000)
    const missing = await unavailable()
    for (const why of missing.values()) { process.stderr.write(why + '\n') }
    this.timeout(120_000)
    const impls = (['meshsub', 'js', 'go', 'rust'] as Impl[]).filter(i => !missing.has(i))
    // 12 nodes whatever is available, implementations interleaved
    const plan: Impl[] = Array.from({ length: 12 }, (_, i) => impls[i % impls.length])
    const rand = seededRandom(SEED)
    const edges: Array<[number, number]> = []
    for (const [i, impl] of plan.entries()) {
      const targets = new Set<number>()
      if (i > 0) {
        targets.add(Math.floor(rand() * i))
        targets.add(Math.floor(rand() * i))
      }
      for (const t of targets) { edges.push([i, t]) }
      const peers = [...targets].map(t => nodes[t].addr)
      nodes.push(await startNode(impl, { topics: [TOPIC], heartbeatMs: 300 }, peers))
    }
    // every link known from both ends as a subscribed topic peer, then a few heartbeats for the meshes
    await eventually(async () => {
      for (const [a, b] of edges) {
        if (!(await nodes[a].topicPeers(TOPIC)).includes(nodes[b].peerId)) { return false }
        if (!(await nodes[b].topicPeers(TOPIC)).includes(nodes[a].peerId)) { return false }
      }
      return true
    }, 30_000, 'every link carries both subscriptions')
    await eventually(async () => {
      for (const n of nodes) {
        if ((await n.mesh(TOPIC)).length === 0) { return false }
      }
      return true
    }, 30_000, 'every node has a mesh')
    await sleep(2000)

    const sent: Array<{ data: string, from: number, at: number }> = []
    for (let i = 0; i < MESSAGES; i++) {
      const from = Math.floor(rand() * nodes.length)
      const data = `m${i} from ${plan[from]}#${from}`
      const at = performance.now()
      await nodes[from].publish(TOPIC, new TextEncoder().encode(data))
      sent.push({ data, from, at })
      await sleep(25)
    }
    const dec = new TextDecoder()
    const count = (): number => nodes.reduce((n, node) => n + node.received().length, 0)
    const want = MESSAGES * (nodes.length - 1)
    await eventually(() => count() >= want, 30_000, `all ${want} deliveries (have ${count()})`).catch(() => {})
    await sleep(1000)

    const latencies: number[] = []
    const missingAt: string[] = []
    for (const [i, n] of nodes.entries()) {
      const got = new Map<string, number[]>()
      for (const r of n.received()) {
        const d = dec.decode(r.data)
        got.set(d, [...(got.get(d) ?? []), r.at])
      }
      for (const s of sent) {
        if (s.from === i) { continue }
        const at = got.get(s.data)
        if (at === undefined) {
          missingAt.push(`${s.data} at ${plan[i]}#${i}`)
          continue
        }
        expect(at, `${s.data} at ${plan[i]}#${i} delivered once`).to.have.length(1)
        latencies.push(at[0] - s.at)
      }
    }
    latencies.sort((a, b) => a - b)
    process.stderr.write(`mixed network (seed ${SEED}): ${nodes.length} nodes (${plan.join(',')}), ${edges.length} links, ${MESSAGES} messages, ` +
      `${latencies.length}/${want} deliveries; latency ms p50 ${quantile(latencies, 0.5).toFixed(1)} p99 ${quantile(latencies, 0.99).toFixed(1)} max ${latencies[latencies.length - 1].toFixed(1)}\n`)
    expect(missingAt, 'undelivered').to.deep.equal([])
    expect(latencies).to.have.length(want)
  })
})
