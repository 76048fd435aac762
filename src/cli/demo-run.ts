// The demo run behind `npm start` and `meshsub demo`: its options, the network's life, publishing
// a stream from random nodes while showing progress, then the summary and the optional report.

import { writeFile } from 'node:fs/promises'
import { SeededRng } from '../core/rng.ts'
import { StrictNoSign, StrictSign } from '../index.ts'
import { choiceOpt, numberOpt, parse, stringOpt, UsageError } from './args.ts'
import { degrees, dialGraph, meshDegrees, randomGraph, startNodes, stopNodes, waitForMeshes } from './demo-net.ts'
import { Progress, summaryText } from './progress.ts'
import { htmlReport } from './report.ts'
import { stamp, STAMP_BYTES, unstamp, wallClock } from './stamp.ts'
import { Recorder } from './stats.ts'
import type { MeshsubNode } from './libp2p-node.ts'
import type { SignaturePolicy } from '../index.ts'

export const DEMO_HELP = `Usage: npm start -- [options]     (or: meshsub demo [options])

Starts a local network of meshsub nodes on 127.0.0.1 (TCP, noise, yamux, identify), lets the
meshes form, publishes messages from random nodes and shows delivery, latency, duplicates and
mesh degrees live, then a summary.

Options:
  --nodes N          nodes in the network (2..200; default 20)
  --rate R           messages published per second, whole network (0.1..5000; default 20)
  --size BYTES       message size in bytes (${STAMP_BYTES + 4}..1048000; default 1024)
  --duration S       seconds of publishing (1..3600; default 15)
  --sign POLICY      StrictSign or StrictNoSign (default StrictSign)
  --seed N           seed of the graph and of the publishers (default 1)
  --report FILE      also write a self-contained HTML report (plots, no network needed)
  -h, --help         this help

Ctrl-C stops publishing early and prints the summary so far (exit code 130).
`

export interface DemoOptions {
  nodes: number
  rate: number
  size: number
  duration: number
  sign: SignaturePolicy
  seed: number
  report?: string
}

/** Parses the demo's arguments; returns undefined when help was asked for. */
export function parseDemoArgs (argv: string[]): DemoOptions | undefined {
  const { values } = parse(argv, {
    nodes: { type: 'string' },
    rate: { type: 'string' },
    size: { type: 'string' },
    duration: { type: 'string' },
    sign: { type: 'string' },
    seed: { type: 'string' },
    report: { type: 'string' },
    help: { type: 'boolean', short: 'h' }
  })
  if (values.help === true) { return undefined }
  const report = stringOpt(values, 'report')
  if (report !== undefined && !report.endsWith('.html')) { throw new UsageError(`--report must name an .html file, got "${report}"`) }
  return {
    nodes: numberOpt(values, 'nodes', 2, 200) ?? 20,
    rate: numberOpt(values, 'rate', 0.1, 5000, true) ?? 20,
    size: numberOpt(values, 'size', STAMP_BYTES + 4, 1_048_000) ?? 1024,
    duration: numberOpt(values, 'duration', 1, 3600, true) ?? 15,
    sign: choiceOpt(values, 'sign', [StrictSign, StrictNoSign] as const) ?? StrictSign,
    seed: numberOpt(values, 'seed', 0, 2 ** 32 - 1) ?? 1,
    report
  }
}

const TOPIC = 'meshsub-demo'
const SAMPLE_MS = 250
/** after the last publish, wait at most this long for the last deliveries */
const DRAIN_MS = 5000

function listen (nodes: MeshsubNode[], rec: Recorder): void {
  for (const n of nodes) {
    n.services.pubsub.addEventListener('message', (e) => {
      const s = unstamp(e.detail.data)
      if (s === undefined || s.body.length < 4) { return }
      const seq = new DataView(s.body.buffer, s.body.byteOffset).getUint32(0)
      rec.deliver(seq, wallClock() - s.sentAt)
    })
    n.services.pubsub.addEventListener('gossipsub:trace', (e) => {
      if (e.detail.type === 'duplicate') { rec.duplicates++ }
    })
  }
}

function publishOne (nodes: MeshsubNode[], rng: SeededRng, rec: Recorder, size: number): void {
  const sentAt = wallClock()
  const seq = rec.publish(sentAt)
  const body = new Uint8Array(size - STAMP_BYTES)
  new DataView(body.buffer).setUint32(0, seq)
  nodes[rng.int(nodes.length)].services.pubsub.publish(TOPIC, stamp(body, sentAt)).catch(() => { rec.publishFailures++ })
}

/** Publishes at `rate` for `duration` s, sampling progress; then waits for the last deliveries. */
async function publishPhase (nodes: MeshsubNode[], opts: DemoOptions, rec: Recorder, progress: Progress, stop: AbortSignal): Promise<number> {
  const rng = new SeededRng(opts.seed + 1)
  const start = performance.now()
  let nextSample = 0
  let end = opts.duration
  for (;;) {
    const elapsed = (performance.now() - start) / 1000
    // Ctrl-C ends publishing early; what was sent still gets its drain time
    if (stop.aborted && end > elapsed) { end = elapsed }
    const publishing = elapsed < end
    if (publishing) {
      const due = Math.min(Math.floor(elapsed * opts.rate) + 1, Math.ceil(opts.duration * opts.rate))
      while (rec.published < due) { publishOne(nodes, rng, rec, opts.size) }
    } else if (rec.allDelivered() || elapsed > end + DRAIN_MS / 1000) {
      progress.update(rec.sample(elapsed, meshDegrees(nodes, TOPIC)))
      return Math.min(elapsed, end)
    }
    if (elapsed >= nextSample) {
      progress.update(rec.sample(elapsed, meshDegrees(nodes, TOPIC)))
      nextSample = elapsed + SAMPLE_MS / 1000
    }
    await new Promise(resolve => setTimeout(resolve, publishing ? Math.min(10, 1000 / opts.rate) : 20))
  }
}

export async function runDemo (opts: DemoOptions, progress: Progress, stop: AbortSignal = new AbortController().signal): Promise<void> {
  const t0 = performance.now()
  progress.log(`meshsub demo: ${opts.nodes} nodes, ${opts.rate} msg/s of ${opts.size} B for ${opts.duration} s, ${opts.sign}, seed ${opts.seed}`)
  const nodes = await startNodes({ nodes: opts.nodes, seed: opts.seed, sign: opts.sign, topic: TOPIC })
  try {
    const links = randomGraph(opts.nodes, opts.seed)
    progress.log(`started ${nodes.length} nodes; dialling ${links.length} links one at a time…`)
    const failed = await dialGraph(nodes, links)
    if (failed > 0) { progress.log(`warning: ${failed} of ${links.length} dials failed`) }
    const want = degrees(opts.nodes, links).map(d => Math.min(d, 4))
    const t1 = performance.now()
    const formed = await waitForMeshes(nodes, TOPIC, want, 15_000)
    progress.log(formed
      ? `meshes formed in ${((performance.now() - t1) / 1000).toFixed(1)} s; publishing…`
      : 'warning: some meshes are still short after 15 s; publishing anyway…')
    const rec = new Recorder(opts.nodes)
    listen(nodes, rec)
    const seconds = await publishPhase(nodes, opts, rec, progress, stop)
    if (stop.aborted) { progress.log('\ninterrupted: publishing stopped early') }
    progress.done()
    const summary = rec.summary(seconds, meshDegrees(nodes, TOPIC))
    progress.log(summaryText(summary, {
      network: `${opts.nodes} nodes, ${links.length} TCP links (seed ${opts.seed}), ${opts.sign}, ${opts.size} B messages`,
      'wall time': `${((performance.now() - t0) / 1000).toFixed(1)} s`
    }))
    if (opts.report !== undefined) {
      await writeFile(opts.report, htmlReport(opts, summary, rec))
      progress.log(`  report              ${opts.report}`)
    }
  } finally {
    await stopNodes(nodes)
  }
}

/** Runs the demo with command-line arguments; resolves to the process exit code. */
export async function demoMain (argv: string[]): Promise<number> {
  let opts: DemoOptions | undefined
  try {
    opts = parseDemoArgs(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) { throw err }
    process.stderr.write(`meshsub demo: ${err.message}\nTry --help for the options.\n`)
    return 2
  }
  if (opts === undefined) {
    process.stdout.write(DEMO_HELP)
    return 0
  }
  const stop = new AbortController()
  const onSigint = (): void => {
    if (stop.signal.aborted) { process.exit(130) }
    stop.abort()
  }
  process.on('SIGINT', onSigint)
  try {
    await runDemo(opts, new Progress(process.stdout), stop.signal)
  } finally {
    process.off('SIGINT', onSigint)
  }
  return stop.signal.aborted ? 130 : 0
}
