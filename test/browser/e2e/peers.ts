// Real libp2p pubsub nodes for the browser end-to-end tests, the same code in Node (the runner)
// and in the page bundle (as globalThis.peers): meshsub or @libp2p/gossipsub, over WebSockets,
// a circuit relay, or the in-page memory transport, with noise, yamux and identify.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub as referenceGossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { memory } from '@libp2p/memory'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { gossipsub } from '../../../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

export interface PeerOptions {
  /** 'relay': a circuit relay server only, no pubsub */
  router: 'meshsub' | 'gossipsub' | 'relay'
  policy?: 'StrictSign' | 'StrictNoSign'
  transports: Array<'ws' | 'relay' | 'memory'>
  listen?: string[]
}

export interface ConnectionInfo { peer: string, addr: string, direction: string, limited: boolean }

interface PubsubLike {
  subscribe(topic: string): void
  publish(topic: string, data: Uint8Array): Promise<unknown>
  getSubscribers(topic: string): Array<{ toString(): string }>
  getMeshPeers?(topic: string): string[]
  addEventListener(type: 'message', fn: (e: CustomEvent<{ topic: string, data: Uint8Array }>) => void): void
}

interface Entry { node: Libp2p<{ pubsub?: unknown }>, received: Map<string, string[]> }

const text = new TextDecoder()
const bytes = new TextEncoder()
let memoryCounter = 0
const RUN = Math.random().toString(36).slice(2)

async function until (check: () => boolean, timeout: number, what: string): Promise<void> {
  const deadline = Date.now() + timeout
  while (!check()) {
    if (Date.now() > deadline) { throw new Error(`${what}: not within ${timeout} ms`) }
    await new Promise(resolve => setTimeout(resolve, 25))
  }
}

/** Named nodes; every method takes and returns plain data, so a page can be driven by evaluate(). */
export class Peers {
  private readonly nodes = new Map<string, Entry>()

  async start (name: string, opts: PeerOptions): Promise<{ peerId: string, addrs: string[] }> {
    const make = { ws: webSockets, relay: circuitRelayTransport, memory }
    const transports = opts.transports.map(t => make[t]())
    const services: Record<string, unknown> = { identify: identify() }
    const policy = opts.policy ?? 'StrictSign'
    if (opts.router === 'meshsub') {
      services.pubsub = gossipsub({ globalSignaturePolicy: policy, heartbeatInterval: 200, heartbeatInitialDelay: 50, runOnLimitedConnection: true })
    } else if (opts.router === 'gossipsub') {
      services.pubsub = referenceGossipsub({ globalSignaturePolicy: policy, heartbeatInterval: 200, runOnLimitedConnection: true })
    } else {
      // no relay limits: the test's 200 messages must not be cut by the default data cap
      services.relay = circuitRelayServer({ reservations: { applyDefaultLimit: false } })
    }
    const listen = opts.listen ?? (opts.transports.includes('memory') ? [`/memory/e2e-${RUN}-${memoryCounter++}`] : [])
    const node = await createLibp2p({
      addresses: { listen },
      transports,
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      // browsers deny dialing loopback addresses by default; every address here is 127.0.0.1
      connectionGater: { denyDialMultiaddr: () => false },
      services: services as any
    }) as unknown as Libp2p<{ pubsub?: unknown }>
    const entry: Entry = { node, received: new Map() }
    this.nodes.set(name, entry)
    const pubsub = node.services.pubsub as PubsubLike | undefined
    pubsub?.addEventListener('message', (e) => {
      const got = entry.received.get(e.detail.topic) ?? []
      got.push(text.decode(e.detail.data))
      entry.received.set(e.detail.topic, got)
    })
    return { peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(a => a.toString()) }
  }

  addrs (name: string): string[] {
    return this.entry(name).node.getMultiaddrs().map(a => a.toString())
  }

  /** Resolves once the node has an address containing `part` (e.g. a relay reservation). */
  async waitForAddr (name: string, part: string, timeout = 20_000): Promise<string> {
    await until(() => this.addrs(name).some(a => a.includes(part)), timeout, `${name} address with ${part}`)
    return this.addrs(name).find(a => a.includes(part)) as string
  }

  async dial (name: string, addr: string): Promise<void> {
    await this.entry(name).node.dial(multiaddr(addr))
  }

  connections (name: string): ConnectionInfo[] {
    return this.entry(name).node.getConnections().map(c => ({
      peer: c.remotePeer.toString(), addr: c.remoteAddr.toString(), direction: c.direction, limited: c.limits !== undefined
    }))
  }

  /** Resolves with the node's connection to `peer` once there is one (an inbound one may lag the dialer). */
  async waitForConnection (name: string, peer: string, timeout = 20_000): Promise<ConnectionInfo> {
    await until(() => this.connections(name).some(c => c.peer === peer), timeout, `${name} connected to ${peer}`)
    return this.connections(name).find(c => c.peer === peer) as ConnectionInfo
  }

  subscribe (name: string, topic: string): void {
    this.pubsub(name).subscribe(topic)
  }

  /** Resolves when `peer` is known as a subscriber of `topic` (and in the mesh, for meshsub). */
  async waitForSubscriber (name: string, topic: string, peer: string, timeout = 20_000): Promise<void> {
    const pubsub = this.pubsub(name)
    await until(() => pubsub.getSubscribers(topic).some(p => p.toString() === peer), timeout, `${name} sees ${peer} on ${topic}`)
  }

  /** Publishes `count` messages `${prefix}-${i}`, awaiting each as apps do. */
  async publish (name: string, topic: string, prefix: string, count: number): Promise<void> {
    const pubsub = this.pubsub(name)
    for (let i = 0; i < count; i++) { await pubsub.publish(topic, bytes.encode(`${prefix}-${i}`)) }
  }

  received (name: string, topic: string): string[] {
    return [...(this.entry(name).received.get(topic) ?? [])]
  }

  /** Resolves when at least `count` messages of `topic` arrived. */
  async waitForReceived (name: string, topic: string, count: number, timeout = 30_000): Promise<string[]> {
    await until(() => (this.entry(name).received.get(topic)?.length ?? 0) >= count, timeout, `${name} receives ${count} on ${topic}`)
    return this.received(name, topic)
  }

  async stop (name: string): Promise<void> {
    const e = this.nodes.get(name)
    this.nodes.delete(name)
    await e?.node.stop()
  }

  async stopAll (): Promise<void> {
    await Promise.all([...this.nodes.keys()].map(async n => this.stop(n)))
  }

  private entry (name: string): Entry {
    const e = this.nodes.get(name)
    if (e === undefined) { throw new Error(`no node ${name}`) }
    return e
  }

  private pubsub (name: string): PubsubLike {
    const p = this.entry(name).node.services.pubsub as PubsubLike | undefined
    if (p === undefined) { throw new Error(`${name} runs no pubsub`) }
    return p
  }
}
