// `npm run bench:browser`: meshsub against @libp2p/gossipsub with one side (or both) in Chromium:
// browser→Node, Node→browser (WebSockets) and browser→browser (WebRTC through a Node relay).
// ABBA pairs, per-pair ratios ours/ref with seeded bootstrap intervals, JSON lines + a table.
//
//   node benchmarks/browser/run.ts [--quick] [--pairs N] [--only SUBSTRING] [--measure-ms MS] [--bare]
//   --bare: the patterns without the event-loop turn between publishes (await-bare, inflight64-bare)

/* eslint-disable no-console -- the runner reports on stdout */

import { appendFileSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { launch } from '../../test/browser/lib/browsers.ts'
import { bundle } from '../../test/browser/lib/bundle.ts'
import { serve } from '../../test/browser/lib/server.ts'
import { abbaOrder, bootstrapMedianRatio, median, verdict } from '../lib/stats.ts'
import { createPeer, Load, TOPIC, until } from './peer.ts'
import type { BenchApi } from './page.ts'
import type { Pattern, RouterKind } from './peer.ts'
import type { StaticServer } from '../../test/browser/lib/server.ts'
import type { Browser, CDPSession, Page } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const option = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined }
const QUICK = args.includes('--quick')
const PAIRS = Number(option('--pairs') ?? (QUICK ? 3 : 5))
const ONLY = option('--only')
const WARMUP_MS = 1000
const MEASURE_MS = Number(option('--measure-ms') ?? (QUICK ? 2000 : 3000))
const SIZE = 1024

type Shape = 'browser→node' | 'node→browser' | 'browser→browser'
interface Case { name: string, shape: Shape, pattern: Pattern }
type Trial = Record<string, number>

const CASES: Case[] = (['browser→node', 'node→browser', 'browser→browser'] as Shape[]).flatMap(shape =>
  ((args.includes('--bare') ? ['await-bare', 'inflight64-bare'] : ['await-each', 'inflight64']) as Pattern[]).map(pattern => ({ name: `${shape} 1KiB ${pattern} StrictNoSign`, shape, pattern })))

const METRICS = [
  { key: 'throughput', label: 'throughput msg/s', higherIsBetter: true },
  { key: 'browserCpuUsPerMsg', label: 'browser CPU µs/msg', higherIsBetter: false },
  { key: 'nodeCpuUsPerMsg', label: 'Node CPU µs/msg', higherIsBetter: false },
  { key: 'totalCpuUsPerMsg', label: 'total CPU µs/msg', higherIsBetter: false }
]

/** A page with the bench API and a CDP session counting its main thread's CPU time. */
interface BenchPage {
  page: Page
  cdp: CDPSession
  call<K extends keyof BenchApi>(m: K, ...a: Parameters<BenchApi[K]>): Promise<Awaited<ReturnType<BenchApi[K]>>>
}

async function openPage (browser: Browser, server: StaticServer): Promise<BenchPage> {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${server.url}/bench.html`)
  await page.waitForFunction(() => (globalThis as any).bench !== undefined)
  const cdp = await context.newCDPSession(page)
  // threadTicks: TaskDuration counts the renderer main thread's CPU time, not wall time
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' })
  const call = (async (m: string, ...a: unknown[]) => page.evaluate(async ([mm, aa]) => (globalThis as any).bench[mm](...aa), [m, a] as const)) as BenchPage['call']
  return { page, cdp, call }
}

/** Main-thread CPU seconds of the page so far (Chrome's TaskDuration under threadTicks). */
async function pageCpu (p: BenchPage): Promise<number> {
  const { metrics } = await p.cdp.send('Performance.getMetrics')
  return metrics.find(m => m.name === 'TaskDuration')?.value ?? NaN
}

async function closePage (p: BenchPage): Promise<void> {
  await p.call('stop').catch(() => {})
  await p.page.context().close()
}

const sleep = async (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** One trial: set up, publish for warm-up + window, read the counters at the window's edges. */
async function trial (browser: Browser, server: StaticServer, c: Case, router: RouterKind): Promise<Trial> {
  if (c.shape === 'browser→browser') { return trialB2B(browser, server, c, router) }
  const node = await createPeer(router, 'StrictNoSign', { listen: ['/ip4/127.0.0.1/tcp/0/ws'], webrtc: false })
  const load = new Load(node.services.pubsub)
  node.services.pubsub.subscribe(TOPIC)
  const page = await openPage(browser, server)
  try {
    const pageId = await page.call('start', router, 'StrictNoSign', false)
    await page.call('dial', node.getMultiaddrs()[0].toString(), false)
    await Promise.all([page.call('waitMesh', node.peerId.toString()), until(() => node.services.pubsub.getMeshPeers(TOPIC).some(p => p.toString() === pageId), 20_000, 'node mesh')])
    const fromBrowser = c.shape === 'browser→node'
    const publishing = fromBrowser ? page.call('publishFor', c.pattern, SIZE, WARMUP_MS + MEASURE_MS + 500) : load.publishFor(c.pattern, SIZE, WARMUP_MS + MEASURE_MS + 500)
    await sleep(WARMUP_MS)
    const delivered = async (): Promise<number> => fromBrowser ? load.delivered : page.call('delivered')
    const snap = async (): Promise<{ t: number, d: number, b: number, n: NodeJS.CpuUsage }> => {
      const [d, b] = await Promise.all([delivered(), pageCpu(page)])
      return { t: performance.now(), d, b, n: process.cpuUsage() }
    }
    const s0 = await snap()
    await sleep(MEASURE_MS)
    const s1 = await snap()
    await publishing
    return summarise(s1.d - s0.d, s1.t - s0.t, (s1.b - s0.b) * 1e6, (s1.n.user + s1.n.system - s0.n.user - s0.n.system))
  } finally {
    await closePage(page)
    await node.stop()
  }
}

/** Browser to browser: two pages, WebRTC through a Node relay that runs no pubsub. */
async function trialB2B (browser: Browser, server: StaticServer, c: Case, router: RouterKind): Promise<Trial> {
  const relay = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), relay: circuitRelayServer() }
  })
  const pub = await openPage(browser, server)
  const sub = await openPage(browser, server)
  try {
    const [pubId, subId] = await Promise.all([pub.call('start', router, 'StrictNoSign', true), sub.call('start', router, 'StrictNoSign', true)])
    const relayAddr = relay.getMultiaddrs()[0].toString()
    const [pubAddr] = await Promise.all([pub.call('dial', relayAddr, true), sub.call('dial', relayAddr, true)])
    const conn = await sub.call('dial', multiaddr(pubAddr).toString(), false)
    if (!conn.includes('/webrtc')) { throw new Error(`not a WebRTC connection: ${conn}`) }
    await Promise.all([pub.call('waitMesh', subId), sub.call('waitMesh', pubId)])
    const publishing = pub.call('publishFor', c.pattern, SIZE, WARMUP_MS + MEASURE_MS + 500)
    await sleep(WARMUP_MS)
    const snap = async (): Promise<{ t: number, d: number, b: number }> => {
      const [d, b1, b2] = await Promise.all([sub.call('delivered'), pageCpu(pub), pageCpu(sub)])
      return { t: performance.now(), d, b: b1 + b2 }
    }
    const s0 = await snap()
    await sleep(MEASURE_MS)
    const s1 = await snap()
    await publishing
    return summarise(s1.d - s0.d, s1.t - s0.t, (s1.b - s0.b) * 1e6, NaN)
  } finally {
    await Promise.all([closePage(pub), closePage(sub)])
    await relay.stop()
  }
}

function summarise (delivered: number, wallMs: number, browserCpuUs: number, nodeCpuUs: number): Trial {
  const per = (us: number): number => delivered > 0 ? us / delivered : NaN
  return {
    delivered,
    wallMs,
    throughput: delivered / (wallMs / 1000),
    browserCpuUsPerMsg: per(browserCpuUs),
    nodeCpuUsPerMsg: per(nodeCpuUs),
    totalCpuUsPerMsg: per(browserCpuUs + (Number.isNaN(nodeCpuUs) ? 0 : nodeCpuUs))
  }
}

/**
 * A setup that fails (a WebRTC dial timing out on a loaded machine) is tried once more; a pair
 * with a failed side is left out of the ratios (the bootstrap drops non-finite ratios).
 */
async function trialOrRetry (browser: Browser, server: StaticServer, c: Case, router: RouterKind): Promise<Trial> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return await trial(browser, server, c, router)
    } catch (err: any) {
      console.log(`  ${c.name} ${router}: trial failed (attempt ${attempt}): ${String(err?.message ?? err)}`)
    }
  }
  return { throughput: NaN, browserCpuUsPerMsg: NaN, nodeCpuUsPerMsg: NaN, totalCpuUsPerMsg: NaN }
}

const fmt = (x: number): string => !Number.isFinite(x) ? '–' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)

async function main (): Promise<void> {
  const resultsDir = join(here, '..', 'results')
  mkdirSync(resultsDir, { recursive: true })
  const file = join(resultsDir, `browser-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`)
  const server = await serve()
  server.set('/bench.js', await bundle({ entry: join(here, 'page.ts'), minify: true }))
  server.set('/bench.html', '<!doctype html><meta charset="utf-8"><title>bench</title><script src="/bench.js"></script>')
  const browser = await launch('chromium')
  console.log(`bench:browser — Chromium ${browser.version()}, ${os.cpus().length} cores, load ${os.loadavg().map(l => l.toFixed(1)).join(' ')}, ${PAIRS} pairs, ${MEASURE_MS} ms windows; results in ${file}`)
  const rows: string[] = []
  try {
    for (const c of CASES.filter(c => ONLY === undefined || c.name.includes(ONLY))) {
      const byRouter: Record<RouterKind, Trial[]> = { ours: [], ref: [] }
      for (const side of abbaOrder(PAIRS)) {
        const router: RouterKind = side === 'A' ? 'ours' : 'ref'
        const t = await trialOrRetry(browser, server, c, router)
        byRouter[router].push(t)
        appendFileSync(file, JSON.stringify({ case: c.name, router, ...t }) + '\n')
        console.log(`  ${c.name} ${router}: ${fmt(t.throughput)} msg/s, browser ${fmt(t.browserCpuUsPerMsg)} µs/msg, node ${fmt(t.nodeCpuUsPerMsg)} µs/msg`)
      }
      for (const m of METRICS) {
        const ours = byRouter.ours.map(t => t[m.key])
        const ref = byRouter.ref.map(t => t[m.key])
        if (ours.every(x => Number.isNaN(x))) { continue }
        const s = bootstrapMedianRatio(ours.map((o, i) => o / ref[i]))
        appendFileSync(file, JSON.stringify({ case: c.name, metric: m.key, oursMedian: median(ours), refMedian: median(ref), ...s }) + '\n')
        rows.push(`| ${c.name} | ${m.label} | ${fmt(median(ours))} | ${fmt(median(ref))} | **${fmt(s.median)}** [${fmt(s.lo)}, ${fmt(s.hi)}] | ${verdict(s, m.higherIsBetter)} |`)
      }
    }
  } finally {
    await browser.close()
    await server.close()
  }
  console.log('\n| case | metric | meshsub | @libp2p/gossipsub | ratio [95% CI] | verdict |\n|---|---|---|---|---|---|')
  console.log(rows.join('\n'))
}

main().then(() => process.exit(0), err => { console.error(err); process.exit(1) })
