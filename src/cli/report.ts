// The demo's self-contained HTML report: the summary table and three inline SVG plots (latency
// CDF, delivery over time, mesh degree histogram). No scripts, fonts or other network resources.

import { ms, pct } from './progress.ts'
import type { DemoOptions } from './demo-run.ts'
import type { Recorder, Summary } from './stats.ts'

const W = 560
const H = 280
const PAD = { l: 56, r: 16, t: 16, b: 44 }

function esc (s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** "nice" tick values covering [0, max] */
function ticks (max: number, count = 5): number[] {
  if (!(max > 0)) { return [0] }
  const raw = max / count
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) ?? raw
  const out: number[] = []
  for (let v = 0; v <= max + step * 1e-9; v += step) { out.push(Number(v.toPrecision(12))) }
  return out
}

interface Axes {
  xMax: number
  yMax: number
  xLabel: string
  yLabel: string
  yFmt?(v: number): string
  /** x tick positions and labels; default: round numbers */
  xTicks?: Array<[number, string]>
}

function frame (a: Axes, body: string, title: string): string {
  const x = (v: number): number => PAD.l + (v / a.xMax) * (W - PAD.l - PAD.r)
  const y = (v: number): number => H - PAD.b - (v / a.yMax) * (H - PAD.t - PAD.b)
  const xt = (a.xTicks ?? ticks(a.xMax).map(v => [v, String(v)] as [number, string]))
    .map(([v, label]) => `<line x1="${x(v)}" y1="${H - PAD.b}" x2="${x(v)}" y2="${H - PAD.b + 4}" stroke="#555"/><text x="${x(v)}" y="${H - PAD.b + 16}" text-anchor="middle">${esc(label)}</text>`)
  const yt = ticks(a.yMax).map(v => `<line x1="${PAD.l - 4}" y1="${y(v)}" x2="${W - PAD.r}" y2="${y(v)}" stroke="#e5e5e5"/><text x="${PAD.l - 6}" y="${y(v) + 4}" text-anchor="end">${esc((a.yFmt ?? String)(v))}</text>`)
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">` +
    yt.join('') + xt.join('') +
    `<line x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}" stroke="#555"/>` +
    `<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 8}" text-anchor="middle">${esc(a.xLabel)}</text>` +
    `<text transform="translate(14 ${(PAD.t + H - PAD.b) / 2}) rotate(-90)" text-anchor="middle">${esc(a.yLabel)}</text>` +
    body + '</svg></figure>'
}

interface Scale { x(v: number): number, y(v: number): number }

function scale (a: Axes): Scale {
  return {
    x: v => PAD.l + (Math.min(v, a.xMax) / a.xMax) * (W - PAD.l - PAD.r),
    y: v => H - PAD.b - (Math.min(v, a.yMax) / a.yMax) * (H - PAD.t - PAD.b)
  }
}

function polyline (points: Array<[number, number]>, a: Axes, colour: string): string {
  const { x, y } = scale(a)
  const pts = points.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ')
  return `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts}"/>`
}

/** Latency CDF, x capped at the 99.9th percentile so one straggler does not flatten the curve. */
export function latencyCdf (latencies: readonly number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b)
  if (sorted.length === 0) { return '<p>No deliveries.</p>' }
  const cap = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.999))]
  const a: Axes = { xMax: Math.max(cap, 1), yMax: 1, xLabel: 'latency (ms)', yLabel: 'fraction of deliveries', yFmt: v => `${Math.round(v * 100)}%` }
  const step = Math.max(1, Math.floor(sorted.length / 400))
  const pts: Array<[number, number]> = [[0, 0]]
  for (let i = 0; i < sorted.length; i += step) { pts.push([sorted[i], (i + 1) / sorted.length]) }
  pts.push([sorted[sorted.length - 1], 1])
  return frame(a, polyline(pts, a, '#1f77b4'), 'Latency CDF (publish to delivery, every receiving node)')
}

export function deliveryOverTime (rec: Recorder): string {
  const s = rec.samples
  if (s.length === 0) { return '<p>No samples.</p>' }
  const a: Axes = { xMax: Math.max(s[s.length - 1].t, 1), yMax: 1, xLabel: 'time since first publish (s)', yLabel: 'delivered', yFmt: v => `${Math.round(v * 100)}%` }
  return frame(a, polyline(s.map(v => [v.t, v.delivered]), a, '#2ca02c'),
    'Delivered so far ÷ expected for messages published so far (in-flight messages show as a dip)')
}

export function meshHistogram (degrees: readonly number[]): string {
  if (degrees.length === 0) { return '<p>No nodes.</p>' }
  const maxDeg = Math.max(...degrees, 1)
  const counts = new Array<number>(maxDeg + 1).fill(0)
  for (const d of degrees) { counts[d]++ }
  // the bar of degree d spans [d, d + 1] and is labelled at its centre
  const xTicks = counts.map((_, d) => [d + 0.5, String(d)] as [number, string])
  const a: Axes = { xMax: maxDeg + 1, yMax: Math.max(...counts), xLabel: 'mesh degree (peers)', yLabel: 'nodes', xTicks }
  const { x, y } = scale(a)
  const bw = (x(1) - x(0)) * 0.8
  const bars = counts.map((c, d) => c === 0
    ? ''
    : `<rect x="${(x(d + 0.5) - bw / 2).toFixed(1)}" y="${y(c).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(0) - y(c)).toFixed(1)}" fill="#ff7f0e"><title>${d} peers: ${c} nodes</title></rect>`)
  return frame(a, bars.join(''), 'Mesh degree per node at the end')
}

export function htmlReport (opts: DemoOptions, s: Summary, rec: Recorder): string {
  const rows: Array<[string, string]> = [
    ['network', `${opts.nodes} nodes on 127.0.0.1 (TCP, noise, yamux), seed ${opts.seed}, ${opts.sign}`],
    ['load', `${opts.rate} msg/s of ${opts.size} B for ${opts.duration} s`],
    ['published', `${s.published} (${s.rate.toFixed(1)} msg/s)${s.publishFailures > 0 ? `, ${s.publishFailures} failed` : ''}`],
    ['delivered', `${pct(s.delivered)} (${s.deliveries} of ${s.expected}); ${s.complete} of ${s.published} messages reached every node`],
    ['latency', `p50 ${ms(s.latency.p50)}, p90 ${ms(s.latency.p90)}, p99 ${ms(s.latency.p99)}, max ${ms(s.latency.max)}`],
    ['duplicates', `${s.duplicates} (${(s.deliveries === 0 ? 0 : s.duplicates / s.deliveries).toFixed(2)} per delivery)`]
  ]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>meshsub demo report</title>
<style>body{font-family:sans-serif;max-width:1180px;margin:2em auto;color:#222}table{border-collapse:collapse}td{padding:2px 12px 2px 0;vertical-align:top}td:first-child{font-weight:bold}figure{display:inline-block;margin:1em 1em 0 0}figcaption{font-size:13px;margin-bottom:4px}</style>
</head><body>
<h1>meshsub demo report</h1>
<p>Generated ${esc(new Date().toISOString())}.</p>
<table>${rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
${latencyCdf(rec.latencies)}
${deliveryOverTime(rec)}
${meshHistogram(s.meshDegrees)}
</body></html>
`
}
