// The WebRTC page bundle: one meshsub node per page that reserves a slot on a circuit relay,
// dials another page's /p2p-circuit/webrtc address and reports which connection carries gossipsub.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { gossipsub } from '../../../src/index.ts'
import type { GossipSub } from '../../../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

export interface GossipConn { addr: string, limited: boolean, protocols: string[] }

let node: Libp2p<{ pubsub: GossipSub, identify: unknown }> | undefined
/** received payloads (as text) and the peer each came from */
const received: Array<{ text: string, via: string }> = []

async function until (check: () => boolean, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout
  while (!check()) {
    if (Date.now() > deadline) { throw new Error(`${what}: not within ${timeout} ms`) }
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

function self (): Libp2p<{ pubsub: GossipSub, identify: unknown }> {
  if (node === undefined) { throw new Error('start() first') }
  return node
}

const api = {
  /** Starts the node, dials the relay and resolves with this page's WebRTC (via relay) address. */
  async start (relay: string, topic: string): Promise<{ peerId: string, webrtc: string }> {
    node = await createLibp2p({
      addresses: { listen: ['/p2p-circuit', '/webrtc'] },
      // host candidates only: both pages are on this machine and there is no STUN server here
      transports: [webSockets(), webRTC({ rtcConfiguration: { iceServers: [] } }), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      // the relay is on 127.0.0.1, which browsers refuse to dial by default
      connectionGater: { denyDialMultiaddr: () => false },
      services: {
        identify: identify(),
        // runOnLimitedConnection stays false (the default): gossipsub must not use the relayed hop
        pubsub: gossipsub({ globalSignaturePolicy: 'StrictNoSign', heartbeatInterval: 200, heartbeatInitialDelay: 50 })
      }
    }) as any
    const n = self()
    n.services.pubsub.addEventListener('gossipsub:message', e => {
      received.push({ text: new TextDecoder().decode(e.detail.msg.data), via: e.detail.propagationSource.toString() })
    })
    n.services.pubsub.subscribe(topic)
    await n.dial(multiaddr(relay))
    let webrtc: string | undefined
    await until(() => (webrtc = n.getMultiaddrs().map(String).find(a => a.includes('/p2p-circuit/webrtc/'))) !== undefined, 20_000, 'relay reservation')
    return { peerId: n.peerId.toString(), webrtc: webrtc as string }
  },

  /**
   * Dials another page's WebRTC address; resolves with the connection's remote address and the
   * attempts it took. Now and then a WebRTC dial stalls until its timeout (cause not found; it
   * did not happen with libp2p debug logging on), so a stalled attempt is aborted after 15 s and
   * tried once more; the runner reports retries.
   */
  async dial (addr: string): Promise<{ remote: string, attempts: number }> {
    for (let attempts = 1; ; attempts++) {
      try {
        const conn = await self().dial(multiaddr(addr), { signal: AbortSignal.timeout(15_000) })
        return { remote: conn.remoteAddr.toString(), attempts }
      } catch (err) {
        if (attempts >= 2) { throw err }
      }
    }
  },

  async waitMesh (topic: string, peer: string): Promise<void> {
    await until(() => self().services.pubsub.getMeshPeers(topic).some(p => p.toString() === peer), 20_000, `mesh with ${peer}`)
  },

  async publish (topic: string, prefix: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) { await self().services.pubsub.publish(topic, new TextEncoder().encode(`${prefix}${i}`)) }
  },

  async waitReceived (count: number): Promise<Array<{ text: string, via: string }>> {
    await until(() => received.length >= count, 20_000, `${count} messages`)
    // a little longer, so a duplicate arriving late would be seen
    await new Promise(resolve => setTimeout(resolve, 300))
    return received
  },

  /** Every open connection to `peer` that carries a gossipsub stream, with its address and limits. */
  gossipConnections (peer: string): GossipConn[] {
    return self().getConnections().filter(c => c.remotePeer.toString() === peer).map(c => ({
      addr: c.remoteAddr.toString(),
      limited: c.limits !== undefined,
      protocols: c.streams.map(s => s.protocol ?? '')
    })).filter(c => c.protocols.some(p => p.startsWith('/meshsub/')))
  },

  /** All connections to `peer` (relayed and direct) by remote address. */
  connections (peer: string): string[] {
    return self().getConnections().filter(c => c.remotePeer.toString() === peer).map(c => c.remoteAddr.toString())
  },

  async stop (): Promise<void> { await node?.stop() }
}

;(globalThis as any).webrtcPeer = api
export type WebrtcPeer = typeof api
