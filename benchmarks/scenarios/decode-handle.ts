// Scenario (iii): inbound decode + handle, no transport. One node (no connections) with 20 injected
// peers gets pre-encoded RPC frames: 70% a new 1 KiB message, 20% a duplicate, 10% control (IHAVE
// of seen ids + IDONTWANT). meshsub: the service's frame hook (codec, intake, core); reference: its
// decodeRpc + handleReceivedRpc. Both encode their forwards; stand-in streams discard the frames.

import { createHash } from 'node:crypto'
import { setImmediate as yieldLoop } from 'node:timers/promises'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { RPC } from '@libp2p/gossipsub/message'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { injectPeers } from '../lib/inject.ts'
import { createBenchNode, waitUntil } from '../lib/nodes.ts'
import { openWindow, sleep } from '../lib/probe.ts'
import { seededRandom } from '../lib/stats.ts'
import type { RouterKind } from '../lib/nodes.ts'

export interface DecodeHandleParams {
  router: RouterKind
  rpcs: number
  seed: number
}

const TOPIC = 'bench'
const PEERS = 20
const SIZE = 1024
/** frames handed over before the event loop gets a turn (one socket read's worth) */
const BATCH = 32

function frames (n: number, seed: number): { list: Array<[number, Uint8Array]>, fresh: number } {
  const rand = seededRandom(seed)
  const sent: Array<{ data: Uint8Array, id: Uint8Array }> = []
  const list: Array<[number, Uint8Array]> = []
  let fresh = 0
  for (let i = 0; i < n; i++) {
    const peer = Math.floor(rand() * PEERS)
    const r = rand()
    if (r < 0.7 || sent.length < 8) {
      const data = new Uint8Array(SIZE)
      new DataView(data.buffer).setFloat64(0, i)
      new DataView(data.buffer).setFloat64(8, seed)
      sent.push({ data, id: createHash('sha256').update(data).digest() })
      fresh++
      list.push([peer, RPC.encode({ subscriptions: [], messages: [{ topic: TOPIC, data }] })])
    } else if (r < 0.9) {
      const old = sent[sent.length - 1 - Math.floor(rand() * Math.min(sent.length, 64))]
      list.push([peer, RPC.encode({ subscriptions: [], messages: [{ topic: TOPIC, data: old.data }] })])
    } else {
      const ids = Array.from({ length: 4 }, () => sent[sent.length - 1 - Math.floor(rand() * Math.min(sent.length, 64))].id)
      list.push([peer, RPC.encode({ subscriptions: [], messages: [], control: { ihave: [{ topicID: TOPIC, messageIDs: ids }], iwant: [], graft: [], prune: [], idontwant: [{ messageIDs: ids.slice(0, 1) }] } })])
    }
  }
  return { list, fresh }
}

export async function decodeHandle (p: DecodeHandleParams): Promise<Record<string, unknown>> {
  const node = await createBenchNode(p.router, 'StrictNoSign')
  try {
    const svc = node.services.pubsub as any
    svc.subscribe(TOPIC)
    const ids = await Promise.all(Array.from({ length: PEERS }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
    const feed = injectPeers(p.router, svc, ids)
    const sub = RPC.encode({ subscriptions: [{ subscribe: true, topic: TOPIC }], messages: [] })
    for (let i = 0; i < PEERS; i++) { await feed(i, sub) }
    // a heartbeat grafts the fake peers into the mesh, so new messages are forwarded
    await waitUntil(() => svc.getMeshPeers(TOPIC).length > 0, 5000, 'mesh')
    let delivered = 0
    svc.addEventListener('message', () => { delivered++ })
    const warm = frames(2000, p.seed + 1000)
    const run = async (list: Array<[number, Uint8Array]>): Promise<void> => {
      for (let i = 0; i < list.length; i++) {
        const r = feed(list[i][0], list[i][1])
        if (r instanceof Promise) { r.catch(() => {}) }
        if (i % BATCH === BATCH - 1) { await yieldLoop() }
      }
    }
    await run(warm.list)
    await waitUntil(() => delivered >= warm.fresh, 10_000, 'warm-up deliveries')
    await sleep(100)
    const { list, fresh } = frames(p.rpcs, p.seed)
    const start = delivered
    const close = openWindow()
    await run(list)
    await waitUntil(() => delivered - start >= fresh, 30_000, 'deliveries')
    const w = close()
    return {
      ...w,
      rpcs: list.length,
      fresh,
      delivered: delivered - start,
      cpuUsPerRpc: (w.cpuMs * 1000) / list.length,
      cpuUsPerNewMsg: (w.cpuMs * 1000) / fresh
    }
  } finally {
    await node.stop()
  }
}
