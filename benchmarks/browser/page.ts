// The browser benchmark page: one bench peer (meshsub or @libp2p/gossipsub) driven by the runner
// through evaluate(); every method takes and returns plain data.

import { multiaddr } from '@multiformats/multiaddr'
import { createPeer, Load, TOPIC, until } from './peer.ts'
import type { BenchPeer, Pattern, Policy, RouterKind } from './peer.ts'

let node: BenchPeer | undefined
let load: Load | undefined

function self (): BenchPeer {
  if (node === undefined) { throw new Error('start() first') }
  return node
}

const api = {
  async start (router: RouterKind, policy: Policy, webrtc: boolean): Promise<string> {
    node = await createPeer(router, policy, { listen: webrtc ? ['/p2p-circuit', '/webrtc'] : [], webrtc })
    load = new Load(node.services.pubsub)
    node.services.pubsub.subscribe(TOPIC)
    return node.peerId.toString()
  },
  /** Dials `addr`; with `relay`, waits for this page's WebRTC-through-relay address and returns it. */
  async dial (addr: string, relay: boolean): Promise<string> {
    const conn = await self().dial(multiaddr(addr), { signal: AbortSignal.timeout(30_000) })
    if (!relay) { return conn.remoteAddr.toString() }
    let mine: string | undefined
    await until(() => (mine = self().getMultiaddrs().map(String).find(a => a.includes('/p2p-circuit/webrtc/'))) !== undefined, 20_000, 'relay reservation')
    return mine as string
  },
  async waitMesh (peer: string): Promise<void> {
    await until(() => self().services.pubsub.getMeshPeers(TOPIC).some(p => p.toString() === peer), 20_000, `mesh with ${peer}`)
  },
  async publishFor (pattern: Pattern, size: number, durationMs: number): Promise<{ published: number, failures: number }> {
    await load?.publishFor(pattern, size, durationMs)
    return { published: load?.published ?? 0, failures: load?.failures ?? 0 }
  },
  delivered (): number { return load?.delivered ?? 0 },
  async stop (): Promise<void> { await node?.stop() }
}

;(globalThis as any).bench = api
export type BenchApi = typeof api
