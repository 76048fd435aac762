// End-to-end browser tests: a browser meshsub node and a Node meshsub node over WebSockets (both
// dial directions, both signature policies), and browser meshsub with browser @libp2p/gossipsub.
// Each exchange publishes 100 messages each way and checks every one arrives exactly once.

import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundle } from '../lib/bundle.ts'
import { Peers } from './peers.ts'
import type { ConnectionInfo, PeerOptions } from './peers.ts'
import type { SuiteContext } from '../lib/suite.ts'
import type { Page } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const MESSAGES = 100
const POLICIES = ['StrictSign', 'StrictNoSign'] as const

/** One node, in this process or in a page, driven through the same Peers methods. */
interface Side {
  name: string
  peerId: string
  call<T = unknown>(method: keyof Peers, ...args: unknown[]): Promise<T>
}

export async function prepareE2e (ctx: Pick<SuiteContext, 'server'>): Promise<void> {
  ctx.server.set('/e2e.js', await bundle({ entry: join(here, 'page.ts') }))
  ctx.server.set('/e2e.html', '<!doctype html><meta charset="utf-8"><title>e2e</title><script src="/e2e.js"></script>')
}

async function openPage (ctx: SuiteContext): Promise<Page> {
  const page = await ctx.browser.newPage()
  await page.goto(`${ctx.server.url}/e2e.html`)
  await page.waitForFunction(() => (globalThis as any).peers !== undefined)
  return page
}

async function inPage (page: Page, name: string, opts: PeerOptions): Promise<Side> {
  const call = async <T>(method: keyof Peers, ...args: unknown[]): Promise<T> =>
    page.evaluate(async ([m, a]) => (globalThis as any).peers[m as string](...(a as readonly unknown[])), [method, [name, ...args]] as const) as Promise<T>
  const { peerId } = await call<{ peerId: string }>('start', opts)
  return { name, peerId, call }
}

async function inNode (peers: Peers, name: string, opts: PeerOptions): Promise<Side> {
  const call = async <T>(method: keyof Peers, ...args: unknown[]): Promise<T> => (peers[method] as (...a: unknown[]) => unknown).apply(peers, [name, ...args]) as T
  const { peerId } = await peers.start(name, opts)
  return { name, peerId, call }
}

function expectSame (got: string[], want: string[], what: string): void {
  const dupes = got.length - new Set(got).size
  const missing = want.filter(w => !got.includes(w))
  const extra = got.filter(g => !want.includes(g))
  if (dupes > 0 || missing.length > 0 || extra.length > 0) {
    throw new Error(`${what}: ${got.length} received, ${dupes} duplicates, missing ${missing.slice(0, 5).join(',')}${missing.length > 5 ? '…' : ''} (${missing.length}), unexpected ${extra.length}`)
  }
}

/** Both subscribe, both publish MESSAGES at once; each must get the other's, each exactly once. */
async function exchange (a: Side, b: Side, topic: string): Promise<void> {
  await a.call('subscribe', topic)
  await b.call('subscribe', topic)
  await a.call('waitForSubscriber', topic, b.peerId)
  await b.call('waitForSubscriber', topic, a.peerId)
  await Promise.all([a.call('publish', topic, a.name, MESSAGES), b.call('publish', topic, b.name, MESSAGES)])
  await a.call('waitForReceived', topic, MESSAGES)
  await b.call('waitForReceived', topic, MESSAGES)
  // a duplicate would come from a later forward or gossip: give it three heartbeats (200 ms) to show
  await new Promise(resolve => setTimeout(resolve, 600))
  const want = (from: string): string[] => Array.from({ length: MESSAGES }, (_, i) => `${from}-${i}`)
  expectSame(await a.call<string[]>('received', topic), want(b.name), `${a.name} from ${b.name}`)
  expectSame(await b.call<string[]>('received', topic), want(a.name), `${b.name} from ${a.name}`)
}

async function connectionTo (side: Side, peer: string): Promise<ConnectionInfo> {
  return side.call<ConnectionInfo>('waitForConnection', peer)
}

function check (ok: boolean, what: string): void {
  if (!ok) { throw new Error(what) }
}

/** Runs `fn` with a fresh page and a fresh set of Node-side peers, closing both after. */
async function withPage (ctx: SuiteContext, fn: (page: Page, local: Peers) => Promise<void>): Promise<void> {
  const page = await openPage(ctx)
  const local = new Peers()
  try {
    await fn(page, local)
  } finally {
    await page.evaluate(async () => (globalThis as any).peers.stopAll()).catch(() => {})
    await page.close()
    await local.stopAll()
  }
}

/** Item a: browser ↔ Node over WebSockets, each side dialing once, under both policies. */
export async function runWebSockets (ctx: SuiteContext): Promise<void> {
  const label = `${ctx.browserName}/ws`
  for (const policy of POLICIES) {
    await ctx.results.test(`${label} browser dials Node meshsub, ${policy}, ${MESSAGES} messages each way exactly once`, async () => {
      await withPage(ctx, async (page, local) => {
        const node = await inNode(local, 'node', { router: 'meshsub', policy, transports: ['ws'], listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
        const browser = await inPage(page, 'browser', { router: 'meshsub', policy, transports: ['ws'] })
        await browser.call('dial', local.addrs('node')[0])
        const c = await connectionTo(browser, node.peerId)
        check(c.direction === 'outbound' && c.addr.includes('/ws'), `browser's connection is ${c.direction} ${c.addr}`)
        await exchange(browser, node, `ws-${policy}`)
      })
    })
    await ctx.results.test(`${label} Node meshsub dials the browser (relayed over WebSockets), ${policy}, ${MESSAGES} messages each way exactly once`, async () => {
      await withPage(ctx, async (page, local) => {
        // a browser cannot accept a WebSocket: it is dialed at its reservation on a Node relay
        await inNode(local, 'relay', { router: 'relay', transports: ['ws'], listen: ['/ip4/127.0.0.1/tcp/0/ws'] })
        const browser = await inPage(page, 'browser', { router: 'meshsub', policy, transports: ['ws', 'relay'], listen: [`${local.addrs('relay')[0]}/p2p-circuit`] })
        const circuit = await browser.call<string>('waitForAddr', '/p2p-circuit')
        const node = await inNode(local, 'node', { router: 'meshsub', policy, transports: ['ws', 'relay'] })
        await node.call('dial', circuit)
        const c = await connectionTo(node, browser.peerId)
        check(c.direction === 'outbound' && c.addr.includes('/ws/') && c.addr.includes('/p2p-circuit'), `node's connection is ${c.direction} ${c.addr}`)
        const back = await connectionTo(browser, node.peerId)
        check(back.direction === 'inbound', `browser's connection is ${back.direction}`)
        await exchange(browser, node, `relay-${policy}`)
      })
    })
  }
}

/** Item c: browser meshsub and the browser reference router (`@libp2p/gossipsub`) in one page (memory transport). */
export async function runInterop (ctx: SuiteContext): Promise<void> {
  const label = `${ctx.browserName}/interop`
  for (const policy of POLICIES) {
    for (const dialer of ['meshsub', 'gossipsub'] as const) {
      await ctx.results.test(`${label} ${dialer} dials, meshsub ↔ @libp2p/gossipsub in one page, ${policy}, ${MESSAGES} messages each way exactly once`, async () => {
        await withPage(ctx, async (page) => {
          const ours = await inPage(page, 'meshsub', { router: 'meshsub', policy, transports: ['memory'] })
          const theirs = await inPage(page, 'gossipsub', { router: 'gossipsub', policy, transports: ['memory'] })
          const [from, to] = dialer === 'meshsub' ? [ours, theirs] : [theirs, ours]
          await from.call('dial', (await to.call<string[]>('addrs'))[0])
          await exchange(ours, theirs, `interop-${policy}`)
        })
      })
    }
  }
}
