// Scenario (iv), meshsub only: one router core with peer scoring on (every topic scored), N peers
// in every one of T topics, fresh messages between heartbeats; heartbeat wall time p50/p99/max and
// its main-thread CPU time (robust against being descheduled on a loaded machine).
// Complements benchmarks/heartbeat.bench.ts (scoring off) with a PeerScore provider and peer IPs.

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
}

const WARMUP = 10
/** messages per topic between two heartbeats (1,000 msg/s over 100 topics at a 1 s heartbeat) */
const MSGS_PER_TOPIC = 10

const enc = new TextEncoder()
const dec = new TextDecoder()
const peerIds: PeerIdCodec = { toKey: (b) => dec.decode(b), toBytes: (k) => enc.encode(k) }
const gc = (globalThis as { gc?(): void }).gc

export async function heartbeat (p: HeartbeatParams): Promise<Record<string, unknown>> {
  let now = 0
  const topics = Array.from({ length: p.topics }, (_, i) => `topic-${i}`)
  const topicParams: Record<string, Partial<TopicScoreParams>> = {}
  for (const t of topics) { topicParams[t] = { topicWeight: 1 } }
  const score = new PeerScore({ topics: topicParams as Record<string, TopicScoreParams> }, {}, { now })
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
  const cpu: number[] = []
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
    now = Math.max(now + 1, router.nextDeadline())
    gc?.()
    const cpu0 = process.threadCpuUsage()
    const start = performance.now()
    router.handleTimeout(now)
    router.takeOutputs()
    const ms = performance.now() - start
    const c = process.threadCpuUsage(cpu0)
    if (hb >= WARMUP) {
      times.push(ms)
      cpu.push((c.user + c.system) / 1000)
    }
  }
  times.sort((a, b) => a - b)
  cpu.sort((a, b) => a - b)
  return {
    heartbeats: times.length,
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    max: times[times.length - 1],
    cpuP50: quantile(cpu, 0.5),
    cpuP99: quantile(cpu, 0.99),
    cpuMax: cpu[cpu.length - 1],
    sizes: router.sizes()
  }
}
