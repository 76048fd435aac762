// Test helper: real libp2p v3 nodes (TCP on 127.0.0.1 or in-memory; noise, yamux, identify),
// created with limits raised so many local dials at once are not rate-limited.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { Libp2p, PrivateKey, ServiceMap } from '@libp2p/interface'
import type { ServiceFactoryMap } from 'libp2p'

export type TransportKind = 'tcp' | 'memory'

let memoryCounter = 0
/** keeps memory addresses of concurrent runs apart (a Node process or a browser page) */
const RUN = Math.random().toString(36).slice(2)

export async function createNode<S extends ServiceMap> (kind: TransportKind, services: ServiceFactoryMap<S>, privateKey?: PrivateKey): Promise<Libp2p<S & { identify: unknown }>> {
  const listen = kind === 'tcp' ? '/ip4/127.0.0.1/tcp/0' : `/memory/meshsub-${RUN}-${memoryCounter++}`
  return createLibp2p({
    privateKey,
    addresses: { listen: [listen] },
    transports: kind === 'tcp' ? [tcp()] : [memory()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      inboundConnectionThreshold: 10_000,
      maxIncomingPendingConnections: 1000,
      maxConnections: 1000
    },
    services: { identify: identify(), ...services } as any
  }) as unknown as Libp2p<S & { identify: unknown }>
}

/** Resolves when `check` holds, polling every `interval` ms; rejects after `timeout` ms. */
export async function waitFor (check: () => boolean, timeout = 10_000, interval = 20): Promise<void> {
  const deadline = Date.now() + timeout
  while (!check()) {
    if (Date.now() > deadline) { throw new Error('condition not met in time') }
    await new Promise(resolve => setTimeout(resolve, interval))
  }
}
