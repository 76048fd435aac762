// The libp2p node the demo and the `meshsub` command run: TCP and WebSockets, noise, yamux,
// identify and meshsub, optionally a circuit relay server for browsers; connection limits raised.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { gossipsub } from '../index.ts'
import type { GossipSub, GossipsubOpts } from '../index.ts'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Libp2p, Metrics, PrivateKey } from '@libp2p/interface'

export type MeshsubNode = Libp2p<{ pubsub: GossipSub, identify: unknown, relay?: CircuitRelayService }>

export interface NodeOptions {
  /** multiaddrs to listen on: `/tcp/N` for Node peers, `/tcp/N/ws` for browsers */
  listen: string[]
  pubsub?: GossipsubOpts
  privateKey?: PrivateKey
  /** run a circuit relay v2 server, so browsers behind it can reach each other (and upgrade to WebRTC) */
  relay?: boolean
  /** libp2p's metrics component factory (the `meshsub node --metrics-port` registry) */
  metrics?(components: any): Metrics
}

export async function createMeshsubNode (opts: NodeOptions): Promise<MeshsubNode> {
  const services: Record<string, (components: any) => unknown> = { identify: identify(), pubsub: gossipsub(opts.pubsub) }
  if (opts.relay === true) {
    // browsers use the relay to find each other and to signal WebRTC; libp2p's default per-circuit
    // limits (2 min, 128 KiB) are enough for that, the traffic itself goes direct afterwards
    // loaded only when asked for: it is the slowest module of the stack to load
    const { circuitRelayServer } = await import('@libp2p/circuit-relay-v2')
    services.relay = circuitRelayServer({ reservations: { maxReservations: 1024 } })
  }
  const node = await createLibp2p({
    privateKey: opts.privateKey,
    addresses: { listen: opts.listen },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      // libp2p's defaults reset inbound connections from one IP beyond a few per second
      inboundConnectionThreshold: 10_000,
      maxIncomingPendingConnections: 1000,
      maxConnections: 1000
    },
    metrics: opts.metrics,
    services
  })
  return node as unknown as MeshsubNode
}

/** The node's addresses a browser can dial (WebSockets), each ending in the node's /p2p id. */
export function browserAddrs (node: Libp2p): string[] {
  return node.getMultiaddrs().map(a => a.toString()).filter(a => /\/wss?\//.test(a + '/'))
}
