// Scenario (ii): N nodes in one process on a seeded random d-regular graph, meshes settled, then
// 1 KiB messages at a fixed rate from rotating publishers; delivery, latency, duplicates, bytes, CPU.

import { performance } from 'node:perf_hooks'
import { countReceived, createBenchNode, makePayload, readPayload, waitUntil } from '../lib/nodes.ts'
import { openWindow, sleep } from '../lib/probe.ts'
import { quantile, seededRandom } from '../lib/stats.ts'
import type { BenchNode, Policy, RouterKind } from '../lib/nodes.ts'

export interface NetworkParams {
  router: RouterKind
  policy: Policy
  nodes: number
  degree: number
  seed: number
  /** offered load, messages per second over the whole network */
  rate: number
  size: number
  warmupMs: number
  measureMs: number
  /** longest wait for the last deliveries after the last publish */
  drainMs: number
}

const TOPIC = 'bench'
const D_LO = 4

/**
 * Edges of a random d-regular simple graph, seeded: a circulant d-regular graph (d even) randomised
 * by degree-preserving double-edge swaps (the pairing model almost never yields a simple graph
 * when d is half of n).
 */
export function regularGraph (n: number, d: number, seed: number): Array<[number, number]> {
  if (d % 2 !== 0 || d >= n) { throw new Error('degree must be even and below the node count') }
  const rand = seededRandom(seed)
  const key = (a: number, b: number): number => Math.min(a, b) * n + Math.max(a, b)
  const edges: Array<[number, number]> = []
  for (let i = 0; i < n; i++) { for (let k = 1; k <= d / 2; k++) { edges.push([i, (i + k) % n]) } }
  const present = new Set(edges.map(([a, b]) => key(a, b)))
  for (let swaps = 0; swaps < edges.length * 20; swaps++) {
    const i = Math.floor(rand() * edges.length)
    const j = Math.floor(rand() * edges.length)
    const [a, b] = edges[i]
    const [c, e] = edges[j]
    // a-b, c-e → a-e, c-b when that keeps the graph simple
    if (a === e || c === b || present.has(key(a, e)) || present.has(key(c, b))) { continue }
    present.delete(key(a, b))
    present.delete(key(c, e))
    present.add(key(a, e))
    present.add(key(c, b))
    edges[i] = [a, e]
    edges[j] = [c, b]
  }
  return edges.map(([a, b]) => [Math.min(a, b), Math.max(a, b)])
}

async function buildNetwork (p: NetworkParams): Promise<BenchNode[]> {
  const nodes: BenchNode[] = []
  for (let i = 0; i < p.nodes; i++) { nodes.push(await createBenchNode(p.router, p.policy)) }
  for (const n of nodes) { n.services.pubsub.subscribe(TOPIC) }
  const edges = regularGraph(p.nodes, p.degree, p.seed)
  for (const [a, b] of edges) { await nodes[a].dial(nodes[b].getMultiaddrs()[0]) }
  await waitUntil(() => nodes.every(n => n.services.pubsub.getPeers().length >= p.degree), 30_000, 'pubsub peers')
  // settled: every mesh at least D_lo for two heartbeats in a row (default heartbeat 1 s)
  let stableSince = -1
  await waitUntil(() => {
    const ok = nodes.every(n => n.services.pubsub.getMeshPeers(TOPIC).length >= D_LO)
    if (!ok) { stableSince = -1; return false }
    if (stableSince < 0) { stableSince = Date.now() }
    return Date.now() - stableSince >= 2000
  }, 30_000, 'settled meshes')
  return nodes
}

export async function network (p: NetworkParams): Promise<Record<string, unknown>> {
  const nodes = await buildNetwork(p)
  try {
    const counter = { received: 0 }
    for (const n of nodes) { countReceived(p.router, n, counter) }
    // per message: deliveries and the latest delivery latency; only measured messages are tracked
    const st = { firstMeasured: Infinity, delivered: 0, failures: 0 }
    const deliveries = new Map<number, { count: number, last: number }>()
    const latencies: number[] = []
    for (const n of nodes) {
      n.services.pubsub.addEventListener('message', (e) => {
        const { seq, sentAt } = readPayload(e.detail.data)
        if (seq < st.firstMeasured) { return }
        const lat = performance.now() - sentAt
        latencies.push(lat)
        st.delivered++
        const rec = deliveries.get(seq)
        if (rec !== undefined) {
          rec.count++
          if (lat > rec.last) { rec.last = lat }
        }
      })
    }
    let seq = 0
    const publishAt = async (ms: number, track: boolean): Promise<void> => {
      const t0 = performance.now()
      const total = Math.round(ms / 1000 * p.rate)
      let sent = 0
      while (sent < total) {
        const due = Math.min(total, Math.floor((performance.now() - t0) / 1000 * p.rate) + 1)
        for (; sent < due; sent++) {
          const s = seq++
          if (track) { deliveries.set(s, { count: 0, last: 0 }) }
          nodes[s % nodes.length].services.pubsub.publish(TOPIC, makePayload(p.size, s, performance.now())).catch(() => { st.failures++ })
        }
        const next = t0 + (sent / p.rate) * 1000
        await sleep(Math.max(0, next - performance.now()))
      }
    }
    await publishAt(p.warmupMs, false)
    await sleep(500)
    st.firstMeasured = seq
    const received0 = counter.received
    const close = openWindow()
    await publishAt(p.measureMs, true)
    const expected = deliveries.size * (nodes.length - 1)
    const drainEnd = performance.now() + p.drainMs
    while (st.delivered < expected && performance.now() < drainEnd) { await sleep(5) }
    const w = close()
    const received = counter.received - received0
    latencies.sort((x, y) => x - y)
    const lastNode = [...deliveries.values()].filter(r => r.count === nodes.length - 1).map(r => r.last).sort((x, y) => x - y)
    return {
      ...w,
      published: deliveries.size,
      expected,
      delivered: st.delivered,
      failures: st.failures,
      deliveryRatio: expected > 0 ? st.delivered / expected : NaN,
      latencyP50: quantile(latencies, 0.5),
      latencyP99: quantile(latencies, 0.99),
      latencyMax: latencies[latencies.length - 1],
      lastNodeP50: quantile(lastNode, 0.5),
      lastNodeP99: quantile(lastNode, 0.99),
      received,
      duplicatesPerDelivery: st.delivered > 0 ? (received - st.delivered) / st.delivered : NaN,
      amplification: st.delivered > 0 ? w.wireBytes / (st.delivered * p.size) : NaN,
      writesPerDelivery: st.delivered > 0 ? w.wireWrites / st.delivered : NaN,
      cpuMsPer1000: st.delivered > 0 ? w.cpuMs * 1000 / st.delivered : NaN
    }
  } finally {
    await Promise.allSettled(nodes.map(async n => n.stop()))
  }
}
