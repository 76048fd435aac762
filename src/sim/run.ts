// Runs one scenario: builds the network, publishes at the scenario's rate, samples as it goes, and
// computes the figures of the README's Reliability section and the verdict of each pass line.

import { build, resolve, TOPIC } from './build.ts'
import { counterBounds, quantile, Recorder, slope } from './measure.ts'
import type { Built, Resolved } from './build.ts'
import type { Publish, Sample } from './measure.ts'
import type { PassLine, ScenarioSpec } from './scenario.ts'

export interface RunOptions {
  seed?: number
  honest?: number
  sybils?: number
  /** time handling of attacker RPCs (µs per spam RPC figure); default true */
  timeRpcs?: boolean
  /** called every 10 simulated seconds with the virtual time (ms), for progress on long runs */
  progress?(t: number, end: number): void
}

/** Every figure of a run; numbers are ms, bytes or ratios; null when it does not apply or never happened. */
export interface Figures {
  messages: number
  expectedDeliveries: number
  delivery3s: number
  delivery6s: number
  p50: number
  p90: number
  p99: number
  max: number
  /** among nodes that are not slow peers (publisher and receiver): p99 and delivery within 3 s */
  p99Others: number
  deliveryOthers3s: number
  /** what the slow peers themselves got within 3, 6 and 30 s (30 s: by the run's end, at least 6 s after each publish) */
  slowDelivery3s: number | null
  slowDelivery6s: number | null
  slowDelivery30s: number | null
  /** the slow peers' own publishes at every other honest node within 3 s */
  slowOriginDelivery3s: number | null
  /** latency of the slow peers' own deliveries, ms */
  slowP50: number | null
  slowP99: number | null
  slowMax: number | null
  /** messages dropped from upload backlogs for staleness (slow peers) */
  droppedStale: number
  duplicatesPerDelivery: number
  bytesOutPerNodePerSec: number
  bytesInPerNodePerSec: number
  meshHonestMean: number | null
  meshHonestMin: number | null
  meshHonestPeersMin: number | null
  /** ms from attack start until the last attacker is graylisted by every honest neighbour */
  timeToGraylist: number | null
  graylistByBehaviour: Record<string, number | null>
  /** ms from attack start until every honest neighbour scores the attacker below gossipThreshold (its gossip is ignored), by behaviour */
  belowGossipByBehaviour: Record<string, number | null>
  /** ms from disruption until every later message reached every eligible node within 3 s */
  recovery: number | null
  /** the single target's own delivery (eclipse of one target) */
  targetDelivery3s: number | null
  /** delivery of the censored target's messages */
  targetMessagesDelivery3s: number | null
  /** from 2 heartbeats after the split (L1's eligibility) until the heal; the 2 s before, separately */
  deliveryDuringSplit: number | null
  deliverySplitTransient: number | null
  deliveryAfterHeal: number | null
  colocatedNegativeAtFirstRefresh: number | null
  usPerAttackerRpc: number | null
  usPerIgnoredRpc: number | null
  heapStart: number
  heapPeak: number
  heapEnd: number
  /** bytes per simulated second over the attack window */
  heapSlope: number
  counterMax: Record<string, number>
  counterViolations: string[]
  countersWithinBounds: number
  events: number
  wallMs: number
  /** process CPU time (user + system) of the run */
  cpuMs: number
  nodeSecondsPerWallSecond: number
}

export interface PassVerdict extends PassLine { actual: number | null, threshold: number, pass: boolean }

export interface RunResult {
  scenario: string
  summary: string
  params: Resolved
  scoring: string[]
  figures: Figures
  samples: Sample[]
  mem: Array<{ t: number, heapUsed: number }>
  /** per-message delivery share within 3 s, for the plot: [publish time, share] */
  perMessage: Array<[number, number]>
  latencyHistogram: Array<[number, number]>
  pass: PassVerdict[]
}

export function runScenario (spec: ScenarioSpec, opts: RunOptions = {}): RunResult {
  const wall0 = performance.now()
  const cpu0 = process.cpuUsage()
  const r = resolve(spec, opts.seed ?? 1, opts.honest, opts.sybils)
  const b = build(r, opts.timeRpcs ?? true)
  const { sim } = b
  const rec = new Recorder(sim, TOPIC, 1000)
  const interval = 1000 / r.rate
  const publishUntil = r.duration - 6000
  const targetKey = b.honest[0].key
  let coloNeg: number | null = null
  for (let t = 1000, i = 0; t <= publishUntil; t = 1000 + ++i * interval) {
    sim.at(t, () => {
      let origin = sim.nodes.get(targetKey)
      if (origin === undefined || sim.rng.next() >= r.targetShare) {
        const live = [...sim.nodes.values()].filter(n => n.honest)
        origin = live[sim.rng.int(live.length)]
      }
      const msg = sim.publish(origin.key, TOPIC, payload(r.msgSize))
      rec.published(origin, msg.idKey)
    })
  }
  const every = r.attack === undefined ? 1000 : 500
  for (let t = 0; t <= r.duration; t += every) { sim.at(t, () => { rec.sample(b.sybilKeys, b.calc.thresholds.graylistThreshold, b.calc.thresholds.gossipThreshold) }) }
  const memEvery = Math.max(5000, Math.round(r.duration / 24))
  for (let t = 0; t <= r.duration; t += memEvery) { sim.at(t, () => { rec.sampleState() }) }
  const progress = opts.progress
  if (progress !== undefined) {
    for (let t = 10_000; t < r.duration; t += 10_000) { sim.at(t, () => { progress(t, r.duration) }) }
  }
  if (r.attack?.colocated === true) {
    const at = (r.attack.join === 'boot' ? 0 : r.attackAt) + 1001
    sim.at(at, () => { coloNeg = negativeShare(b) })
  }
  // the run's own snapshot of cumulative counters where measurement starts
  let base = { dups: 0, delivered: 0, out: 0, inb: 0 }
  sim.at(r.measureFrom, () => { base = totals(b) })
  sim.runUntil(r.duration)
  const wallMs = performance.now() - wall0
  const cpu = process.cpuUsage(cpu0)
  const figures = computeFigures(r, b, rec, base, wallMs)
  figures.cpuMs = (cpu.user + cpu.system) / 1000
  figures.colocatedNegativeAtFirstRefresh = coloNeg
  return {
    scenario: spec.name,
    summary: spec.summary,
    params: r,
    scoring: [`honest nodes score with calculatePeerScoreParams({ topics: { ${TOPIC}: { messagesPerSecond: ${r.rate} } } }) and its thresholds`, ...b.calc.explanation],
    figures,
    samples: rec.samples,
    mem: rec.mem,
    perMessage: perMessage(r, b, rec),
    latencyHistogram: histogram(r, b, rec),
    pass: []
  }
}

const payloads = new Map<number, Uint8Array>()
function payload (size: number): Uint8Array {
  let p = payloads.get(size)
  if (p === undefined) { p = new Uint8Array(size); payloads.set(size, p) }
  return p
}

function totals (b: Built): { dups: number, delivered: number, out: number, inb: number } {
  const t = { dups: 0, delivered: 0, out: 0, inb: 0 }
  for (const n of b.sim.all) {
    if (!n.honest) { continue }
    t.dups += n.duplicates
    t.delivered += n.delivered.size
    t.out += n.bytesOut
    t.inb += n.bytesIn
  }
  return t
}

function negativeShare (b: Built): number {
  let links = 0
  let neg = 0
  for (const key of b.sybilKeys) {
    const s = b.sim.nodes.get(key)
    if (s === undefined) { continue }
    for (const l of s.links.values()) {
      const h = l.a === s ? l.b : l.a
      if (!h.honest || h.score === undefined) { continue }
      links++
      if (h.score.score(key) < 0) { neg++ }
    }
  }
  return links === 0 ? 0 : neg / links
}

interface Tally { expected: number, in3: number, in6: number, in30: number, lat: number[] }

/** Walks every (publish, eligible receiver) pair in [from, to) and tallies deliveries. */
function tally (b: Built, pubs: readonly Publish[], from: number, to: number, keep: (pubOrigin: string, receiver: string) => boolean = () => true): Tally {
  const t: Tally = { expected: 0, in3: 0, in6: 0, in30: 0, lat: [] }
  const all = b.sim.all
  for (const p of pubs) {
    if (p.at < from || p.at >= to) { continue }
    for (const idx of p.eligible) {
      const n = all[idx]
      if (n.leftAt < p.at + 6000 || !keep(p.origin, n.key)) { continue }
      t.expected++
      const d = n.delivered.get(p.idKey)
      if (d === undefined) { continue }
      const lat = d - p.at
      t.lat.push(lat)
      if (lat <= 3000) { t.in3++ }
      if (lat <= 6000) { t.in6++ }
      if (lat <= 30_000) { t.in30++ }
    }
  }
  t.lat.sort((x, y) => x - y)
  return t
}

const ratio = (a: number, b: number): number => b === 0 ? 1 : a / b

function computeFigures (r: Resolved, b: Built, rec: Recorder, base: ReturnType<typeof totals>, wallMs: number): Figures {
  const end = r.duration
  const excluded = b.split === undefined ? undefined : [b.split[1], b.split[1] + 5000]
  const inWindow = (t: Tally, x: Tally): Tally => ({ expected: t.expected - x.expected, in3: t.in3 - x.in3, in6: t.in6 - x.in6, in30: t.in30 - x.in30, lat: t.lat })
  let main = tally(b, rec.pubs, r.measureFrom, end)
  if (excluded !== undefined) {
    const ex = tally(b, rec.pubs, excluded[0], excluded[1])
    main = inWindow(main, ex)
    main.lat = tally(b, rec.pubs, r.measureFrom, excluded[0]).lat.concat(tally(b, rec.pubs, excluded[1], end).lat).sort((x, y) => x - y)
  }
  const others = b.slow.size === 0 ? main : tally(b, rec.pubs, r.measureFrom, end, (o, k) => !b.slow.has(k) && !b.slow.has(o))
  const target = b.honest[0].key
  const tot = totals(b)
  const honestCount = b.honest.length
  const windowS = Math.max(1, (end - r.measureFrom) / 1000)
  const after = rec.samples.filter(s => s.t >= r.measureFrom)
  const memAfter = rec.mem.filter(m => m.t >= r.attackAt)
  const bounds = counterBounds(b.config)
  const violations = Object.entries(bounds).filter(([k, v]) => (rec.counterMax[k] ?? 0) > (v as number)).map(([k, v]) => `${k} ${rec.counterMax[k]} > ${v as number}`)
  const gl = graylistTimes(r, b, rec.graylistedAt)
  const bg = graylistTimes(r, b, rec.belowGossipAt)
  const tm = b.sim.timing
  const nodeMs = b.sim.all.reduce((s, n) => s + Math.max(0, Math.min(n.leftAt, end) - n.joinedAt), 0)
  return {
    messages: rec.pubs.filter(p => p.at >= r.measureFrom).length,
    expectedDeliveries: main.expected,
    delivery3s: ratio(main.in3, main.expected),
    delivery6s: ratio(main.in6, main.expected),
    p50: quantile(main.lat, 0.5),
    p90: quantile(main.lat, 0.9),
    p99: quantile(main.lat, 0.99),
    max: main.lat.length === 0 ? NaN : main.lat[main.lat.length - 1],
    p99Others: quantile(others.lat, 0.99),
    deliveryOthers3s: ratio(others.in3, others.expected),
    ...slowFigures(b, rec, r.measureFrom, end),
    droppedStale: b.sim.all.reduce((x, n) => x + (n.honest ? n.dropped : 0), 0),
    duplicatesPerDelivery: ratio(tot.dups - base.dups, tot.delivered - base.delivered),
    bytesOutPerNodePerSec: (tot.out - base.out) / honestCount / windowS,
    bytesInPerNodePerSec: (tot.inb - base.inb) / honestCount / windowS,
    ...meshFigures(after),
    timeToGraylist: gl.all,
    graylistByBehaviour: gl.by,
    belowGossipByBehaviour: bg.by,
    recovery: recovery(r, b, rec),
    targetDelivery3s: r.attack?.target === 'one' ? ratio(...pair(tally(b, rec.pubs, r.measureFrom, end, (_o, k) => k === target))) : null,
    targetMessagesDelivery3s: r.targetShare > 0 ? ratio(...pair(tally(b, rec.pubs, r.measureFrom, end, (o) => o === target))) : null,
    deliveryDuringSplit: b.split === undefined ? null : ratio(...pair(tally(b, rec.pubs, b.split[0] + 2000, b.split[1]))),
    deliverySplitTransient: b.split === undefined ? null : ratio(...pair(tally(b, rec.pubs, b.split[0], b.split[0] + 2000))),
    deliveryAfterHeal: b.split === undefined ? null : ratio(...pair(tally(b, rec.pubs, b.split[1] + 5000, end))),
    colocatedNegativeAtFirstRefresh: null,
    usPerAttackerRpc: tm.rpcs === 0 ? null : tm.ms * 1000 / tm.rpcs,
    usPerIgnoredRpc: tm.ignored === 0 ? null : tm.ignoredMs * 1000 / tm.ignored,
    heapStart: rec.mem[0]?.heapUsed ?? 0,
    heapPeak: Math.max(...rec.mem.map(m => m.heapUsed)),
    heapEnd: rec.mem[rec.mem.length - 1]?.heapUsed ?? 0,
    heapSlope: slope(memAfter.map(m => m.t / 1000), memAfter.map(m => m.heapUsed)),
    counterMax: rec.counterMax,
    counterViolations: violations,
    countersWithinBounds: violations.length === 0 ? 1 : 0,
    events: b.sim.events,
    wallMs,
    cpuMs: 0,
    nodeSecondsPerWallSecond: (nodeMs / 1000) / (wallMs / 1000)
  }
}

type SlowFigures = Pick<Figures, 'slowDelivery3s' | 'slowDelivery6s' | 'slowDelivery30s' | 'slowOriginDelivery3s' | 'slowP50' | 'slowP99' | 'slowMax'>

/** What the slow peers got themselves, and how their own publishes fared. */
function slowFigures (b: Built, rec: Recorder, from: number, to: number): SlowFigures {
  if (b.slow.size === 0) {
    return { slowDelivery3s: null, slowDelivery6s: null, slowDelivery30s: null, slowOriginDelivery3s: null, slowP50: null, slowP99: null, slowMax: null }
  }
  const t = tally(b, rec.pubs, from, to, (_o, k) => b.slow.has(k))
  const origin = tally(b, rec.pubs, from, to, (o) => b.slow.has(o))
  return {
    slowDelivery3s: ratio(t.in3, t.expected),
    slowDelivery6s: ratio(t.in6, t.expected),
    slowDelivery30s: ratio(t.in30, t.expected),
    slowOriginDelivery3s: ratio(origin.in3, origin.expected),
    slowP50: quantile(t.lat, 0.5),
    slowP99: quantile(t.lat, 0.99),
    slowMax: t.lat.length === 0 ? null : t.lat[t.lat.length - 1]
  }
}

function meshFigures (after: Sample[]): Pick<Figures, 'meshHonestMean' | 'meshHonestMin' | 'meshHonestPeersMin'> {
  if (after.length === 0) { return { meshHonestMean: null, meshHonestMin: null, meshHonestPeersMin: null } }
  return {
    meshHonestMean: after.reduce((s, x) => s + x.meshHonestMean, 0) / after.length,
    meshHonestMin: Math.min(...after.map(s => s.meshHonestMin)),
    meshHonestPeersMin: Math.min(...after.map(s => s.meshHonestPeersMin))
  }
}

const pair = (t: Tally): [number, number] => [t.in3, t.expected]

/** The later of two graylist times, null (never) being the latest. */
const worse = (a: number | null, b: number | null): number | null => a === null || b === null ? null : Math.max(a, b)

function graylistTimes (r: Resolved, b: Built, times: Map<string, number>): { all: number | null, by: Record<string, number | null> } {
  const a = r.attack
  if (a === undefined) { return { all: null, by: {} } }
  const start = r.attackAt
  const by: Record<string, number | null> = {}
  let worst: number | null = 0
  b.sybilKeys.forEach((key, i) => {
    const kind = a.mix === true ? a.behaviours[i % a.behaviours.length].kind : a.behaviours.map(x => x.kind).join('+')
    const at = times.get(key)
    const t = at === undefined ? null : Math.max(0, at - start)
    const prev = by[kind]
    by[kind] = prev === undefined ? t : worse(prev, t)
    worst = worse(worst, t)
  })
  return { all: worst, by }
}

function recovery (r: Resolved, b: Built, rec: Recorder): number | null {
  if (r.attack === undefined && r.dawn === undefined && r.partition === undefined && r.churn === undefined) { return null }
  let last: number | null = null
  for (const p of rec.pubs) {
    if (p.at < r.disruptAt) { continue }
    const t = tally(b, [p], p.at, p.at + 1)
    if (t.in3 < t.expected) { last = p.at }
  }
  return last === null ? 0 : last + 1000 / r.rate - r.disruptAt
}

function perMessage (r: Resolved, b: Built, rec: Recorder): Array<[number, number]> {
  return rec.pubs.map(p => {
    const t = tally(b, [p], p.at, p.at + 1)
    return [p.at, ratio(t.in3, t.expected)]
  })
}

function histogram (r: Resolved, b: Built, rec: Recorder): Array<[number, number]> {
  const lat = tally(b, rec.pubs, r.measureFrom, r.duration).lat
  const bins = new Map<number, number>()
  for (const l of lat) { const k = Math.floor(l / 25) * 25; bins.set(k, (bins.get(k) ?? 0) + 1) }
  return [...bins.entries()].sort((x, y) => x[0] - y[0])
}

function holds (op: PassLine['op'], actual: number, threshold: number): boolean {
  if (op === '>=') { return actual >= threshold }
  if (op === '<=') { return actual <= threshold }
  return actual < threshold
}

/** Judges each pass line of `spec` against `f` (and the baseline's figures for relative lines). */
export function judge (spec: ScenarioSpec, f: Figures, baseline?: Figures): PassVerdict[] {
  return spec.pass.map(line => {
    const raw = (f as unknown as Record<string, unknown>)[line.figure]
    const actual = typeof raw === 'number' && !Number.isNaN(raw) ? raw : null
    const ref = line.relToBaseline === true ? (baseline as unknown as Record<string, number> | undefined)?.[line.figure] : 1
    const threshold = line.value * (ref ?? NaN)
    const pass = actual !== null && !Number.isNaN(threshold) && holds(line.op, actual, threshold)
    return { ...line, actual, threshold, pass }
  })
}
