// Fake peers for the transport-free scenarios (iii, v): peers registered straight with the router
// service under test, whose outbound streams are stand-ins that accept and discard every frame.
// These reach into private members of both services on purpose; the names are pinned to meshsub
// (streams.entry, added, peerReady, onFrame) and @libp2p/gossipsub 17 (addPeer, streamsOutbound,
// decodeRpc, handleReceivedRpc).

import { multiaddr } from '@multiformats/multiaddr'
import type { RouterKind } from './nodes.ts'
import type { PeerId } from '@libp2p/interface'

/** Hands one frame body (no length prefix) from fake peer number `peer` to the router. */
export type Feed = (peer: number, frame: Uint8Array) => unknown

/** A distinct IPv4 per peer: many peers on one IP would be graylisted by IP colocation scoring. */
function ipOf (i: number): string {
  return `10.${Math.floor(i / 62500) % 250}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`
}

/** A writable stream stand-in for meshsub's PeerWriter: every send succeeds and is dropped. */
const sink = {
  writableNeedsDrain: false,
  status: 'open',
  writeStatus: 'writable',
  send: () => true,
  addEventListener: () => {},
  removeEventListener: () => {}
}

/** `firstIp`: the number of the first peer's address (batches injected into one router must not share addresses) */
export function injectPeers (router: RouterKind, svc: any, ids: PeerId[], firstIp = 0): Feed {
  if (router === 'ours') {
    const entries = ids.map((id, i) => {
      const e = svc.streams.entry(id)
      e.added = true
      e.attach(sink)
      svc.peerReady(e, '/meshsub/1.2.0', true, ipOf(firstIp + i))
      return e
    })
    return (peer, frame) => svc.onFrame(entries[peer], frame)
  }
  for (const [i, id] of ids.entries()) {
    svc.addPeer(id, 'outbound', multiaddr(`/ip4/${ipOf(firstIp + i)}/tcp/4001`))
    svc.streamsOutbound.set(id.toString(), { protocol: '/meshsub/1.2.0', push: () => {}, pushPrefixed: () => {}, close: () => {} })
  }
  return async (peer, frame) => svc.handleReceivedRpc(ids[peer], svc.decodeRpc(frame))
}
