// Test harness for one Router in virtual time: a fake clock, a fixed seed, fake peers fed RPCs,
// and every output collected. Also a settable score provider that records the core's calls.

import { validateRouterConfig } from '../../src/config.ts'
import { msgIdKey } from '../../src/core/msgid.ts'
import { SeededRng } from '../../src/core/rng.ts'
import { Router } from '../../src/core/router.ts'
import { GossipsubIDv12 } from '../../src/core/types.ts'
import { emptyControl } from '../../src/types.ts'
import type { RouterOptions } from '../../src/config.ts'
import type { ConnectInfo, InRpc, PeerIdCodec, PeerKey, RouterMessage, RouterOutput, ScoreProvider } from '../../src/core/types.ts'
import type { ControlMessage, SubOpts } from '../../src/types.ts'

const enc = new TextEncoder()
const dec = new TextDecoder()

/** Peer keys are their own UTF-8 bytes; bytes starting with 0xff are not valid peer ids. */
export const testPeerIds: PeerIdCodec = {
  toKey: (bytes) => bytes.length === 0 || bytes[0] === 0xff ? undefined : dec.decode(bytes),
  toBytes: (key) => enc.encode(key)
}

/** A score provider whose scores tests set, recording every event the core reports. */
export class TestScore implements ScoreProvider {
  readonly scores = new Map<PeerKey, number>()
  readonly calls: Array<[string, ...unknown[]]> = []
  deadline = Infinity

  score (peer: PeerKey): number { return this.scores.get(peer) ?? 0 }
  addPeer (peer: PeerKey): void { this.calls.push(['addPeer', peer]) }
  removePeer (peer: PeerKey): void { this.calls.push(['removePeer', peer]) }
  graft (peer: PeerKey, topic: string): void { this.calls.push(['graft', peer, topic]) }
  prune (peer: PeerKey, topic: string): void { this.calls.push(['prune', peer, topic]) }
  validateMessage (peer: PeerKey, msg: RouterMessage): void { this.calls.push(['validateMessage', peer, msg.idKey]) }
  deliverMessage (peer: PeerKey, msg: RouterMessage): void { this.calls.push(['deliverMessage', peer, msg.idKey]) }
  rejectMessage (peer: PeerKey, msg: RouterMessage, reason: string): void { this.calls.push(['rejectMessage', peer, msg.idKey, reason]) }
  ignoreMessage (peer: PeerKey, msg: RouterMessage): void { this.calls.push(['ignoreMessage', peer, msg.idKey]) }
  duplicateMessage (peer: PeerKey, msg: RouterMessage): void { this.calls.push(['duplicateMessage', peer, msg.idKey]) }
  addPenalty (peer: PeerKey, count: number, cause: string): void { this.calls.push(['addPenalty', peer, count, cause]) }
  nextDeadline (): number { return this.deadline }
  handleTimeout (now: number): void {
    this.calls.push(['handleTimeout', now])
    this.deadline = Infinity
  }

  /** the recorded calls named `name` (without the name) */
  named (name: string): unknown[][] {
    return this.calls.filter(c => c[0] === name).map(c => c.slice(1))
  }

  /** total P7 penalty recorded for `peer` */
  penalty (peer: PeerKey): number {
    return this.named('addPenalty').filter(c => c[0] === peer).reduce((n, c) => n + (c[1] as number), 0)
  }
}

let msgCounter = 0

/** A message with a fresh id (or the given number) on `topic`. */
export function makeMsg (topic: string, opts: { n?: number, size?: number, from?: string } = {}): RouterMessage {
  const n = opts.n ?? ++msgCounter
  const id = enc.encode(`id-${n}`)
  return {
    id,
    idKey: msgIdKey(id),
    topic,
    data: new Uint8Array(opts.size ?? 16),
    from: opts.from === undefined ? undefined : enc.encode(opts.from)
  }
}

export function rpc (parts: { subscriptions?: SubOpts[], messages?: RouterMessage[], control?: Partial<ControlMessage>, testExtension?: boolean }): InRpc {
  return {
    subscriptions: parts.subscriptions ?? [],
    messages: parts.messages ?? [],
    control: parts.control === undefined ? undefined : { ...emptyControl(), ...parts.control },
    testExtension: parts.testExtension
  }
}

export interface HarnessOptions {
  seed?: number
  localPeer?: PeerKey
  score?: ScoreProvider
  start?: number
}

export class Harness {
  readonly router: Router
  readonly score: TestScore | undefined
  now: number
  /** every output ever taken from the router, in order */
  readonly log: RouterOutput[] = []

  constructor (opts: RouterOptions = {}, h: HarnessOptions = {}) {
    this.now = h.start ?? 1_000_000
    this.score = h.score instanceof TestScore ? h.score : undefined
    this.router = new Router({
      config: validateRouterConfig(opts),
      localPeer: h.localPeer ?? 'me',
      rng: new SeededRng(h.seed ?? 1),
      peerIds: testPeerIds,
      score: h.score,
      now: this.now
    })
  }

  /** Drains the router's outputs into the log and returns them. */
  take (): RouterOutput[] {
    const out = this.router.takeOutputs()
    this.log.push(...out)
    return out
  }

  /** Connects a peer (default /meshsub/1.2.0, inbound) subscribed to `topics`. */
  connect (peer: PeerKey, topics: string[] = [], info: Partial<ConnectInfo> = {}): RouterOutput[] {
    this.router.addPeer(peer, { protocol: GossipsubIDv12, outbound: false, ...info }, this.now)
    if (topics.length > 0) {
      this.router.handleRpc(peer, rpc({ subscriptions: topics.map(topic => ({ subscribe: true, topic })) }), this.now)
    }
    return this.take()
  }

  /** Feeds an RPC from `peer` and returns the outputs. */
  feed (peer: PeerKey, parts: Parameters<typeof rpc>[0]): RouterOutput[] {
    this.router.handleRpc(peer, rpc(parts), this.now)
    return this.take()
  }

  /** Moves the clock forward `ms`, running every deadline on the way. */
  advance (ms: number): RouterOutput[] {
    const end = this.now + ms
    for (;;) {
      const d = this.router.nextDeadline()
      if (d > end) { break }
      this.now = Math.max(this.now, d)
      this.router.handleTimeout(this.now)
    }
    this.now = end
    return this.take()
  }

  /** Runs until `n` more heartbeats have happened. */
  heartbeats (n: number): RouterOutput[] {
    const out: RouterOutput[] = []
    const target = this.router.heartbeatTicks() + n
    while (this.router.heartbeatTicks() < target) {
      this.now = Math.max(this.now, this.router.nextDeadline())
      this.router.handleTimeout(this.now)
      out.push(...this.take())
    }
    return out
  }
}

/** The send outputs among `outs`, optionally to one peer. */
export function sends (outs: RouterOutput[], peer?: PeerKey): Array<Extract<RouterOutput, { type: 'send' }>> {
  return outs.filter((o): o is Extract<RouterOutput, { type: 'send' }> => o.type === 'send' && (peer === undefined || o.peer === peer))
}

/** Every control message part sent to `peer` among `outs`, merged. */
export function controlTo (outs: RouterOutput[], peer: PeerKey): ControlMessage {
  const c = emptyControl()
  for (const o of sends(outs, peer)) {
    const x = o.rpc.control
    if (x === undefined) { continue }
    c.ihave.push(...x.ihave)
    c.iwant.push(...x.iwant)
    c.graft.push(...x.graft)
    c.prune.push(...x.prune)
    c.idontwant.push(...x.idontwant)
    if (x.extensions !== undefined) { c.extensions = x.extensions }
  }
  return c
}

/** Peers that were sent message `idKey` among `outs`. */
export function messageRecipients (outs: RouterOutput[], idKey: string): PeerKey[] {
  return sends(outs).filter(o => o.rpc.messages?.some(m => m.idKey === idKey) === true).map(o => o.peer)
}

export function outputsOf<T extends RouterOutput['type']> (outs: RouterOutput[], type: T): Array<Extract<RouterOutput, { type: T }>> {
  return outs.filter((o): o is Extract<RouterOutput, { type: T }> => o.type === type)
}

export function traces (outs: RouterOutput[], type: string): unknown[] {
  return outs.flatMap(o => o.type === 'trace' && o.event.type === type ? [o.event] : [])
}
