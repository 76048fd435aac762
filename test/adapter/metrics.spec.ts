import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { expect } from 'aegir/chai'
import { createLibp2p } from 'libp2p'
import { gossipsub } from '../../src/index.ts'
import { collect, connect, createPubsubNode, stopAll } from './net.ts'
import { waitFor } from './nodes.ts'
import type { PubsubNode } from './net.ts'
import type { Metrics } from '@libp2p/interface'

/** An in-memory metrics sink: keeps counters and the calculate functions of gauges. */
class RecordingMetrics {
  readonly values = new Map<string, Record<string, number>>()
  readonly calculated = new Map<string, () => unknown>()

  private sink (name: string, opts?: { calculate?(): unknown }): unknown {
    if (opts?.calculate !== undefined) {
      this.calculated.set(name, opts.calculate)
      return undefined
    }
    const rec: Record<string, number> = {}
    this.values.set(name, rec)
    const add = (key: string, v: number): void => { rec[key] = (rec[key] ?? 0) + v }
    return {
      update: (v: number | Record<string, number>) => { if (typeof v === 'number') { rec.value = v } else { Object.assign(rec, v) } },
      increment: (v?: number | Record<string, number | true>) => {
        if (v === undefined || typeof v === 'number') { add('value', v ?? 1); return }
        for (const [k, n] of Object.entries(v)) { add(k, n === true ? 1 : n) }
      },
      decrement: () => {},
      observe: (v: number) => { add('count', 1); add('sum', v) },
      reset: () => {},
      timer: () => () => {}
    }
  }

  trackMultiaddrConnection (): void {}
  trackProtocolStream (): void {}
  registerMetric = (n: string, o?: any): any => this.sink(n, o)
  registerMetricGroup = (n: string, o?: any): any => this.sink(n, o)
  registerCounter = (n: string, o?: any): any => this.sink(n, o)
  registerCounterGroup = (n: string, o?: any): any => this.sink(n, o)
  registerHistogram = (n: string, o?: any): any => this.sink(n, o)
  registerHistogramGroup = (n: string, o?: any): any => this.sink(n, o)
  registerSummary = (n: string, o?: any): any => this.sink(n, o)
  registerSummaryGroup = (n: string, o?: any): any => this.sink(n, o)
  traceFunction = (_n: string, fn: any): any => fn
  createTrace = (): any => undefined
}

describe('gossipsub service: metrics', function () {
  this.timeout(30_000)
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('counts messages by labelled topic and reports mesh, queue and score gauges', async () => {
    const rec = new RecordingMetrics()
    const a = await createLibp2p({
      addresses: { listen: [`/memory/meshsub-metrics-${Math.random().toString(36).slice(2)}`] },
      transports: [memory()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      metrics: () => rec as unknown as Metrics,
      services: {
        identify: identify(),
        pubsub: gossipsub({ heartbeatInterval: 200, heartbeatInitialDelay: 50, metricsTopicStrToLabel: new Map([['m', 'm-label']]) })
      }
    }) as unknown as PubsubNode
    const b = await createPubsubNode('memory')
    nodes = [a, b]
    for (const n of nodes) { n.services.pubsub.subscribe('m'); n.services.pubsub.subscribe('unlabelled') }
    await connect(b, a)
    await a.services.pubsub.waitForMesh('m')
    await waitFor(() => b.services.pubsub.getSubscribers('unlabelled').length === 1)
    const got = collect(a)
    await b.services.pubsub.publish('m', new Uint8Array([1]))
    await b.services.pubsub.publish('unlabelled', new Uint8Array([2]))
    await waitFor(() => got.length === 2)
    await waitFor(() => (rec.values.get('meshsub_heartbeat_duration_ms')?.count ?? 0) > 0)

    expect(rec.values.get('meshsub_messages_received_total')).to.deep.equal({ 'm-label': 1, other: 1 })
    expect(rec.values.get('meshsub_messages_delivered_total')).to.deep.equal({ 'm-label': 1, other: 1 })
    expect(rec.values.get('meshsub_control_total')?.graft_in ?? 0).to.be.greaterThan(0)
    expect(rec.calculated.get('meshsub_peers')?.()).to.equal(1)
    expect(rec.calculated.get('meshsub_mesh_peers')?.()).to.deep.equal({ 'm-label': 1 })
    expect(rec.calculated.get('meshsub_topic_peers')?.()).to.deep.equal({ 'm-label': 1 })
    const queues = rec.calculated.get('meshsub_send_queue')?.() as Record<string, number>
    expect(queues.drops_overflow).to.equal(0)
    expect(rec.calculated.get('meshsub_score_peers')?.()).to.deep.include({ graylisted: 0 })
  })
})
