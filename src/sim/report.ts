// Presents a run: the figures as text for the terminal, as JSON, and as one self-contained HTML
// page with inline SVG plots (no scripts, no network).

import type { RunResult } from './run.ts'

const fmt = (v: unknown): string => {
  if (v === null || v === undefined) { return '—' }
  if (typeof v === 'number') {
    if (Number.isNaN(v)) { return '—' }
    return Number.isInteger(v) ? String(v) : v.toPrecision(Math.abs(v) >= 1000 ? 7 : 4)
  }
  return typeof v === 'string' ? v : JSON.stringify(v)
}

const MiB = 1024 * 1024
const pct = (v: number | null): string => `${((v ?? 0) * 100).toFixed(3)}%`

const byBehaviour = (m: Record<string, number | null>): string => Object.entries(m).map(([k, v]) => `${k} ${v === null ? 'never' : `${v} ms`}`).join(', ')

function graylistText (t: number | null, attacked: boolean): string {
  if (t !== null) { return `${t} ms` }
  return attacked ? 'not every attacker' : '—'
}

/** The the README's Reliability section figures of a run, one per line. */
export function figureLines (r: RunResult): string[] {
  const f = r.figures
  const p = r.params
  return [
    `scenario ${r.scenario} — seed ${p.seed}, ${p.honest} honest + ${p.sybils} sybils, ${p.rate} msg/s of ${p.msgSize} B, attack/fault at ${p.attackAt / 1000} s, measured from ${p.measureFrom / 1000} s to ${p.duration / 1000} s`,
    `  ${r.summary}`,
    `  delivery within 3 s ${(f.delivery3s * 100).toFixed(3)}%, within 6 s ${(f.delivery6s * 100).toFixed(3)}% (${f.expectedDeliveries} expected deliveries of ${f.messages} messages)`,
    `  latency ms p50 ${fmt(f.p50)}  p90 ${fmt(f.p90)}  p99 ${fmt(f.p99)}  max ${fmt(f.max)}${p.slow === undefined ? '' : `  (among non-slow nodes: p99 ${fmt(f.p99Others)}, delivery ${pct(f.deliveryOthers3s)})`}`,
    ...(p.slow === undefined ? [] : [`  slow peers' own delivery within 3 s ${pct(f.slowDelivery3s)}, 6 s ${pct(f.slowDelivery6s)}, 30 s ${pct(f.slowDelivery30s)} (p50 ${fmt(f.slowP50)}, p99 ${fmt(f.slowP99)}, max ${fmt(f.slowMax)} ms); their publishes at the others within 3 s ${pct(f.slowOriginDelivery3s)}; ${f.droppedStale} stale messages dropped from upload backlogs`]),
    `  duplicates per delivery ${fmt(f.duplicatesPerDelivery)}; bytes per honest node per s: out ${fmt(Math.round(f.bytesOutPerNodePerSec))}, in ${fmt(Math.round(f.bytesInPerNodePerSec))}`,
    `  mesh honest share after ${p.measureFrom / 1000} s: mean ${fmt(f.meshHonestMean)}, min ${fmt(f.meshHonestMin)}; fewest honest mesh peers ${fmt(f.meshHonestPeersMin)}`,
    `  time to graylist ${graylistText(f.timeToGraylist, p.attack !== undefined)}${Object.keys(f.graylistByBehaviour).length > 1 ? ` (by behaviour: ${byBehaviour(f.graylistByBehaviour)}; below gossipThreshold: ${byBehaviour(f.belowGossipByBehaviour)})` : ''}; recovery ${f.recovery === null ? '—' : `${f.recovery} ms`}`,
    ...(f.targetDelivery3s === null ? [] : [`  target's own delivery within 3 s ${(f.targetDelivery3s * 100).toFixed(3)}%`]),
    ...(f.targetMessagesDelivery3s === null ? [] : [`  the censored target's messages within 3 s ${(f.targetMessagesDelivery3s * 100).toFixed(3)}%`]),
    ...(f.deliveryDuringSplit === null ? [] : [`  during the split ${(f.deliveryDuringSplit * 100).toFixed(3)}% (first 2 s after it ${((f.deliverySplitTransient ?? 0) * 100).toFixed(3)}%), from 5 s after healing ${((f.deliveryAfterHeal ?? 0) * 100).toFixed(3)}%`]),
    ...(f.colocatedNegativeAtFirstRefresh === null ? [] : [`  colocated sybil links scored negative at first refresh: ${(f.colocatedNegativeAtFirstRefresh * 100).toFixed(1)}%`]),
    ...(f.usPerAttackerRpc === null ? [] : [`  µs per attacker RPC ${fmt(f.usPerAttackerRpc)}; per ignored (graylisted) RPC ${fmt(f.usPerIgnoredRpc)}`]),
    `  heap MiB start ${(f.heapStart / MiB).toFixed(1)}, peak ${(f.heapPeak / MiB).toFixed(1)}, end ${(f.heapEnd / MiB).toFixed(1)}, slope ${(f.heapSlope / 1024).toFixed(1)} KiB per simulated s (whole process, GC noise included)`,
    `  state maxima: ${Object.entries(f.counterMax).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ')}${f.counterViolations.length > 0 ? `; OVER BOUND: ${f.counterViolations.join(', ')}` : '; all within bounds'}`,
    `  ${f.events} events in ${(f.wallMs / 1000).toFixed(1)} s wall (${(f.cpuMs / 1000).toFixed(1)} s CPU): ${Math.round(f.nodeSecondsPerWallSecond)} simulated node-seconds per wall second`,
    ...r.pass.map(v => `  ${v.pass ? 'PASS' : 'MISS'} ${v.text}: ${v.figure} = ${fmt(v.actual)} (line ${v.op} ${fmt(v.threshold)})`)
  ]
}

interface Series { name: string, color: string, points: Array<[number, number]> }

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** A line (or bar) plot as inline SVG. */
export function svgPlot (title: string, xLabel: string, series: Series[], opts: { yMin?: number, yMax?: number, bars?: boolean } = {}): string {
  const W = 640
  const H = 220
  const L = 56
  const B = 36
  const pts = series.flatMap(s => s.points)
  if (pts.length === 0) { return '' }
  const xMin = Math.min(...pts.map(p => p[0]))
  const xMax = Math.max(xMin + 1, ...pts.map(p => p[0]))
  const yMin = opts.yMin ?? Math.min(...pts.map(p => p[1]))
  const yMax = Math.max(yMin + 1e-9, opts.yMax ?? Math.max(...pts.map(p => p[1])))
  const x = (v: number): number => L + (v - xMin) / (xMax - xMin) * (W - L - 10)
  const y = (v: number): number => H - B - (v - yMin) / (yMax - yMin) * (H - B - 24)
  const body = series.map(s => opts.bars === true
    ? s.points.map(([a, b]) => `<rect x="${x(a).toFixed(1)}" y="${y(b).toFixed(1)}" width="${Math.max(1, (W - L) / s.points.length - 1).toFixed(1)}" height="${(H - B - y(b)).toFixed(1)}" fill="${s.color}"/>`).join('')
    : `<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${s.points.map(([a, b]) => `${x(a).toFixed(1)},${y(b).toFixed(1)}`).join(' ')}"/>`).join('')
  const legend = series.map((s, i) => `<text x="${L + 8 + i * 170}" y="14" fill="${s.color}" font-size="11">■ ${esc(s.name)}</text>`).join('')
  const ticks = [0, 0.5, 1].map(f => {
    const xv = xMin + f * (xMax - xMin)
    const yv = yMin + f * (yMax - yMin)
    return `<text x="${x(xv).toFixed(1)}" y="${H - B + 14}" font-size="10" text-anchor="middle">${fmt(Number(xv.toPrecision(3)))}</text>` +
      `<text x="${L - 4}" y="${(y(yv) + 3).toFixed(1)}" font-size="10" text-anchor="end">${fmt(Number(yv.toPrecision(3)))}</text>`
  }).join('')
  return `<figure><figcaption>${esc(title)}</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">` +
    `<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#888"/><line x1="${L}" y1="20" x2="${L}" y2="${H - B}" stroke="#888"/>` +
    `${ticks}<text x="${(W + L) / 2}" y="${H - 4}" font-size="11" text-anchor="middle">${esc(xLabel)}</text>${legend}${body}</svg></figure>`
}

/** One HTML page for one or more runs. */
export function htmlReport (runs: RunResult[]): string {
  const sections = runs.map(r => {
    const s = (t: number): number => t / 1000
    const plots = [
      svgPlot('share of eligible honest nodes that got each message within 3 s, by publish time', 'publish time (s)', [{ name: 'delivered within 3 s', color: '#1f77b4', points: r.perMessage.map(([t, v]) => [s(t), v]) }], { yMin: 0, yMax: 1 }),
      svgPlot('honest share of honest nodes\' meshes over time', 'time (s)', [
        { name: 'mean', color: '#2ca02c', points: r.samples.map(x => [s(x.t), x.meshHonestMean]) },
        { name: 'min', color: '#d62728', points: r.samples.map(x => [s(x.t), x.meshHonestMin]) },
        ...(r.params.attack === undefined ? [] : [{ name: 'attacker links graylisted', color: '#9467bd', points: r.samples.map((x): [number, number] => [s(x.t), x.graylisted]) }])
      ], { yMin: 0, yMax: 1 }),
      svgPlot('latency histogram (25 ms bins), measured window', 'latency (ms)', [{ name: 'deliveries', color: '#ff7f0e', points: r.latencyHistogram }], { yMin: 0, bars: true }),
      svgPlot('heap used (MiB), whole process', 'time (s)', [{ name: 'heapUsed', color: '#8c564b', points: r.mem.map(m => [s(m.t), m.heapUsed / 1024 / 1024]) }], { yMin: 0 })
    ].join('\n')
    const verdicts = r.pass.map(v => `<tr class="${v.pass ? 'pass' : 'miss'}"><td>${v.pass ? 'PASS' : 'MISS'}</td><td>${esc(v.text)}</td><td>${esc(v.figure)} = ${esc(fmt(v.actual))}</td><td>${esc(v.op)} ${esc(fmt(v.threshold))}</td></tr>`).join('')
    return `<section><h2>${esc(r.scenario)}</h2><pre>${esc(figureLines(r).join('\n'))}</pre>` +
      `<table>${verdicts}</table>${plots}<details><summary>scoring parameters</summary><pre>${esc(r.scoring.join('\n'))}</pre></details>` +
      `<details><summary>all figures (JSON)</summary><pre>${esc(JSON.stringify(r.figures, null, 1))}</pre></details></section>`
  }).join('\n')
  return '<!doctype html><html><head><meta charset="utf-8"><title>meshsub simulation report</title><style>' +
    'body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}' +
    'td{padding:2px 8px}tr.pass td:first-child{color:#2a2}tr.miss td:first-child{color:#c22;font-weight:bold}figure{margin:1em 0}figcaption{font-size:13px}' +
    `</style></head><body><h1>meshsub simulation report</h1><p>Real meshsub router cores with real peer scoring in virtual time; every run is reproducible from its seed.</p>${sections}</body></html>\n`
}

/** The JSON form of runs (per-message series included). */
export function jsonReport (runs: RunResult[]): string {
  return JSON.stringify(runs, (_k, v) => typeof v === 'number' && !Number.isFinite(v) ? null : v, 1)
}
