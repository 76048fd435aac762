// Scenario (v): heap after full GC (--expose-gc) of one router service: per 1,000 injected peers
// (each subscribed to one topic, meshes formed) and per cached message (1 KiB messages received
// from those peers, still inside the message cache window when measured).
// Peers are added in two equal rounds and the per-peer figure is the second round's: the first
// round also compiles the code paths it runs (hundreds of KB of JIT code, a one-time cost that is
// not state per peer). The first round's figure is reported too.

import { generateKeyPair } from '@libp2p/crypto/keys'
import { RPC } from '@libp2p/gossipsub/message'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { injectPeers } from '../lib/inject.ts'
import { createBenchNode, waitUntil } from '../lib/nodes.ts'
import { settledHeap, sleep } from '../lib/probe.ts'
import type { RouterKind } from '../lib/nodes.ts'

export interface HeapParams {
  router: RouterKind
  peers: number
  messages: number
  size: number
}

const TOPIC = 'bench'

export async function heap (p: HeapParams): Promise<Record<string, unknown>> {
  const node = await createBenchNode(p.router, 'StrictNoSign')
  try {
    const svc = node.services.pubsub as any
    svc.subscribe(TOPIC)
    // peer ids and frames are made before the baseline, so only the router's own state is counted
    const ids = await Promise.all(Array.from({ length: 2 * p.peers }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    const sub = RPC.encode({ subscriptions: [{ subscribe: true, topic: TOPIC }], messages: [] })
    const msgs = Array.from({ length: p.messages }, (_, i) => {
      const data = new Uint8Array(p.size)
      new DataView(data.buffer).setFloat64(0, i)
      return RPC.encode({ subscriptions: [], messages: [{ topic: TOPIC, data }] })
    })
    let delivered = 0
    svc.addEventListener('message', () => { delivered++ })
    await sleep(1200)
    const base = await settledHeap()
    const feed = injectPeers(p.router, svc, ids.slice(0, p.peers))
    for (let i = 0; i < p.peers; i++) { await feed(i, sub) }
    await waitUntil(() => svc.getMeshPeers(TOPIC).length > 0, 5000, 'mesh')
    const withFirstPeers = await settledHeap()
    const feed2 = injectPeers(p.router, svc, ids.slice(p.peers), p.peers)
    for (let i = 0; i < p.peers; i++) { await feed2(i, sub) }
    await sleep(1200)
    const withPeers = await settledHeap()
    for (let i = 0; i < msgs.length; i++) {
      await feed(i % p.peers, msgs[i])
      if (i % 64 === 63) { await new Promise(resolve => setImmediate(resolve)) }
    }
    await waitUntil(() => delivered >= msgs.length, 10_000, 'deliveries')
    const withMessages = await settledHeap()
    return {
      base,
      withFirstPeers,
      withPeers,
      withMessages,
      delivered,
      bytesPer1000Peers: (withPeers - withFirstPeers) * 1000 / p.peers,
      bytesPer1000PeersFirstRound: (withFirstPeers - base) * 1000 / p.peers,
      bytesPerCachedMsg: (withMessages - withPeers) / p.messages
    }
  } finally {
    await node.stop()
  }
}
