// The libp2p node the demo and the `meshsub` command run: TCP, noise, yamux, identify and meshsub,
// with connection-manager limits raised so a local network of many nodes is not rate-limited.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { gossipsub } from '../index.ts'
import type { GossipSub, GossipsubOpts } from '../index.ts'
import type { Libp2p, Metrics, PrivateKey } from '@libp2p/interface'

export type MeshsubNode = Libp2p<{ pubsub: GossipSub, identify: unknown }>

export interface NodeOptions {
  listen: string[]
  pubsub?: GossipsubOpts
  privateKey?: PrivateKey
  /** libp2p's metrics component factory (the `meshsub node --metrics-port` registry) */
  metrics?(components: any): Metrics
}

export async function createMeshsubNode (opts: NodeOptions): Promise<MeshsubNode> {
  const node = await createLibp2p({
    privateKey: opts.privateKey,
    addresses: { listen: opts.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      // libp2p's defaults reset inbound connections from one IP beyond a few per second
      inboundConnectionThreshold: 10_000,
      maxIncomingPendingConnections: 1000,
      maxConnections: 1000
    },
    metrics: opts.metrics,
    services: { identify: identify(), pubsub: gossipsub(opts.pubsub) }
  })
  return node as unknown as MeshsubNode
}
