// Benchmark orchestrator: meshsub against @libp2p/gossipsub, each trial in a fresh child process,
// A/B interleaved ABBA, paired ratios ours/theirs with seeded bootstrap intervals, JSON lines + table.
//
//   npm run bench                      full matrix (scenarios i–v)
//   npm run bench:quick                1 KiB single hop (window 64, StrictNoSign) + 20 nodes at the knee
//   node benchmarks/run.ts --knee [--nodes 50]   sweep the reference's rate to find its saturation knee
//   options: --pairs N  --retries N  --retry-budget SECONDS  --only SUBSTRING  --rate R (override both knees, msg/s)  --seed S
//   --vs-tree DIR   B side is meshsub from another checkout (DIR/benchmarks/trial.ts), not the
//                   reference: a before/after comparison of a change with the same method

import { spawn } from 'node:child_process'
import { appendFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { abbaOrder, bootstrapMedianRatio, median, verdict } from './lib/stats.ts'
import type { RatioSummary } from './lib/stats.ts'

const here = dirname(fileURLToPath(import.meta.url))

/**
 * The reference's saturation rates (msg/s offered to the whole network) for 20 and 50 nodes,
 * measured with --knee [--nodes 50] on this machine; see README.md for the sweeps.
 */
export const REF_KNEE: Record<number, number> = { 20: 50, 50: 20 }

interface Metric { key: string, label: string, higherIsBetter: boolean }

interface Case {
  name: string
  scenario: string
  params: Record<string, unknown>
  metrics: Metric[]
  /** ours only (no reference equivalent): trials are repeated, no ratio */
  oursOnly?: boolean
  /** the trial needs --expose-gc */
  gc?: boolean
}

type Trial = Record<string, any>

const args = process.argv.slice(2)
const flag = (name: string): boolean => args.includes(name)
const option = (name: string, dflt: number): number => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const optionStr = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

const QUICK = flag('--quick')
const PAIRS = option('--pairs', 5)
const RETRIES = option('--retries', 1)
const SEED = option('--seed', 1)
const VS_TREE = optionStr('--vs-tree')
const RATE = option('--rate', NaN)
const kneeOf = (nodes: number): number => Number.isNaN(RATE) ? REF_KNEE[nodes] : RATE
/** trials whose main-thread CPU per event-loop-active ms is below this are re-run */
const MIN_CPU_PER_ACTIVE = 0.9
/**
 * Re-runs are bounded per trial (--retries) and per run: at most this much time is spent on them
 * (on a machine loaded by others most trials fall short of 0.9 and re-running all would triple the
 * run), and quick mode stops re-running after 200 s to stay within 5 minutes.
 */
const RETRY_BUDGET_MS = option('--retry-budget', QUICK ? 60 : 600) * 1000
const QUICK_RETRY_CUTOFF_MS = 200_000
let retrySpentMs = 0

const SINGLE_HOP_METRICS: Metric[] = [
  { key: 'throughput', label: 'throughput msg/s', higherIsBetter: true },
  { key: 'cpuUsPerMsg', label: 'CPU µs/msg', higherIsBetter: false },
  { key: 'latencyP99', label: 'latency p99 ms', higherIsBetter: false },
  { key: 'bytesPerMsg', label: 'wire bytes/msg', higherIsBetter: false },
  { key: 'writesPerMsg', label: 'socket writes/msg', higherIsBetter: false }
]
const NETWORK_METRICS: Metric[] = [
  { key: 'cpuMsPer1000', label: 'CPU ms/1000 deliveries', higherIsBetter: false },
  { key: 'latencyP99', label: 'latency p99 ms', higherIsBetter: false },
  { key: 'latencyP50', label: 'latency p50 ms', higherIsBetter: false },
  { key: 'lastNodeP99', label: 'time to last node p99 ms', higherIsBetter: false },
  { key: 'deliveryRatio', label: 'delivery ratio', higherIsBetter: true },
  { key: 'duplicatesPerDelivery', label: 'duplicates/delivery', higherIsBetter: false },
  { key: 'amplification', label: 'wire amplification', higherIsBetter: false },
  { key: 'writesPerDelivery', label: 'socket writes/delivery', higherIsBetter: false }
]

function singleHopCase (size: number, window: number, policy: string): Case {
  const kib = size / 1024
  return {
    name: `single-hop ${kib}KiB w${window} ${policy}`,
    scenario: 'single-hop',
    params: { policy, size, window, warmupMs: 1000, measureMs: QUICK ? 3000 : 4000 },
    metrics: SINGLE_HOP_METRICS
  }
}

function networkCase (nodes: number, pct: number): Case {
  return {
    name: `net${nodes} ${pct}% knee`,
    scenario: 'network',
    params: { policy: 'StrictNoSign', nodes, degree: 10, seed: SEED, rate: kneeOf(nodes) * pct / 100, size: 1024, warmupMs: 1000, measureMs: QUICK ? 3000 : 5000, drainMs: 3000 },
    metrics: NETWORK_METRICS
  }
}

function quickCases (): Case[] {
  return [singleHopCase(1024, 64, 'StrictNoSign'), networkCase(20, 100)]
}

function fullCases (): Case[] {
  const cases: Case[] = []
  for (const size of [1024, 102400]) {
    for (const window of [1, 64]) { cases.push(singleHopCase(size, window, 'StrictNoSign')) }
  }
  cases.push(singleHopCase(1024, 64, 'StrictSign'), singleHopCase(1024, 1, 'StrictSign'))
  for (const nodes of [20, 50]) {
    for (const pct of [25, 50, 100, 150]) { cases.push(networkCase(nodes, pct)) }
  }
  cases.push({
    name: 'decode+handle 70/20/10',
    scenario: 'decode-handle',
    params: { rpcs: 20_000, seed: SEED },
    metrics: [
      { key: 'cpuUsPerRpc', label: 'CPU µs/RPC', higherIsBetter: false },
      { key: 'cpuUsPerNewMsg', label: 'CPU µs/RPC (new msg)', higherIsBetter: false }
    ]
  })
  cases.push({
    name: 'heap 1000 peers, 5000 cached msgs',
    scenario: 'heap',
    params: { peers: 1000, messages: 5000, size: 1024 },
    metrics: [
      { key: 'bytesPer1000Peers', label: 'heap bytes/1000 peers', higherIsBetter: false },
      { key: 'bytesPerCachedMsg', label: 'heap bytes/cached msg', higherIsBetter: false }
    ],
    gc: true
  })
  cases.push({
    name: 'heartbeat 1000 peers x 100 topics, scoring on',
    scenario: 'heartbeat',
    params: { peers: 1000, topics: 100, heartbeats: 300 },
    metrics: [
      { key: 'p50', label: 'heartbeat p50 ms', higherIsBetter: false },
      { key: 'p99', label: 'heartbeat p99 ms', higherIsBetter: false },
      { key: 'max', label: 'heartbeat max ms', higherIsBetter: false },
      { key: 'cpuMean', label: 'heartbeat CPU mean ms', higherIsBetter: false }
    ],
    oursOnly: true,
    gc: true
  })
  cases.push({
    name: 'simulator speed, baseline 100 nodes',
    scenario: 'sim-speed',
    params: { honest: 100, seed: SEED },
    metrics: [
      { key: 'nodeSecondsPerWallSecond', label: 'simulated node-s per wall s', higherIsBetter: true },
      { key: 'wallMs', label: 'wall ms for 60 simulated s', higherIsBetter: false },
      { key: 'simCpuMs', label: 'CPU ms for 60 simulated s', higherIsBetter: false }
    ],
    oursOnly: true
  })
  return cases
}

/** Runs one trial in a fresh Node process (the same Node binary as this one). */
async function runChild (scenario: string, params: Record<string, unknown>, gc: boolean): Promise<Trial> {
  const script = params.router === 'ref' && VS_TREE !== undefined ? join(VS_TREE, 'benchmarks', 'trial.ts') : join(here, 'trial.ts')
  const routerParams = VS_TREE !== undefined ? { ...params, router: 'ours' } : params
  const execArgs = [...(gc ? ['--expose-gc'] : []), script, JSON.stringify({ scenario, params: routerParams })]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, execArgs, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => { out += d.toString() })
    child.stderr.on('data', (d: Buffer) => { err += d.toString() })
    child.on('error', reject)
    child.on('close', (code) => {
      const line = out.split('\n').find(l => l.startsWith('RESULT '))
      if (code !== 0 || line === undefined) {
        reject(new Error(`trial ${scenario} exited ${code}: ${err.slice(-2000)}`))
        return
      }
      resolve(JSON.parse(line.slice('RESULT '.length)) as Trial)
    })
  })
}

const startedAt = Date.now()
const loadNow = (): number => Number(os.loadavg()[0].toFixed(2))

/**
 * A trial with the re-run rule: while main-thread CPU per event-loop-active ms is below 0.9 (the
 * thread was descheduled by other load), run it again, at most `RETRIES` times; the attempt with the
 * highest ratio is kept and flagged if it still falls short.
 */
async function trial (c: Case, router: string): Promise<Trial> {
  let best: Trial | undefined
  for (let attempt = 0; attempt <= RETRIES; attempt++) {
    const load = loadNow()
    const t0 = Date.now()
    const r = await runChild(c.scenario, { ...c.params, router }, c.gc === true)
    if (attempt > 0) { retrySpentMs += Date.now() - t0 }
    r.attempt = attempt
    r.load1 = load
    if (best === undefined || (r.cpuPerActive ?? 1) > (best.cpuPerActive ?? 1)) { best = r }
    const ok = r.cpuPerActive === undefined || r.cpuPerActive >= MIN_CPU_PER_ACTIVE
    const budgetLeft = retrySpentMs < RETRY_BUDGET_MS && !(QUICK && Date.now() - startedAt > QUICK_RETRY_CUTOFF_MS)
    if (ok || !budgetLeft) { break }
  }
  const kept = best as Trial
  kept.descheduled = kept.cpuPerActive !== undefined && kept.cpuPerActive < MIN_CPU_PER_ACTIVE
  return kept
}

interface Summary {
  case: string
  metric: string
  label: string
  ours: number
  ref: number
  ratio: RatioSummary
  verdict: string
  higherIsBetter: boolean
}

const resultsDir = join(here, 'results')
mkdirSync(resultsDir, { recursive: true })
const stamp = new Date().toISOString().replace(/[:.]/g, '-')
const mode = QUICK ? 'quick' : 'full'
const kind = flag('--knee') ? 'knee' : mode
const resultsFile = join(resultsDir, `${kind}-${stamp}.jsonl`)
const record = (obj: Record<string, unknown>): void => { appendFileSync(resultsFile, JSON.stringify(obj) + '\n') }

function fmt (x: number): string {
  if (!Number.isFinite(x)) { return String(x) }
  const a = Math.abs(x)
  if (a >= 1000) { return x.toFixed(0) }
  if (a >= 10) { return x.toFixed(1) }
  return a >= 1 ? x.toFixed(2) : x.toFixed(3)
}

function log (line: string): void { process.stdout.write(line + '\n') }

async function runCase (c: Case): Promise<Summary[]> {
  log(`\n## ${c.name}`)
  if (c.oursOnly === true) {
    const trials: Trial[] = []
    for (let i = 0; i < Math.min(PAIRS, 3); i++) {
      const t = await trial(c, 'ours')
      trials.push(t)
      record({ type: 'trial', case: c.name, router: 'ours', index: i, ...t })
    }
    return c.metrics.map(m => {
      const ours = median(trials.map(t => t[m.key]))
      log(`  ${m.label}: ours ${fmt(ours)} (median of ${trials.length})`)
      return { case: c.name, metric: m.key, label: m.label, ours, ref: NaN, ratio: { median: NaN, lo: NaN, hi: NaN, n: 0 }, verdict: 'n/a', higherIsBetter: m.higherIsBetter }
    })
  }
  const order = abbaOrder(PAIRS)
  const ours: Trial[] = []
  const ref: Trial[] = []
  for (const [i, who] of order.entries()) {
    const router = who === 'A' ? 'ours' : 'ref'
    const t = await trial(c, router)
    ;(router === 'ours' ? ours : ref).push(t)
    record({ type: 'trial', case: c.name, router, pair: i >> 1, ...t })
    const key = c.metrics[0].key
    log(`  pair ${i >> 1} ${router.padEnd(4)} ${c.metrics[0].label} ${fmt(t[key])}  cpu/active ${fmt(t.cpuPerActive ?? NaN)}${t.descheduled === true ? ' (descheduled)' : ''}  load ${t.load1}`)
  }
  return c.metrics.map((m, mi) => {
    const ratios = ours.map((o, i) => o[m.key] / ref[i][m.key])
    const ratio = bootstrapMedianRatio(ratios, SEED + mi)
    const s: Summary = {
      case: c.name,
      metric: m.key,
      label: m.label,
      ours: median(ours.map(t => t[m.key])),
      ref: median(ref.map(t => t[m.key])),
      ratio,
      verdict: verdict(ratio, m.higherIsBetter),
      higherIsBetter: m.higherIsBetter
    }
    record({ type: 'summary', ...s })
    return s
  })
}

function table (rows: Summary[]): string {
  const head = '| case | metric | meshsub | @libp2p/gossipsub | ratio ours/ref [95% CI] | verdict |'
  const sep = '|---|---|---:|---:|---|---|'
  const lines = rows.map(r => {
    const ci = r.ratio.n > 0 ? `${fmt(r.ratio.median)} [${fmt(r.ratio.lo)}, ${fmt(r.ratio.hi)}]` : '—'
    return `| ${r.case} | ${r.label} | ${fmt(r.ours)} | ${Number.isNaN(r.ref) ? '—' : fmt(r.ref)} | ${ci} | ${r.verdict} |`
  })
  return [head, sep, ...lines].join('\n')
}

/** Sweeps the reference on 20 nodes over rising rates; the knee is where delivery or p99 breaks. */
async function knee (): Promise<void> {
  const nodes = option('--nodes', 20)
  const rates = nodes === 20 ? [25, 50, 75, 100, 150, 200] : [10, 15, 20, 30, 40]
  for (const rate of rates) {
    const base = networkCase(nodes, 100)
    const t = await runChild('network', { ...base.params, rate, router: 'ref' }, false)
    record({ type: 'knee', nodes, rate, load1: loadNow(), ...t })
    log(`ref net${nodes} rate ${rate}/s: delivery ${fmt(t.deliveryRatio)}, p50 ${fmt(t.latencyP50)} ms, p99 ${fmt(t.latencyP99)} ms, elu ${fmt(t.elu)}, cpu/wall ${fmt(t.cpuMs / t.wallMs)}, cpu/active ${fmt(t.cpuPerActive)}, load ${loadNow()}`)
  }
}

function ratioOf (rows: Summary[], caseName: string, metric: string): string {
  const r = rows.find(x => x.case === caseName && x.metric === metric)
  return r === undefined ? 'NaN' : r.ratio.median.toFixed(3)
}

async function main (): Promise<void> {
  log(`meshsub benchmarks — ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load ${os.loadavg().map(x => x.toFixed(2)).join(' ')}`)
  if (VS_TREE !== undefined) { log(`B side: meshsub from ${VS_TREE} (not the reference)`) }
  log(`pairs ${PAIRS}, retries ${RETRIES}, knee net20 ${kneeOf(20)} msg/s, net50 ${kneeOf(50)} msg/s, seed ${SEED}; results → ${resultsFile}`)
  record({ type: 'run', vsTree: VS_TREE, quick: QUICK, node: process.version, cores: os.cpus().length, cpu: os.cpus()[0]?.model, load: os.loadavg(), pairs: PAIRS, knee: { 20: kneeOf(20), 50: kneeOf(50) }, seed: SEED, date: new Date().toISOString() })
  if (flag('--knee')) {
    await knee()
    return
  }
  const only = optionStr('--only')
  const cases = (QUICK ? quickCases() : fullCases()).filter(c => only === undefined || c.name.includes(only))
  const rows: Summary[] = []
  for (const c of cases) {
    try {
      rows.push(...await runCase(c))
    } catch (err) {
      log(`  FAILED: ${(err as Error).message}`)
      record({ type: 'error', case: c.name, error: (err as Error).message })
    }
  }
  log('\n' + table(rows))
  log(`\nelapsed ${((Date.now() - startedAt) / 1000).toFixed(0)} s, load now ${os.loadavg().map(x => x.toFixed(2)).join(' ')}`)
  const sh = singleHopCase(1024, 64, 'StrictNoSign').name
  const n20 = networkCase(20, 100).name
  log(`bench: single_hop_throughput_ratio=${ratioOf(rows, sh, 'throughput')} single_hop_cpu_ratio=${ratioOf(rows, sh, 'cpuUsPerMsg')} net20_cpu_ratio=${ratioOf(rows, n20, 'cpuMsPer1000')} net20_p99_ratio=${ratioOf(rows, n20, 'latencyP99')}`)
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
