// Scenario (iv), meshsub only: one router core with N peers in every one of T topics, peer scoring
// on (every topic scored) unless `scoring: false`, fresh messages between heartbeats; heartbeat
// wall time p50/p99/max and its mean process CPU time. The timed step is the score refresh (decay)
// plus the heartbeat.
//
// With --expose-gc a minor GC (scavenge) runs before each timed heartbeat, untimed: the traffic
// phase's short-lived garbage is not billed to the heartbeat. Major GCs are left to V8 and are
// billed to whichever phase they land in. (A forced full GC before each heartbeat was tried first:
// its concurrent sweeping and the cold caches it leaves added 1–5 ms to heartbeats that follow it,
// an artefact of forcing it, not a cost a running node sees each second.)

import { performance } from 'node:perf_hooks'
import { validateRouterConfig } from '../../src/config.ts'
import { msgIdKey } from '../../src/core/msgid.ts'
import { SeededRng } from '../../src/core/rng.ts'
import { Router } from '../../src/core/router.ts'
import { GossipsubIDv12 } from '../../src/core/types.ts'
import { PeerScore } from '../../src/score/peer-score.ts'
import { quantile } from '../lib/stats.ts'
import type { PeerIdCodec, RouterMessage } from '../../src/core/types.ts'
import type { TopicScoreParams } from '../../src/score/params.ts'

export interface HeartbeatParams {
  peers: number
  topics: number
  heartbeats: number
  /** peer scoring on (default) */
  scoring?: boolean
}

const WARMUP = 10
/** messages per topic between two heartbeats (1,000 msg/s over 100 topics at a 1 s heartbeat) */
const MSGS_PER_TOPIC = 10

const enc = new TextEncoder()
const dec = new TextDecoder()
const peerIds: PeerIdCodec = { toKey: (b) => dec.decode(b), toBytes: (k) => enc.encode(k) }
const gc = (globalThis as { gc?(options?: { type: 'minor' | 'major' }): void }).gc

export async function heartbeat (p: HeartbeatParams): Promise<Record<string, unknown>> {
  let now = 0
  const topics = Array.from({ length: p.topics }, (_, i) => `topic-${i}`)
  const topicParams: Record<string, Partial<TopicScoreParams>> = {}
  for (const t of topics) { topicParams[t] = { topicWeight: 1 } }
  const score = p.scoring === false ? undefined : new PeerScore({ topics: topicParams as Record<string, TopicScoreParams> }, {}, { now })
  const router = new Router({ config: validateRouterConfig({}), localPeer: 'local', rng: new SeededRng(1), peerIds, score, now })
  const peers = Array.from({ length: p.peers }, (_, i) => `peer-${i}`)
  const subscriptions = topics.map(topic => ({ subscribe: true, topic }))
  for (const [i, peer] of peers.entries()) {
    // 4 peers per IP, so colocation counting has work but stays under its threshold
    router.addPeer(peer, { protocol: GossipsubIDv12, outbound: i % 3 === 0, ip: `10.0.${(i >> 2) >> 8}.${(i >> 2) & 255}` }, now)
    router.handleRpc(peer, { subscriptions, messages: [] }, now)
  }
  for (const t of topics) { router.subscribe(t, now) }
  router.takeOutputs()
  const data = new Uint8Array(256)
  let seq = 0
  const times: number[] = []
  let cpuTotal = 0
  let outputs = 0
  for (let hb = 0; hb < p.heartbeats + WARMUP; hb++) {
    for (const t of topics) {
      const mesh = router.getMeshPeers(t)
      for (let m = 0; m < MSGS_PER_TOPIC && mesh.length > 0; m++) {
        const from = mesh[m % mesh.length]
        const id = enc.encode(`m${++seq}`)
        const msg: RouterMessage = { id, idKey: msgIdKey(id), topic: t, data, from: enc.encode(from) }
        router.handleRpc(from, { subscriptions: [], messages: [msg] }, now)
        router.reportValidation(msg.idKey, 'accept', now)
      }
    }
    router.takeOutputs()
    gc?.({ type: 'minor' })
    const cpu0 = process.cpuUsage()
    const start = performance.now()
    // every deadline up to and including the next heartbeat (the score decay, when due, included)
    const tick = router.heartbeatTicks()
    while (router.heartbeatTicks() === tick) {
      now = router.nextDeadline()
      router.handleTimeout(now)
    }
    outputs += router.takeOutputs().length
    const ms = performance.now() - start
    const c = process.cpuUsage(cpu0)
    if (hb >= WARMUP) {
      times.push(ms)
      cpuTotal += (c.user + c.system) / 1000
    }
  }
  times.sort((a, b) => a - b)
  return {
    scoring: score !== undefined,
    minorGcBeforeEachHeartbeat: gc !== undefined,
    heartbeats: times.length,
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    max: times[times.length - 1],
    // process CPU (GC helper threads included) per heartbeat, as a mean: getrusage counts in
    // scheduler ticks on some kernels, too coarse for per-heartbeat percentiles
    cpuMean: cpuTotal / times.length,
    outputsPerHeartbeat: Math.round(outputs / (p.heartbeats + WARMUP)),
    sizes: router.sizes()
  }
}
