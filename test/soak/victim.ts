// The soak's victim in its own process (so its heap and CPU are its own): a meshsub node on TCP that
// answers the parent's IPC requests with its router's views, score record counts, heap and CPU.

import { createPubsubNode } from '../adapter/net.ts'
import type { RouterConfig } from '../../src/config.ts'
import type { Router } from '../../src/core/router.ts'
import type { GossipsubOpts } from '../../src/index.ts'
import type { PeerScore } from '../../src/score/peer-score.ts'
import type { PubsubNode } from '../adapter/net.ts'

export interface VictimRequest { id: number, cmd: 'info' | 'sample' | 'waitMesh' | 'latencies' | 'stop', peers?: string[], min?: number }

export interface VictimSample {
  stats: Record<string, number>
  counters: Record<string, number>
  scoreSize: { peers: number, retained: number, deliveryRecords: number, ipGroups: number }
  heapUsed: number
  cpuMs: number
  scores: number[]
  queueBytes: number[]
}

/** The service's core, read through its read-only views (test-only reach into the service). */
interface Inner { router: Router, routerConfig: RouterConfig, peerScore: PeerScore }

const [topic, optsJson] = process.argv.slice(2)
const opts = JSON.parse(optsJson) as GossipsubOpts
// JSON turns the whitelist Set into {}: the soak uses none
if (opts.scoreParams !== undefined) { opts.scoreParams.IPColocationFactorWhitelist = [] }
const node: PubsubNode = await createPubsubNode('tcp', opts)
const inner = node.services.pubsub as unknown as Inner
node.services.pubsub.subscribe(topic)
/** seq → latency (ms, from the publisher's absolute stamp) */
const latencies = new Map<number, number>()
node.services.pubsub.addEventListener('message', (e) => {
  const d = e.detail.data
  if (d.length < 16) { return }
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength)
  const seq = v.getUint32(0)
  if (!latencies.has(seq)) { latencies.set(seq, performance.timeOrigin + performance.now() - v.getFloat64(4)) }
})

async function answer (req: VictimRequest): Promise<unknown> {
  switch (req.cmd) {
    case 'info': return { peerId: node.peerId.toString(), addr: node.getMultiaddrs()[0].toString(), config: inner.routerConfig }
    case 'waitMesh': return node.services.pubsub.waitForMesh(topic, { min: req.min ?? 1 })
    case 'latencies': return [...latencies]
    case 'stop':
      await node.stop()
      setTimeout(() => process.exit(0), 50)
      return true
    default: {
      const cpu = process.cpuUsage()
      const sample: VictimSample = {
        stats: inner.router.stats() as unknown as Record<string, number>,
        counters: { ...inner.router.counters() },
        scoreSize: inner.peerScore.size,
        heapUsed: process.memoryUsage().heapUsed,
        cpuMs: (cpu.user + cpu.system) / 1000,
        scores: (req.peers ?? []).map(p => node.services.pubsub.getScore(p)),
        queueBytes: (req.peers ?? []).map(p => node.services.pubsub.getSendQueueStats(p)?.bytes ?? 0)
      }
      return sample
    }
  }
}

process.on('message', (req: VictimRequest) => {
  answer(req).then(result => { process.send?.({ id: req.id, result }) }, (err: Error) => { process.send?.({ id: req.id, error: err.message }) })
})
// the parent went away (crashed or killed): do not linger
process.on('disconnect', () => { process.exit(0) })
process.send?.({ id: 0, result: 'ready' })
