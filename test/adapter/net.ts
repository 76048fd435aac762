// Test helper: networks of real libp2p nodes running the meshsub service.

import { gossipsub } from '../../src/index.ts'
import { createNode, waitFor } from './nodes.ts'
import type { TransportKind } from './nodes.ts'
import type { GossipSub, GossipsubOpts, Message } from '../../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

export type PubsubNode = Libp2p<{ pubsub: GossipSub, identify: unknown }>

export async function createPubsubNode (kind: TransportKind, opts: GossipsubOpts = {}): Promise<PubsubNode> {
  // a short heartbeat keeps the tests quick; meshes form at the first one
  return createNode(kind, { pubsub: gossipsub({ heartbeatInterval: 200, heartbeatInitialDelay: 50, ...opts }) }) as Promise<PubsubNode>
}

export async function createNet (kind: TransportKind, n: number, opts: GossipsubOpts = {}): Promise<PubsubNode[]> {
  const nodes: PubsubNode[] = []
  for (let i = 0; i < n; i++) { nodes.push(await createPubsubNode(kind, opts)) }
  return nodes
}

/** Dials a → b and waits until both routers know each other. */
export async function connect (a: PubsubNode, b: PubsubNode): Promise<void> {
  await a.dial(b.getMultiaddrs()[0])
  await waitFor(() => a.services.pubsub.getPeers().some(p => p.equals(b.peerId)) && b.services.pubsub.getPeers().some(p => p.equals(a.peerId)))
}

export async function stopAll (nodes: PubsubNode[]): Promise<void> {
  await Promise.all(nodes.map(async n => n.stop()))
}

/** Collects the messages a node delivers. */
export function collect (node: PubsubNode): Message[] {
  const got: Message[] = []
  node.services.pubsub.addEventListener('message', (e) => { got.push(e.detail) })
  return got
}
