// Connection-manager tags: mesh peers tagged per topic (so pruning keeps them) and direct peers
// tagged keep-alive (so libp2p reconnects them). The peerStore holds the tags; nothing is kept here.

import { KEEP_ALIVE } from '@libp2p/interface'
import type { AddrInfo } from './options.ts'
import type { Logger, PeerId, PeerStore } from '@libp2p/interface'

const MESH_TAG_VALUE = 100
const DIRECT_TAG = `${KEEP_ALIVE}-meshsub-direct`

/**
 * Tags (or untags) a peer as a member of our mesh of `topic`. The tag is named by the topic itself,
 * value 100, as `@libp2p/gossipsub` tags them, so connection managers and apps reading tags see the same.
 */
export function tagMeshPeer (peerStore: PeerStore, id: PeerId, topic: string, inMesh: boolean): void {
  peerStore.merge(id, { tags: { [topic]: inMesh ? { value: MESH_TAG_VALUE } : undefined } })
    .catch(() => {})
}

/** Stores direct peers' addresses with a keep-alive tag; returns once all are stored. */
export async function storeDirectPeers (peerStore: PeerStore, peers: AddrInfo[], log: Logger): Promise<void> {
  await Promise.all(peers.map(async ({ id, addrs }) => {
    try {
      await peerStore.merge(id, { multiaddrs: addrs, tags: { [DIRECT_TAG]: { value: MESH_TAG_VALUE } } })
    } catch (err) {
      log('could not store direct peer %p: %e', id, err)
    }
  }))
}
