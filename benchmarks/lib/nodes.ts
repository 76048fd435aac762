// libp2p nodes for the benchmarks: the same pinned TCP + noise + yamux + identify stack for both
// routers, with connection limits raised; `Router` picks meshsub ('ours') or @libp2p/gossipsub ('ref').

import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub as refGossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { gossipsub as ourGossipsub } from '../../src/index.ts'
import type { Libp2p, PeerId } from '@libp2p/interface'

export type RouterKind = 'ours' | 'ref'
export type Policy = 'StrictNoSign' | 'StrictSign'

/** The surface both routers share, as the benchmarks use it. */
export interface Pubsub {
  subscribe(topic: string): void
  publish(topic: string, data: Uint8Array): Promise<unknown>
  getMeshPeers(topic: string): unknown[]
  getPeers(): PeerId[]
  addEventListener(type: 'message', fn: (e: CustomEvent<{ data: Uint8Array }>) => void): void
}

export type BenchNode = Libp2p<{ pubsub: Pubsub, identify: unknown }>

/** Both routers with their defaults except the signature policy (content sha256 ids when unsigned). */
export async function createBenchNode (router: RouterKind, policy: Policy): Promise<BenchNode> {
  const pubsub = router === 'ours'
    ? ourGossipsub({ globalSignaturePolicy: policy })
    : refGossipsub({ globalSignaturePolicy: policy })
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      inboundConnectionThreshold: 10_000,
      maxIncomingPendingConnections: 1000,
      maxConnections: 1000
    },
    services: { identify: identify(), pubsub: pubsub as any }
  })
  return node as unknown as BenchNode
}

/**
 * Counts every message a router receives from the network (first copies and duplicates) by wrapping
 * its inbound entry point on the instance: meshsub's core `handleRpc`, the reference's
 * `handleReceivedMessage`. Must be called after the node started.
 */
export function countReceived (router: RouterKind, node: BenchNode, counter: { received: number }): void {
  const svc = node.services.pubsub as any
  if (router === 'ours') {
    const core = svc.router
    const original = core.handleRpc.bind(core)
    core.handleRpc = (peer: string, rpc: { messages: unknown[] }, now: number) => {
      counter.received += rpc.messages.length
      return original(peer, rpc, now)
    }
  } else {
    const original = svc.handleReceivedMessage.bind(svc)
    svc.handleReceivedMessage = async (from: unknown, msg: unknown) => {
      counter.received++
      return original(from, msg)
    }
  }
}

export async function waitUntil (check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) { throw new Error(`timed out waiting for ${what}`) }
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/** Message payload: a unique sequence number (content ids differ) and the publish time. */
export function makePayload (size: number, seq: number, nowMs: number): Uint8Array {
  const data = new Uint8Array(size)
  const view = new DataView(data.buffer)
  view.setFloat64(0, seq)
  view.setFloat64(8, nowMs)
  return data
}

export function readPayload (data: Uint8Array): { seq: number, sentAt: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  return { seq: view.getFloat64(0), sentAt: view.getFloat64(8) }
}
