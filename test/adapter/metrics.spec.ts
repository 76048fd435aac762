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
import type { AvgMinMax, AvgMinMaxConfig, Gauge, GaugeConfig, Histogram, HistogramConfig, MetricsRegister } from '../../src/metrics.ts'
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

/** An app's metrics register as validator clients pass one: gauges with collect hooks run at scrape. */
class AppRegister implements MetricsRegister {
  readonly values = new Map<string, Map<string, number>>()
  readonly histograms = new Map<string, number[]>()
  private readonly collects: Array<() => void> = []

  private series (name: string): Map<string, number> {
    if (this.values.has(name)) { throw new Error(`metric ${name} registered twice`) }
    const m = new Map<string, number>()
    this.values.set(name, m)
    return m
  }

  gauge<L extends Record<string, string | number>>(config: GaugeConfig<L>): Gauge<L> {
    const m = this.series(config.name)
    const key = (labels: unknown): string => typeof labels === 'object' ? JSON.stringify(labels) : ''
    const gauge: any = {
      inc: (a: unknown, b?: number) => { const k = typeof a === 'number' || a === undefined ? '' : key(a); const v = typeof a === 'number' ? a : (b ?? 1); m.set(k, (m.get(k) ?? 0) + v) },
      set: (a: unknown, b?: number) => { if (typeof a === 'number') { m.set('', a) } else { m.set(key(a), b ?? 0) } },
      addCollect: (fn: (g: Gauge<L>) => void) => { this.collects.push(() => { fn(gauge) }) }
    }
    return gauge
  }

  histogram<L extends Record<string, string | number>>(config: HistogramConfig<L>): Histogram<L> {
    const obs: number[] = []
    this.histograms.set(config.name, obs)
    const h: any = { observe: (v: number) => { obs.push(v) }, reset: () => { obs.length = 0 }, startTimer: () => () => {} }
    return h
  }

  avgMinMax<L extends Record<string, string | number>>(config: AvgMinMaxConfig<L>): AvgMinMax<L> {
    this.series(config.name)
    return { set: () => {} } as any
  }

  /** runs the collect hooks, as a scrape does, and reads one series */
  scrape (name: string, labels?: Record<string, string>): number | undefined {
    for (const c of this.collects) { c() }
    return this.values.get(name)?.get(labels === undefined ? '' : JSON.stringify(labels))
  }
}

describe('gossipsub service: metricsRegister (an app\'s own register)', function () {
  this.timeout(30_000)
  let nodes: PubsubNode[] = []
  afterEach(async () => { await stopAll(nodes) })

  it('registers meshsub\'s metrics on the app\'s register, alone or alongside libp2p\'s metrics', async () => {
    const reg = new AppRegister()
    const rec = new RecordingMetrics()
    const a = await createLibp2p({
      addresses: { listen: [`/memory/meshsub-register-${Math.random().toString(36).slice(2)}`] },
      transports: [memory()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      metrics: () => rec as unknown as Metrics,
      services: {
        identify: identify(),
        pubsub: gossipsub({ heartbeatInterval: 200, heartbeatInitialDelay: 50, metricsRegister: reg, metricsTopicStrToLabel: new Map([['m', 'm-label']]) })
      }
    }) as unknown as PubsubNode
    const b = await createPubsubNode('memory', { metricsRegister: new AppRegister() })
    nodes = [a, b]
    for (const n of nodes) { n.services.pubsub.subscribe('m') }
    await connect(b, a)
    await a.services.pubsub.waitForMesh('m')
    const got = collect(a)
    await b.services.pubsub.publish('m', new Uint8Array([1]))
    await waitFor(() => got.length === 1)
    await waitFor(() => (reg.histograms.get('meshsub_heartbeat_duration_ms')?.length ?? 0) > 0)

    expect(reg.scrape('meshsub_peers')).to.equal(1)
    expect(reg.scrape('meshsub_mesh_peers', { topic: 'm-label' })).to.equal(1)
    expect(reg.scrape('meshsub_topic_peers', { topic: 'm-label' })).to.equal(1)
    expect(reg.scrape('meshsub_messages_received_total', { topic: 'm-label' })).to.equal(1)
    expect(reg.scrape('meshsub_messages_delivered_total', { topic: 'm-label' })).to.equal(1)
    expect(reg.scrape('meshsub_score_peers', { range: 'graylisted' })).to.equal(0)
    // the same metrics reach libp2p's component too
    expect(rec.values.get('meshsub_messages_received_total')).to.deep.equal({ 'm-label': 1 })
    expect(rec.calculated.get('meshsub_mesh_peers')?.()).to.deep.equal({ 'm-label': 1 })
    // each scrape reads the state of the moment
    a.services.pubsub.unsubscribe('m')
    expect(reg.scrape('meshsub_mesh_peers', { topic: 'm-label' })).to.equal(0)
  })

  it('refuses a metricsRegister without the register shape, naming the option', () => {
    expect(() => gossipsub({ metricsRegister: { gauge: () => {} } as any })({} as any)).to.throw(/metricsRegister/)
  })
})
