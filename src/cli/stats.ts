// What the demo measures: per-message publish times and deliveries, latencies, duplicates and
// periodic samples of the network (delivery, latency, mesh degrees), and the summary made of them.

export interface Sample {
  /** seconds since publishing started */
  t: number
  published: number
  /** deliveries so far ÷ deliveries expected for the messages published so far, 0..1 */
  delivered: number
  p50: number
  p99: number
  dupPerDelivery: number
  /** messages published per second over about the last second */
  rate: number
  meshMin: number
  meshAvg: number
  meshMax: number
}

export interface Summary {
  nodes: number
  published: number
  publishFailures: number
  expected: number
  deliveries: number
  delivered: number
  /** messages that reached every other node */
  complete: number
  duplicates: number
  latency: { p50: number, p90: number, p99: number, max: number }
  rate: number
  meshDegrees: number[]
  seconds: number
}

/** The q-quantile (0..1) of ascending `sorted` by the nearest-rank method; 0 when empty. */
export function quantile (sorted: readonly number[], q: number): number {
  if (sorted.length === 0) { return 0 }
  const rank = Math.ceil(q * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

export class Recorder {
  readonly samples: Sample[] = []
  readonly latencies: number[] = []
  duplicates = 0
  publishFailures = 0
  private readonly sent: number[] = []
  private readonly got: number[] = []
  private deliveries = 0
  private sorted: number[] = []
  private sortedUpTo = -1

  readonly nodes: number

  constructor (nodes: number) {
    this.nodes = nodes
  }

  get published (): number { return this.sent.length }

  /** Registers a message about to be published; returns its sequence number. */
  publish (sentAt: number): number {
    this.sent.push(sentAt)
    this.got.push(0)
    return this.sent.length - 1
  }

  deliver (seq: number, latencyMs: number): void {
    if (seq < 0 || seq >= this.got.length) { return }
    this.got[seq]++
    this.deliveries++
    this.latencies.push(latencyMs)
  }

  /** deliveries expected: every other node gets every message published without error */
  expected (): number {
    return (this.sent.length - this.publishFailures) * (this.nodes - 1)
  }

  private sortedLatencies (): number[] {
    if (this.sortedUpTo !== this.latencies.length) {
      this.sorted = [...this.latencies].sort((a, b) => a - b)
      this.sortedUpTo = this.latencies.length
    }
    return this.sorted
  }

  sample (t: number, meshDegrees: number[]): Sample {
    const sorted = this.sortedLatencies()
    // rate over the window since the newest sample at least 1 s old (or since the start)
    let from = { t: 0, published: 0 }
    for (let i = this.samples.length - 1; i >= 0; i--) {
      if (t - this.samples[i].t >= 1) { from = this.samples[i]; break }
    }
    const dt = t - from.t
    const s: Sample = {
      t,
      published: this.published,
      delivered: this.expected() === 0 ? 0 : this.deliveries / this.expected(),
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      dupPerDelivery: this.deliveries === 0 ? 0 : this.duplicates / this.deliveries,
      rate: dt >= 0.2 ? (this.published - from.published) / dt : 0,
      meshMin: meshDegrees.length === 0 ? 0 : Math.min(...meshDegrees),
      meshAvg: meshDegrees.length === 0 ? 0 : meshDegrees.reduce((a, b) => a + b, 0) / meshDegrees.length,
      meshMax: meshDegrees.length === 0 ? 0 : Math.max(...meshDegrees)
    }
    this.samples.push(s)
    return s
  }

  /** true once every message published without error reached every other node */
  allDelivered (): boolean {
    return this.deliveries >= this.expected()
  }

  summary (seconds: number, meshDegrees: number[]): Summary {
    const sorted = this.sortedLatencies()
    return {
      nodes: this.nodes,
      published: this.published,
      publishFailures: this.publishFailures,
      expected: this.expected(),
      deliveries: this.deliveries,
      delivered: this.expected() === 0 ? 0 : this.deliveries / this.expected(),
      complete: this.got.filter(n => n >= this.nodes - 1).length,
      duplicates: this.duplicates,
      latency: { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), p99: quantile(sorted, 0.99), max: sorted.length === 0 ? 0 : sorted[sorted.length - 1] },
      rate: seconds > 0 ? this.published / seconds : 0,
      meshDegrees,
      seconds
    }
  }
}
