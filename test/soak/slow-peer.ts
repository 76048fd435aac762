// The slow-peer soak on real libp2p nodes (TCP, noise, yamux): eight fast nodes and one node behind
// a 1 Mbit/s, 25 ms shim (shaper.ts) that validates every message in 200 ms. Measures what the slow
// node receives, how fast its own publishes reach the others, and the fast nodes' delivery.

import { multiaddr } from '@multiformats/multiaddr'
import { TopicValidatorResult } from '../../src/index.ts'
import { calculatePeerScoreParams } from '../../src/score/helpers.ts'
import { leaf } from '../../src/sim/scenarios.ts'
import { connect, createPubsubNode, stopAll } from '../adapter/net.ts'
import { waitFor } from '../adapter/nodes.ts'
import { shapedProxy } from './shaper.ts'
import type { PubsubNode } from '../adapter/net.ts'

const TOPIC = 'slow-soak'

export interface SlowSoakOptions {
  /** total seconds of publishing; the first `warmup` are not measured */
  seconds: number
  /** seconds before measuring; default 15 (past the 12 s P3 activation at 5 msg/s) */
  warmup?: number
  /** messages per second network-wide, 2 KiB each; default 5 */
  rate?: number
  /**
   * every n-th message is the slow node's own; default 40. Its share stays near what one node of a
   * large network publishes: first deliveries of its own messages would otherwise earn it the P3
   * credit that lateness costs it (at 1 in 10 it stays above the P3 threshold)
   */
  slowEvery?: number
  /** the slow node runs as a leaf (no mesh) — the recommended setting; default true */
  leaf?: boolean
  log?(line: string): void
}

export interface Delivery {
  expected: number
  in3s: number
  in6s: number
  total: number
  p50: number
  p99: number
}

export interface SlowSoakReport {
  fastNodes: number
  measuredMessages: number
  /** what the slow node received */
  slow: Delivery
  /** the slow node's own publishes at the fast nodes */
  slowOrigin: Delivery
  /** fast publishers to fast receivers */
  others: Delivery
  /** the shim's largest queueing wait, ms, and bytes carried, each direction */
  shim: { downMaxBacklogMs: number, upMaxBacklogMs: number, downBytes: number, upBytes: number }
  /** the slow node's score at its neighbours at the end (min, max) */
  slowScore: { min: number, max: number }
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
const now = (): number => performance.timeOrigin + performance.now()

function percentile (xs: number[], p: number): number {
  if (xs.length === 0) { return NaN }
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]
}

/** Runs the slow-peer soak and returns its figures. */
export async function runSlowSoak (opts: SlowSoakOptions): Promise<SlowSoakReport> {
  const log = opts.log ?? (() => {})
  const rate = opts.rate ?? 5
  const slowEvery = opts.slowEvery ?? 40
  const warmup = (opts.warmup ?? 15) * 1000
  const calc = calculatePeerScoreParams({ topics: { [TOPIC]: { messagesPerSecond: rate } } })
  // P3 on, as in the simulator: publishers rotate, so fast mesh peers earn their near-first credit
  const base = { scoreParams: calc.params, scoreThresholds: calc.thresholds, heartbeatInterval: 1000, heartbeatInitialDelay: 100 }
  const fast: PubsubNode[] = []
  for (let i = 0; i < 8; i++) { fast.push(await createPubsubNode('tcp', base)) }
  const slow = await createPubsubNode('tcp', { ...base, ...(opts.leaf === false ? {} : leaf) })
  const slowPort = Number(/\/tcp\/(\d+)/.exec(slow.getMultiaddrs()[0].toString())?.[1])
  const proxy = await shapedProxy(slowPort, { bps: 1_000_000, delayMs: 25 })
  const all = [...fast, slow]
  try {
    slow.services.pubsub.topicValidators.set(TOPIC, async () => {
      await sleep(200)
      return TopicValidatorResult.Accept
    })
    // fast nodes: a ring with chords (degree 6); four of them dial the slow node through the shim
    for (let i = 0; i < fast.length; i++) {
      for (const d of [1, 2, 3]) { await connect(fast[i], fast[(i + d) % fast.length]) }
    }
    const viaShim = multiaddr(`/ip4/127.0.0.1/tcp/${proxy.port}/p2p/${slow.peerId.toString()}`)
    const neighbours = [fast[0], fast[2], fast[4], fast[6]]
    for (const n of neighbours) { await n.dial(viaShim) }
    await waitFor(() => slow.services.pubsub.getPeers().length === neighbours.length, 20_000)
    for (const n of all) { n.services.pubsub.subscribe(TOPIC) }
    // over the shim the subscriptions take a moment; publishing starts once every neighbour knows
    await waitFor(() => neighbours.every(n => n.services.pubsub.getSubscribers(TOPIC).some(p => p.equals(slow.peerId))), 20_000)
    await Promise.all(fast.map(async n => n.services.pubsub.waitForMesh(TOPIC, { min: 3 })))
    log(`network up: ${fast.length} fast nodes, the slow node linked to ${neighbours.length} of them through the shim`)

    // receiver index → message seq → latency ms
    const got: Array<Map<number, number>> = all.map(() => new Map())
    all.forEach((n, i) => {
      n.services.pubsub.addEventListener('message', (e) => {
        const d = e.detail.data
        if (e.detail.topic !== TOPIC || d.length < 12) { return }
        const v = new DataView(d.buffer, d.byteOffset, d.byteLength)
        const seq = v.getUint32(0)
        if (!got[i].has(seq)) { got[i].set(seq, now() - v.getFloat64(4)) }
      })
    })
    // seq → [publisher index, ms since start]
    const published: Array<[number, number]> = []
    const t0 = performance.now()
    const total = opts.seconds * 1000
    const slowIdx = all.length - 1
    for (let seq = 0; ; seq++) {
      const due = seq * 1000 / rate
      if (due >= total) { break }
      const wait = t0 + due - performance.now()
      if (wait > 0) { await sleep(wait) }
      const from = seq % slowEvery === slowEvery - 1 ? slowIdx : seq % fast.length
      const data = new Uint8Array(2048)
      const v = new DataView(data.buffer)
      v.setUint32(0, seq)
      v.setFloat64(4, now())
      published[seq] = [from, performance.now() - t0]
      await all[from].services.pubsub.publish(TOPIC, data).catch(() => {})
      if (seq % (rate * 10) === 0) { log(`${Math.round((performance.now() - t0) / 1000)} s: slow node has ${got[slowIdx].size} messages`) }
    }
    // the tail: until every node has every message, at most 30 s (the pass line's limit)
    const complete = (): boolean => published.every(([from], seq) => all.every((_n, to) => to === from || got[to].has(seq)))
    for (const end = performance.now() + 30_000; !complete() && performance.now() < end;) { await sleep(250) }

    const tally = (keep: (from: number, to: number) => boolean): Delivery => {
      const lat: number[] = []
      let expected = 0
      published.forEach(([from, at], seq) => {
        if (at < warmup) { return }
        all.forEach((_n, to) => {
          if (to === from || !keep(from, to)) { return }
          expected++
          const l = got[to].get(seq)
          if (l !== undefined) { lat.push(l) }
        })
      })
      return { expected, in3s: lat.filter(l => l <= 3000).length / expected, in6s: lat.filter(l => l <= 6000).length / expected, total: lat.length / expected, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) }
    }
    const scores = neighbours.map(n => n.services.pubsub.getScore(slow.peerId.toString()))
    return {
      fastNodes: fast.length,
      measuredMessages: published.filter(([, at]) => at >= warmup).length,
      slow: tally((_f, to) => to === slowIdx),
      slowOrigin: tally((from) => from === slowIdx),
      others: tally((from, to) => from !== slowIdx && to !== slowIdx),
      shim: { downMaxBacklogMs: Math.round(proxy.down.maxBacklogMs), upMaxBacklogMs: Math.round(proxy.up.maxBacklogMs), downBytes: proxy.down.bytes, upBytes: proxy.up.bytes },
      slowScore: { min: Math.min(...scores), max: Math.max(...scores) }
    }
  } finally {
    await stopAll(all)
    await proxy.close()
  }
}
