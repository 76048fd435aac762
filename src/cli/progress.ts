// Terminal output of the demo: the live progress line (rewritten in place on a TTY, printed as
// plain periodic lines otherwise) and the final summary block.

import type { Sample, Summary } from './stats.ts'

export function ms (v: number): string {
  if (v < 10) { return `${v.toFixed(2)} ms` }
  return v < 100 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`
}

export function pct (v: number): string {
  return `${(Math.floor(v * 1000) / 10).toFixed(1)}%`
}

export function progressLine (s: Sample): string {
  return `[${s.t.toFixed(1).padStart(5)} s] published ${String(s.published).padStart(5)} · delivered ${pct(s.delivered).padStart(6)}` +
    ` · latency p50 ${ms(s.p50)} p99 ${ms(s.p99)} · dup/delivery ${s.dupPerDelivery.toFixed(2)}` +
    ` · mesh ${s.meshMin}/${s.meshAvg.toFixed(1)}/${s.meshMax} · ${s.rate.toFixed(1)} msg/s`
}

/** The same figures as two short lines, for a terminal of 80 columns. */
export function progressBlock (s: Sample): [string, string] {
  return [
    `[${s.t.toFixed(1).padStart(5)} s] published ${s.published} · ${s.rate.toFixed(1)} msg/s · delivered ${pct(s.delivered)}`,
    `          latency p50 ${ms(s.p50)} p99 ${ms(s.p99)} · dup/delivery ${s.dupPerDelivery.toFixed(2)} · mesh ${s.meshMin}/${s.meshAvg.toFixed(1)}/${s.meshMax}`
  ]
}

/** Writes progress: a two-line block rewritten in place on a TTY, otherwise a line every `plainEvery` s. */
export class Progress {
  private lastPlain = 0
  private drawn = false
  private readonly out: NodeJS.WriteStream
  private readonly plainEvery: number

  constructor (out: NodeJS.WriteStream, plainEvery = 2) {
    this.out = out
    this.plainEvery = plainEvery
  }

  get tty (): boolean { return this.out.isTTY === true }

  update (s: Sample): void {
    if (this.tty) {
      const cols = this.out.columns ?? 0
      const fit = (line: string): string => cols > 0 ? line.slice(0, cols - 1) : line
      const [a, b] = progressBlock(s)
      // back to the start of the block, then rewrite both lines
      this.out.write(`${this.drawn ? '\x1b[1A' : ''}\r\x1b[2K${fit(a)}\n\x1b[2K${fit(b)}`)
      this.drawn = true
    } else if (s.t - this.lastPlain >= this.plainEvery) {
      this.lastPlain = s.t
      this.out.write(progressLine(s) + '\n')
    }
  }

  /** Ends the in-place line so the next output starts on a fresh line. */
  done (): void {
    if (this.tty) { this.out.write('\n') }
  }

  log (line: string): void {
    this.out.write(line + '\n')
  }
}

export function summaryText (s: Summary, extra: Record<string, string>): string {
  const d = s.meshDegrees
  const avg = d.length === 0 ? 0 : d.reduce((a, b) => a + b, 0) / d.length
  const rows: Array<[string, string]> = [
    ...Object.entries(extra),
    ['messages published', `${s.published} in ${s.seconds.toFixed(1)} s (${s.rate.toFixed(1)} msg/s)` + (s.publishFailures > 0 ? `, ${s.publishFailures} failed` : '')],
    ['delivered', `${pct(s.delivered)} (${s.deliveries} of ${s.expected} expected deliveries; ${s.complete} of ${s.published} messages reached all ${s.nodes - 1} other nodes)`],
    ['latency', `p50 ${ms(s.latency.p50)} · p90 ${ms(s.latency.p90)} · p99 ${ms(s.latency.p99)} · max ${ms(s.latency.max)}`],
    ['duplicates', `${s.duplicates} (${(s.deliveries === 0 ? 0 : s.duplicates / s.deliveries).toFixed(2)} per delivery)`],
    ['mesh degree', d.length === 0 ? '-' : `min ${Math.min(...d)} · avg ${avg.toFixed(1)} · max ${Math.max(...d)}`]
  ]
  const w = Math.max(...rows.map(r => r[0].length))
  return ['', 'Summary', ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)].join('\n')
}
