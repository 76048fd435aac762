// A small metrics register in the shape consensus clients hand to gossipsub (`metricsRegister`):
// gauges with collect hooks, histograms, avg/min/max; `scrape()` runs the hooks and renders text.

type Labels = Record<string, string | number>

interface Series {
  name: string
  help: string
  kind: 'gauge' | 'histogram' | 'avgMinMax'
  /** label set (as JSON) → value; histograms keep count and sum */
  values: Map<string, number>
  collects: Array<() => void>
}

function labelKey (labels: Labels | undefined): string {
  if (labels === undefined) { return '' }
  return JSON.stringify(Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]).sort()))
}

/** Splits the (labels?, value?) arguments the register's metric methods take. */
function args (a: unknown, b: unknown): { labels?: Labels, value: unknown } {
  return typeof a === 'object' && a !== null && !Array.isArray(a) ? { labels: a as Labels, value: b } : { value: a }
}

export class SimpleRegister {
  private readonly series = new Map<string, Series>()

  private create (name: string, help: string, kind: Series['kind']): Series {
    if (this.series.has(name)) { throw new Error(`metric ${name} registered twice`) }
    const s: Series = { name, help, kind, values: new Map(), collects: [] }
    this.series.set(name, s)
    return s
  }

  gauge (config: { name: string, help: string, labelNames?: string[] }): any {
    const s = this.create(config.name, config.help, 'gauge')
    const gauge = {
      inc: (a?: unknown, b?: unknown) => {
        const { labels, value } = args(a, b)
        const k = labelKey(labels)
        s.values.set(k, (s.values.get(k) ?? 0) + (typeof value === 'number' ? value : 1))
      },
      dec: (a?: unknown, b?: unknown) => {
        const { labels, value } = args(a, b)
        const k = labelKey(labels)
        s.values.set(k, (s.values.get(k) ?? 0) - (typeof value === 'number' ? value : 1))
      },
      set: (a: unknown, b?: unknown) => {
        const { labels, value } = args(a, b)
        s.values.set(labelKey(labels), value as number)
      },
      addCollect: (fn: (g: unknown) => void) => { s.collects.push(() => { fn(gauge) }) },
      reset: () => { s.values.clear() }
    }
    return gauge
  }

  histogram (config: { name: string, help: string, labelNames?: string[], buckets?: number[] }): any {
    const s = this.create(config.name, config.help, 'histogram')
    const observe = (a: unknown, b?: unknown): void => {
      const { labels, value } = args(a, b)
      const k = labelKey(labels)
      s.values.set(`count${k}`, (s.values.get(`count${k}`) ?? 0) + 1)
      s.values.set(`sum${k}`, (s.values.get(`sum${k}`) ?? 0) + (value as number))
    }
    return {
      observe,
      startTimer: (labels?: Labels) => {
        const t = performance.now()
        return () => {
          const seconds = (performance.now() - t) / 1000
          if (labels === undefined) { observe(seconds) } else { observe(labels, seconds) }
        }
      },
      reset: () => { s.values.clear() }
    }
  }

  avgMinMax (config: { name: string, help: string, labelNames?: string[] }): any {
    const s = this.create(config.name, config.help, 'avgMinMax')
    return {
      set: (a: unknown, b?: unknown) => {
        const { labels, value } = args(a, b)
        const values = value as number[]
        const k = labelKey(labels)
        s.values.set(`avg${k}`, values.length === 0 ? 0 : values.reduce((x, y) => x + y, 0) / values.length)
        s.values.set(`min${k}`, values.length === 0 ? 0 : Math.min(...values))
        s.values.set(`max${k}`, values.length === 0 ? 0 : Math.max(...values))
      }
    }
  }

  /** names of every registered metric */
  names (): string[] { return [...this.series.keys()] }

  /** Runs every collect hook (as a scrape does) and returns the metrics as text. */
  scrape (): string {
    for (const s of this.series.values()) { for (const c of s.collects) { c() } }
    const lines: string[] = []
    for (const s of this.series.values()) {
      lines.push(`# HELP ${s.name} ${s.help}`, `# TYPE ${s.name} ${s.kind === 'histogram' ? 'summary' : 'gauge'}`)
      for (const [k, v] of s.values) { lines.push(`${s.name}${k} ${v}`) }
    }
    return lines.join('\n')
  }

  /** A value as of the last scrape; `part` is `count`/`sum` for histograms, `avg`/`min`/`max` for avgMinMax. */
  read (name: string, labels?: Labels, part = ''): number | undefined {
    return this.series.get(name)?.values.get(part + labelKey(labels))
  }
}
