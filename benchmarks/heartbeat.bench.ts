// Heartbeat benchmark: one router core with 1,000 peers × 100 topics (every peer in every topic),
// fresh messages arriving between heartbeats; reports heartbeat wall and CPU p50/p99/max in ms.
// Run: npx node --expose-gc benchmarks/heartbeat.bench.ts [peers] [topics] [heartbeats] [--scoring]
// --scoring uses src/score's PeerScore with default params for every topic; the timed step is then
// the score refresh (decay) plus the heartbeat.
// With --expose-gc a full GC runs before each timed heartbeat (untimed), so the traffic phase's
// garbage is not billed to the heartbeat; without it the figures include that GC debt.

import { validateRouterConfig } from '../src/config.ts'
import { msgIdKey } from '../src/core/msgid.ts'
import { SeededRng } from '../src/core/rng.ts'
import { Router } from '../src/core/router.ts'
import { GossipsubIDv12 } from '../src/core/types.ts'
import { createTopicScoreParams } from '../src/score/params.ts'
import { PeerScore } from '../src/score/peer-score.ts'
import type { PeerIdCodec, RouterMessage, ScoreProvider } from '../src/core/types.ts'

const gc = (globalThis as { gc?(): void }).gc
const args = process.argv.slice(2).filter(a => !a.startsWith('--'))
const SCORING = process.argv.includes('--scoring')
const PEERS = Number(args[0] ?? 1000)
const TOPICS = Number(args[1] ?? 100)
const HEARTBEATS = Number(args[2] ?? 300)
const WARMUP = 20
/** messages arriving per topic between two heartbeats (1,000 msg/s over 100 topics) */
const MSGS_PER_TOPIC = 10

const enc = new TextEncoder()
const dec = new TextDecoder()
const peerIds: PeerIdCodec = { toKey: (b) => dec.decode(b), toBytes: (k) => enc.encode(k) }

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

function main (): void {
  let now = 0
  const topics = Array.from({ length: TOPICS }, (_, i) => `topic-${i}`)
  let score: ScoreProvider | undefined
  if (SCORING) {
    score = new PeerScore({ topics: Object.fromEntries(topics.map(t => [t, createTopicScoreParams({ topicWeight: 1 })])) }, {}, { now })
  }
  const router = new Router({
    config: validateRouterConfig({}),
    localPeer: 'local',
    rng: new SeededRng(1),
    peerIds,
    score,
    now
  })
  const peers = Array.from({ length: PEERS }, (_, i) => `peer-${i}`)
  const subscriptions = topics.map(topic => ({ subscribe: true, topic }))
  for (const [i, p] of peers.entries()) {
    router.addPeer(p, { protocol: GossipsubIDv12, outbound: i % 3 === 0 }, now)
    router.handleRpc(p, { subscriptions, messages: [] }, now)
  }
  for (const t of topics) { router.subscribe(t, now) }
  router.takeOutputs()

  const data = new Uint8Array(256)
  let seq = 0
  const times: number[] = []
  const cpuTimes: number[] = []
  let outputs = 0
  for (let hb = 0; hb < HEARTBEATS + WARMUP; hb++) {
    // traffic between heartbeats: each message arrives from a mesh peer and is accepted
    for (const t of topics) {
      const mesh = router.getMeshPeers(t)
      for (let m = 0; m < MSGS_PER_TOPIC; m++) {
        const id = enc.encode(`m${++seq}`)
        const msg: RouterMessage = { id, idKey: msgIdKey(id), topic: t, data, from: enc.encode(mesh[m % mesh.length]) }
        router.handleRpc(mesh[m % mesh.length], { subscriptions: [], messages: [msg] }, now)
        router.reportValidation(msg.idKey, 'accept', now)
      }
    }
    router.takeOutputs()
    // settle the garbage of the traffic phase first, so the figure is the heartbeat's own cost
    gc?.()
    const cpuStart = process.cpuUsage()
    const start = performance.now()
    // every deadline up to and including the next heartbeat (score decay, when on, included)
    const tick = router.heartbeatTicks()
    while (router.heartbeatTicks() === tick) {
      now = router.nextDeadline()
      router.handleTimeout(now)
    }
    const out = router.takeOutputs()
    const ms = performance.now() - start
    const cpu = process.cpuUsage(cpuStart)
    outputs += out.length
    if (hb >= WARMUP) {
      times.push(ms)
      cpuTimes.push((cpu.user + cpu.system) / 1000)
    }
  }
  times.sort((a, b) => a - b)
  cpuTimes.sort((a, b) => a - b)
  const result = {
    bench: 'heartbeat',
    peers: PEERS,
    topics: TOPICS,
    scoring: SCORING,
    gcBeforeEachHeartbeat: gc !== undefined,
    heartbeats: times.length,
    p50: Number(percentile(times, 0.5).toFixed(3)),
    p99: Number(percentile(times, 0.99).toFixed(3)),
    max: Number(times[times.length - 1].toFixed(3)),
    cpuP50: Number(percentile(cpuTimes, 0.5).toFixed(3)),
    cpuP99: Number(percentile(cpuTimes, 0.99).toFixed(3)),
    outputsPerHeartbeat: Math.round(outputs / (HEARTBEATS + WARMUP)),
    sizes: router.sizes()
  }
  // eslint-disable-next-line no-console
  console.log(`heartbeat ${PEERS} peers × ${TOPICS} topics (scoring ${SCORING ? 'on' : 'off'}${gc !== undefined ? ', GC settled before each' : ', raw'}): p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms; CPU p50 ${result.cpuP50} ms, p99 ${result.cpuP99} ms; over ${times.length} heartbeats`)
  // eslint-disable-next-line no-console
  console.log(JSON.stringify(result))
}

main()
