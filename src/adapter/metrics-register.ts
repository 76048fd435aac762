// Where meshsub's metrics go: libp2p's `metrics` component, an app's own `metricsRegister` (the
// gauge/histogram/avgMinMax register validator clients pass, with collect hooks), or both at once.

import type { Metrics } from '@libp2p/interface'

/** A metric label value given to a topic. */
export type TopicLabel = string
/** topic → its label; topics not listed share one label, so cardinality stays bounded */
export type TopicStrToLabel = Map<string, TopicLabel>

export type NoLabels = Record<string, never>
export type LabelsGeneric = Record<string, string | number>
export type LabelKeys<Labels extends LabelsGeneric> = Extract<keyof Labels, string>

export interface CollectFn<Labels extends LabelsGeneric> {
  (metric: Gauge<Labels>): void
}

/** A gauge of the app's register (`@libp2p/gossipsub`'s shape). */
export interface Gauge<Labels extends LabelsGeneric = NoLabels> {
  inc: NoLabels extends Labels ? (value?: number) => void : (labels: Labels, value?: number) => void
  set: NoLabels extends Labels ? (value: number) => void : (labels: Labels, value: number) => void
  /** runs `collectFn` just before each scrape */
  addCollect(collectFn: CollectFn<Labels>): void
}

/** A histogram of the app's register. */
export interface Histogram<Labels extends LabelsGeneric = NoLabels> {
  startTimer(): () => void
  observe: NoLabels extends Labels ? (value: number) => void : (labels: Labels, value: number) => void
  reset(): void
}

/** A metric keeping the average, minimum and maximum of a set of values. */
export interface AvgMinMax<Labels extends LabelsGeneric = NoLabels> {
  set: NoLabels extends Labels ? (values: number[]) => void : (labels: Labels, values: number[]) => void
}

export type GaugeConfig<Labels extends LabelsGeneric> = {
  name: string
  help: string
} & (NoLabels extends Labels ? { labelNames?: never } : { labelNames: [LabelKeys<Labels>, ...Array<LabelKeys<Labels>>] })

export type HistogramConfig<Labels extends LabelsGeneric> = GaugeConfig<Labels> & { buckets?: number[] }

export type AvgMinMaxConfig<Labels extends LabelsGeneric> = GaugeConfig<Labels>

/** An app's own metrics register (e.g. a prom-client wrapper), given as the `metricsRegister` option. */
export interface MetricsRegister {
  gauge<Labels extends LabelsGeneric = NoLabels>(config: GaugeConfig<Labels>): Gauge<Labels>
  histogram<Labels extends LabelsGeneric = NoLabels>(config: HistogramConfig<Labels>): Histogram<Labels>
  avgMinMax<Labels extends LabelsGeneric = NoLabels>(config: AvgMinMaxConfig<Labels>): AvgMinMax<Labels>
}

/** The four kinds of metric meshsub registers. */
export interface MetricsSink {
  /** a counter per label value, incremented by events */
  counterGroup(name: string, label: string, help: string): { increment(values: Record<string, number | true>): void }
  histogram(name: string, help: string, buckets: number[]): { observe(value: number): void }
  /** a gauge computed at scrape time */
  calculated(name: string, help: string, calculate: () => number): void
  /** a gauge per label value computed at scrape time */
  calculatedGroup(name: string, label: string, help: string, calculate: () => Record<string, number>): void
}

/** libp2p's `metrics` component as a sink. */
export function libp2pSink (m: Metrics): MetricsSink {
  return {
    counterGroup: (name, label, help) => m.registerCounterGroup(name, { label, help }),
    histogram: (name, help, buckets) => m.registerHistogram(name, { help, buckets }),
    calculated: (name, help, calculate) => { m.registerMetric(name, { help, calculate }) },
    calculatedGroup: (name, label, help, calculate) => { m.registerMetricGroup(name, { label, help, calculate }) }
  }
}

/** The register's calls as made here: label names chosen at run time, so typed loosely. */
interface LooseRegister {
  gauge(config: { name: string, help: string, labelNames?: string[] }): LooseGauge
  histogram(config: { name: string, help: string, buckets?: number[] }): { observe(value: number): void }
}
interface LooseGauge {
  inc(labels: Record<string, string>, value?: number): void
  set(labelsOrValue: Record<string, string> | number, value?: number): void
  addCollect(fn: (g: LooseGauge) => void): void
}

/** An app's register as a sink: counters are gauges it increments, computed gauges set by collect hooks. */
export function registerSink (register: MetricsRegister): MetricsSink {
  const r = register as unknown as LooseRegister
  return {
    counterGroup: (name, label, help) => {
      const g = r.gauge({ name, help, labelNames: [label] })
      return {
        increment: (values) => {
          for (const [k, v] of Object.entries(values)) { g.inc({ [label]: k }, v === true ? 1 : v) }
        }
      }
    },
    histogram: (name, help, buckets) => r.histogram({ name, help, buckets }),
    calculated: (name, help, calculate) => {
      r.gauge({ name, help }).addCollect(g => { g.set(calculate()) })
    },
    calculatedGroup: (name, label, help, calculate) => {
      // label values seen before and gone now are set to 0, not left at their last value
      const seen = new Set<string>()
      r.gauge({ name, help, labelNames: [label] }).addCollect(g => {
        const now = calculate()
        for (const k of seen) { if (!(k in now)) { g.set({ [label]: k }, 0) } }
        for (const [k, v] of Object.entries(now)) {
          seen.add(k)
          g.set({ [label]: k }, v)
        }
      })
    }
  }
}

/** One sink feeding several (libp2p's component and the app's register together). */
export function teeSink (sinks: MetricsSink[]): MetricsSink {
  return {
    counterGroup: (name, label, help) => {
      const all = sinks.map(s => s.counterGroup(name, label, help))
      return { increment: (values) => { for (const c of all) { c.increment(values) } } }
    },
    histogram: (name, help, buckets) => {
      const all = sinks.map(s => s.histogram(name, help, buckets))
      return { observe: (v) => { for (const h of all) { h.observe(v) } } }
    },
    calculated: (name, help, calculate) => { for (const s of sinks) { s.calculated(name, help, calculate) } },
    calculatedGroup: (name, label, help, calculate) => { for (const s of sinks) { s.calculatedGroup(name, label, help, calculate) } }
  }
}

/** The sink of the configured destinations, undefined when there are none. */
export function metricsSink (metrics: Metrics | undefined, register: MetricsRegister | null | undefined): MetricsSink | undefined {
  const sinks: MetricsSink[] = []
  if (metrics !== undefined) { sinks.push(libp2pSink(metrics)) }
  if (register != null) { sinks.push(registerSink(register)) }
  if (sinks.length <= 1) { return sinks[0] }
  return teeSink(sinks)
}
