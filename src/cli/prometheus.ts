// A small libp2p `metrics` component for `meshsub node --metrics-port`: it keeps every metric that
// libp2p and the pubsub service register and renders them in the Prometheus text format (0.0.4).

import { createServer } from 'node:http'
import type { Metrics } from '@libp2p/interface'
import type { Server } from 'node:http'

type Kind = 'gauge' | 'counter' | 'histogram' | 'summary'
type Calc = () => number | Record<string, number> | Promise<number | Record<string, number>>

interface Hist { counts: number[], sum: number, count: number }

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** One registered metric, with or without a label; serves every libp2p metric interface. */
class Series {
  readonly values = new Map<string, number>()
  readonly hists = new Map<string, Hist>()
  readonly name: string
  readonly kind: Kind
  readonly help: string
  readonly label: string | undefined
  readonly buckets: number[]
  readonly calculate: Calc | undefined

  constructor (name: string, kind: Kind, opts: { help?: string, label?: string, buckets?: number[], calculate?: Calc }, group: boolean) {
    this.name = name.replace(/[^a-zA-Z0-9_:]/g, '_')
    this.kind = kind
    this.help = opts.help ?? name
    this.label = group ? (opts.label ?? 'key') : undefined
    this.buckets = [...(opts.buckets ?? DEFAULT_BUCKETS)].sort((a, b) => a - b)
    this.calculate = opts.calculate
  }

  private apply (values: Record<string, number | true> | number | undefined, op: (old: number, v: number) => number, dflt = 1): void {
    if (typeof values === 'object') {
      for (const [k, v] of Object.entries(values)) { this.values.set(k, op(this.values.get(k) ?? 0, v === true ? dflt : v)) }
    } else {
      this.values.set('', op(this.values.get('') ?? 0, values ?? dflt))
    }
  }

  update (v: number | Record<string, number>): void { this.apply(v, (_old, x) => x) }
  increment (v?: number | Record<string, number | true>): void { this.apply(v, (old, x) => old + x) }
  decrement (v?: number | Record<string, number | true>): void { this.apply(v, (old, x) => old - x) }
  reset (): void { this.values.clear(); this.hists.clear() }

  observe (v: number | Record<string, number>): void {
    const add = (key: string, x: number): void => {
      let h = this.hists.get(key)
      if (h === undefined) { h = { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 }; this.hists.set(key, h) }
      this.buckets.forEach((b, i) => { if (x <= b) { h.counts[i]++ } })
      h.sum += x
      h.count++
    }
    if (typeof v === 'number') { add('', v) } else { for (const [k, x] of Object.entries(v)) { add(k, x) } }
  }

  timer (key?: string): () => void {
    const start = performance.now()
    return () => {
      const s = (performance.now() - start) / 1000
      const v = key === undefined ? s : { [key]: s }
      if (this.kind === 'histogram' || this.kind === 'summary') { this.observe(v) } else { this.update(v) }
    }
  }

  private labels (key: string, extra = ''): string {
    const parts = [this.label !== undefined && key !== '' ? `${this.label}="${escapeLabel(key)}"` : '', extra].filter(s => s !== '')
    return parts.length === 0 ? '' : `{${parts.join(',')}}`
  }

  async render (): Promise<string> {
    if (this.calculate !== undefined) {
      const v = await this.calculate()
      if (this.kind === 'histogram' || this.kind === 'summary') { this.observe(v) } else { this.values.clear(); this.update(v) }
    }
    const lines = [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} ${this.kind}`]
    for (const [k, v] of this.values) { lines.push(`${this.name}${this.labels(k)} ${v}`) }
    for (const [k, h] of this.hists) {
      if (this.kind === 'histogram') {
        this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket${this.labels(k, `le="${b}"`)} ${h.counts[i]}`))
        lines.push(`${this.name}_bucket${this.labels(k, 'le="+Inf"')} ${h.count}`)
      }
      lines.push(`${this.name}_sum${this.labels(k)} ${h.sum}`, `${this.name}_count${this.labels(k)} ${h.count}`)
    }
    return lines.join('\n') + '\n'
  }
}

function escapeLabel (s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** The registry; pass `() => registry.metrics` as libp2p's `metrics` option. */
export class PrometheusRegistry {
  private readonly series = new Map<string, Series>()
  readonly metrics: Metrics

  constructor () {
    const reg = (kind: Kind, group: boolean) => (name: string, opts: any = {}): any => {
      const s = new Series(name, kind, opts, group)
      this.series.set(s.name, s)
      return opts.calculate === undefined ? s : undefined
    }
    this.metrics = {
      trackMultiaddrConnection: () => {},
      trackProtocolStream: () => {},
      registerMetric: reg('gauge', false),
      registerMetricGroup: reg('gauge', true),
      registerCounter: reg('counter', false),
      registerCounterGroup: reg('counter', true),
      registerHistogram: reg('histogram', false),
      registerHistogramGroup: reg('histogram', true),
      registerSummary: reg('summary', false),
      registerSummaryGroup: reg('summary', true),
      traceFunction: (_name: string, fn: any) => fn,
      createTrace: () => undefined
    }
  }

  /** All metrics in the Prometheus text exposition format; a failing calculation skips its metric. */
  async render (): Promise<string> {
    const parts = await Promise.all([...this.series.values()].map(async s => s.render().catch(() => '')))
    return parts.join('')
  }

  /** Serves GET /metrics (Prometheus text) on host:port; resolves once listening. */
  async serve (port: number, host: string): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('see /metrics\n')
        return
      }
      this.render().then(body => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body)
      }, err => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err))
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => { server.off('error', reject); resolve() })
    })
    return server
  }
}
