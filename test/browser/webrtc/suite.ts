// Browser to browser over WebRTC: two pages meet through a Node circuit relay (which runs no
// pubsub), upgrade to a direct WebRTC connection and exchange gossipsub messages over it.

/* eslint-disable no-console -- a retried dial is reported on the harness's stdout */

import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { bundle } from '../lib/bundle.ts'
import type { GossipConn, WebrtcPeer } from './page.ts'
import type { SuiteContext } from '../lib/suite.ts'
import type { Page } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const MESSAGES = 100
const TOPIC = 'webrtc-test'

export async function prepareWebrtc (ctx: Pick<SuiteContext, 'server'>): Promise<void> {
  ctx.server.set('/webrtc.js', await bundle({ entry: join(here, 'page.ts') }))
  ctx.server.set('/webrtc.html', '<!doctype html><meta charset="utf-8"><title>webrtc</title><script src="/webrtc.js"></script>')
}

type Call = <K extends keyof WebrtcPeer>(method: K, ...args: Parameters<WebrtcPeer[K]>) => Promise<Awaited<ReturnType<WebrtcPeer[K]>>>

async function openPeer (ctx: SuiteContext): Promise<{ page: Page, call: Call }> {
  const page = await ctx.browser.newPage()
  await page.goto(`${ctx.server.url}/webrtc.html`)
  await page.waitForFunction(() => (globalThis as any).webrtcPeer !== undefined)
  const call: Call = async (method, ...args) => page.evaluate(async ([m, a]) => (globalThis as any).webrtcPeer[m](...a), [method, args] as const) as any
  return { page, call }
}

function expectOnce (got: Array<{ text: string, via: string }>, prefix: string, via: string, what: string): void {
  const want = Array.from({ length: MESSAGES }, (_, i) => `${prefix}${i}`)
  const texts = got.map(g => g.text)
  const missing = want.filter(w => !texts.includes(w))
  const dupes = texts.length - new Set(texts).size
  const wrongPath = got.filter(g => g.via !== via).length
  if (missing.length > 0 || dupes > 0 || texts.length !== MESSAGES || wrongPath > 0) {
    throw new Error(`${what}: ${texts.length} received, ${missing.length} missing, ${dupes} duplicates, ${wrongPath} not from the other page`)
  }
}

function expectWebrtc (conns: GossipConn[], what: string): void {
  if (conns.length === 0) { throw new Error(`${what}: no connection carries a gossipsub stream`) }
  for (const c of conns) {
    if (!c.addr.includes('/webrtc') || c.limited) {
      throw new Error(`${what}: gossipsub runs on ${c.addr}${c.limited ? ' (limited, relayed)' : ''}, not on a direct WebRTC connection`)
    }
  }
}

export async function runWebrtc (ctx: SuiteContext): Promise<void> {
  const relay = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), relay: circuitRelayServer() }
  })
  const relayAddr = relay.getMultiaddrs()[0].toString()
  const title = `${ctx.browserName} webrtc: two pages meet through a Node circuit relay, upgrade to WebRTC, ${MESSAGES} messages each way over it, each once`
  const pages: Page[] = []
  try {
    await ctx.results.test(title, async () => {
      const a = await openPeer(ctx)
      const b = await openPeer(ctx)
      pages.push(a.page, b.page)
      const [sa, sb] = await Promise.all([a.call('start', relayAddr, TOPIC), b.call('start', relayAddr, TOPIC)])
      const { remote, attempts } = await b.call('dial', sa.webrtc)
      if (!remote.includes('/webrtc')) { throw new Error(`dialling ${sa.webrtc} gave ${remote}, not WebRTC`) }
      if (attempts > 1) { console.log(`  (webrtc: the first dial stalled; attempt ${attempts} connected)`) }
      await Promise.all([a.call('waitMesh', TOPIC, sb.peerId), b.call('waitMesh', TOPIC, sa.peerId)])
      await Promise.all([a.call('publish', TOPIC, 'a', MESSAGES), b.call('publish', TOPIC, 'b', MESSAGES)])
      const [gotA, gotB] = await Promise.all([a.call('waitReceived', MESSAGES), b.call('waitReceived', MESSAGES)])
      expectOnce(gotA, 'b', sb.peerId, 'page A')
      expectOnce(gotB, 'a', sa.peerId, 'page B')
      expectWebrtc(await a.call('gossipConnections', sb.peerId), 'page A')
      expectWebrtc(await b.call('gossipConnections', sa.peerId), 'page B')
    })
  } finally {
    await Promise.all(pages.map(async p => p.close()))
    await relay.stop()
  }
}
