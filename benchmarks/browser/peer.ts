// Nodes and publish load for the browser benchmarks, the same code in the page bundle and in the
// Node runner: meshsub ('ours') or @libp2p/gossipsub ('ref') over WebSockets or WebRTC.

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub as refGossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { webRTC } from '@libp2p/webrtc'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { gossipsub as ourGossipsub } from '../../src/index.ts'
import type { Libp2p } from '@libp2p/interface'

export type RouterKind = 'ours' | 'ref'
export type Policy = 'StrictNoSign' | 'StrictSign'
/**
 * 'await-each': `await publish()`, then a turn of the event loop, one message after another;
 * 'inflight64': 64 publishes at once, await them all, then a turn of the event loop. Both routers
 * resolve publish() once the message is queued, so a loop of bare awaits never lets the page read
 * its sockets (yamux window updates included) and stalls both: the turn is what real apps need too.
 * The '-bare' twins leave the turn out (`--bare`): meshsub's publish() then waits only for queue room.
 */
export type Pattern = 'await-each' | 'inflight64' | 'await-bare' | 'inflight64-bare'

export interface Pubsub {
  subscribe(topic: string): void
  publish(topic: string, data: Uint8Array): Promise<unknown>
  getMeshPeers(topic: string): Array<{ toString(): string }>
  addEventListener(type: 'message', fn: (e: CustomEvent<{ topic: string, data: Uint8Array }>) => void): void
}

export type BenchPeer = Libp2p<{ pubsub: Pubsub, identify: unknown }>

export const TOPIC = 'bench'

/**
 * One turn of the event loop, letting socket reads and timers run: a MessageChannel task in
 * browsers (setTimeout(0) is clamped to 4 ms there, and scheduler.yield() continuations outrank
 * network tasks, which starves the reads), setImmediate in Node.
 */
export async function yieldTurn (): Promise<void> {
  const g = globalThis as any
  if (typeof g.setImmediate === 'function') {
    await new Promise<void>(resolve => { g.setImmediate(resolve) })
    return
  }
  const { port1, port2 } = new MessageChannel()
  await new Promise<void>(resolve => {
    port1.onmessage = () => { port1.close(); resolve() }
    port2.postMessage(null)
  })
}

/** Each router with its defaults except the signature policy, as benchmarks/lib/nodes.ts does. */
export async function createPeer (router: RouterKind, policy: Policy, opts: { listen: string[], webrtc: boolean }): Promise<BenchPeer> {
  const pubsub = router === 'ours' ? ourGossipsub({ globalSignaturePolicy: policy }) : refGossipsub({ globalSignaturePolicy: policy })
  const node = await createLibp2p({
    addresses: { listen: opts.listen },
    transports: opts.webrtc
      ? [webSockets(), webRTC({ rtcConfiguration: { iceServers: [] } }), circuitRelayTransport()]
      : [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // pages dial 127.0.0.1, which browsers' libp2p refuses by default
    connectionGater: { denyDialMultiaddr: () => false },
    services: { identify: identify(), pubsub: pubsub as any }
  })
  return node as unknown as BenchPeer
}

/** Counts deliveries on TOPIC (the runner reads `delivered` at the window's edges). */
export class Load {
  delivered = 0
  published = 0
  failures = 0

  private readonly ps: Pubsub

  constructor (ps: Pubsub) {
    this.ps = ps
    ps.addEventListener('message', e => { if (e.detail.topic === TOPIC) { this.delivered++ } })
  }

  /** Publishes `size`-byte messages with `pattern` for `durationMs`; resolves when all settled. */
  async publishFor (pattern: Pattern, size: number, durationMs: number): Promise<void> {
    const end = performance.now() + durationMs
    const next = (): Uint8Array => {
      const data = new Uint8Array(size)
      new DataView(data.buffer).setFloat64(0, this.published++)
      return data
    }
    const batch = pattern.startsWith('await') ? 1 : 64
    const turn = !pattern.endsWith('-bare')
    const pending: Array<Promise<unknown>> = []
    while (performance.now() < end) {
      for (let i = 0; i < batch; i++) { pending.push(this.ps.publish(TOPIC, next()).catch(() => { this.failures++ })) }
      await Promise.all(pending)
      pending.length = 0
      if (turn) { await yieldTurn() }
    }
  }
}

export async function until (check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) { throw new Error(`${what}: not within ${timeoutMs} ms`) }
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}
