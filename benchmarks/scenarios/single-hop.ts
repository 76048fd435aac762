// Scenario (i): single hop between two nodes in one process. A publishes, B delivers; `window`
// messages are in flight and each delivery at B releases the next publish at A.

import { performance } from 'node:perf_hooks'
import { createBenchNode, makePayload, readPayload, waitUntil } from '../lib/nodes.ts'
import { openWindow, sleep } from '../lib/probe.ts'
import { quantile } from '../lib/stats.ts'
import type { Policy, RouterKind } from '../lib/nodes.ts'

export interface SingleHopParams {
  router: RouterKind
  policy: Policy
  size: number
  window: number
  warmupMs: number
  measureMs: number
}

const TOPIC = 'bench'

export async function singleHop (p: SingleHopParams): Promise<Record<string, unknown>> {
  const a = await createBenchNode(p.router, p.policy)
  const b = await createBenchNode(p.router, p.policy)
  try {
    await a.dial(b.getMultiaddrs()[0])
    a.services.pubsub.subscribe(TOPIC)
    b.services.pubsub.subscribe(TOPIC)
    await waitUntil(() => a.services.pubsub.getMeshPeers(TOPIC).length > 0 && b.services.pubsub.getMeshPeers(TOPIC).length > 0, 15_000, 'mesh')

    let seq = 0
    let delivered = 0
    let failures = 0
    let measuring = false
    let stopped = false
    const latencies: number[] = []
    const publish = (): void => {
      a.services.pubsub.publish(TOPIC, makePayload(p.size, seq++, performance.now())).catch(() => { failures++ })
    }
    b.services.pubsub.addEventListener('message', (e) => {
      if (measuring) {
        delivered++
        latencies.push(performance.now() - readPayload(e.detail.data).sentAt)
      }
      if (!stopped) { publish() }
    })
    for (let i = 0; i < p.window; i++) { publish() }
    await sleep(p.warmupMs)
    measuring = true
    const close = openWindow()
    await sleep(p.measureMs)
    measuring = false
    const w = close()
    stopped = true
    latencies.sort((x, y) => x - y)
    return {
      ...w,
      delivered,
      failures,
      throughput: delivered / (w.wallMs / 1000),
      cpuUsPerMsg: delivered > 0 ? (w.cpuMs * 1000) / delivered : NaN,
      bytesPerMsg: delivered > 0 ? w.wireBytes / delivered : NaN,
      writesPerMsg: delivered > 0 ? w.wireWrites / delivered : NaN,
      latencyP50: quantile(latencies, 0.5),
      latencyP99: quantile(latencies, 0.99)
    }
  } finally {
    await Promise.allSettled([a.stop(), b.stop()])
  }
}
