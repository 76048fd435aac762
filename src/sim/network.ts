// The simulated network: real router cores (with real PeerScore where given) driven by a
// discrete-event scheduler in virtual time. Owns nodes, links (latency, jitter, loss, partition
// cuts), per-node bandwidth queues, validation delays, churn and the behaviour hooks of adversaries.
// Its types live in types.ts and are re-exported here.

import { validateRouterConfig } from '../config.ts'
import { msgIdKey } from '../core/msgid.ts'
import { SeededRng } from '../core/rng.ts'
import { Router } from '../core/router.ts'
import { GossipsubIDv12, Priority } from '../core/types.ts'
import { EventHeap } from './heap.ts'
import { drawLatency } from './topology.ts'
import { simPeerIds } from './types.ts'
import { rpcBytes } from './wire-size.ts'
import type { RouterConfig, RouterOptions } from '../config.ts'
import type { Behaviour, Link, NodeSpec, RpcTiming, SimNode, SimOptions } from './types.ts'
import type { InRpc, OutRpc, PeerKey, PriorityClass, RouterMessage } from '../core/types.ts'

/** ms an own publish / a forwarded message may wait in a node's upload backlog (the adapter's send-queue defaults) */
const PUBLISH_TTL = 5000
const FORWARD_TTL = 1000
const enc = new TextEncoder()
/** shared empty list for absent RPC fields (the core only reads its inputs) */
const NONE: never[] = []

export { simPeerIds }
export type { Behaviour, Link, NodeSpec, RpcTiming, SimNode, SimOptions } from './types.ts'

interface RpcEvent extends InRpc {
  at: number
  seq: number
  kind: 0
  link: Link
  from: SimNode
  to: SimNode
  bytes: number
  downloaded: boolean
}

type Event =
  /** an RPC on the wire; the event itself is the InRpc the receiver's core gets (one allocation) */
  | RpcEvent
  | { at: number, seq: number, kind: 1, node: SimNode }
  | { at: number, seq: number, kind: 2, node: SimNode, msg: RouterMessage }
  | { at: number, seq: number, kind: 3, fn(): void }

export class Sim {
  now = 0
  readonly rng: SeededRng
  /** live nodes by key */
  readonly nodes = new Map<PeerKey, SimNode>()
  /** every node record ever added, in order */
  readonly all: SimNode[] = []
  /** ids of messages every validator rejects */
  readonly invalid = new Set<string>()
  /** bumps whenever links or membership change */
  topoVersion = 0
  events = 0
  readonly timing: RpcTiming = { rpcs: 0, ms: 0, ignored: 0, ignoredMs: 0 }
  private readonly heap = new EventHeap<Event>()
  private readonly opts: SimOptions
  private readonly configs = new Map<RouterOptions | undefined, RouterConfig>()
  private readonly dials: Array<[SimNode, PeerKey]> = []
  private msgSeq = 0

  constructor (opts: SimOptions) {
    this.opts = opts
    this.rng = new SeededRng(opts.seed)
  }

  private config (o: RouterOptions | undefined): RouterConfig {
    let c = this.configs.get(o)
    if (c === undefined) {
      c = validateRouterConfig(o ?? {})
      this.configs.set(o, c)
    }
    return c
  }

  addNode (spec: NodeSpec): SimNode {
    const router = new Router({
      config: this.config(spec.router),
      localPeer: spec.key,
      rng: new SeededRng(this.rng.int(2 ** 32)),
      peerIds: simPeerIds,
      score: spec.score,
      now: this.now + (spec.phase ?? 0)
    })
    const node: SimNode = {
      sim: this,
      key: spec.key,
      idx: this.all.length,
      honest: spec.honest,
      ip: spec.ip,
      cluster: spec.cluster ?? 0,
      router,
      score: spec.score,
      behaviours: spec.behaviours ?? [],
      links: new Map(),
      upBps: spec.upBps ?? 0,
      downBps: spec.downBps ?? 0,
      validationDelay: spec.validationDelay ?? 0,
      joinedAt: this.now,
      leftAt: Infinity,
      alive: true,
      upFreeAt: 0,
      downFreeAt: 0,
      timerAt: Infinity,
      delivered: new Map(),
      duplicates: 0,
      dropped: 0,
      bytesOut: 0,
      bytesIn: 0,
      rpcsIn: 0
    }
    const old = this.nodes.get(spec.key)
    if (old !== undefined) { this.removeNode(old.key) }
    this.nodes.set(spec.key, node)
    this.all.push(node)
    this.topoVersion++
    for (const b of node.behaviours) {
      if (b.onTick !== undefined) { this.tickBehaviour(node, b) }
    }
    this.schedule(node)
    return node
  }

  private tickBehaviour (node: SimNode, b: Behaviour): void {
    const every = b.tickMs ?? 1000
    const tick = (): void => {
      if (!node.alive) { return }
      b.onTick?.(node)
      this.drain(node)
      this.at(this.now + every, tick)
    }
    this.at(this.now + every, tick)
  }

  node (key: PeerKey): SimNode {
    const n = this.nodes.get(key)
    if (n === undefined) { throw new Error(`no live node ${key}`) }
    return n
  }

  /** Connects `a` (the dialler) and `b`; a no-op if they are linked already. */
  connect (a: PeerKey, b: PeerKey, latency?: number): Link | undefined {
    const na = this.node(a)
    const nb = this.node(b)
    if (na === nb || na.links.has(b)) { return na.links.get(b) }
    const lat = latency ?? drawLatency(this.opts.latency ?? { kind: 'constant', ms: 25 }, this.rng, na.cluster, nb.cluster)
    const link: Link = { a: na, b: nb, latency: lat, lastAB: 0, lastBA: 0, loss: this.opts.loss ?? 0, open: true }
    na.links.set(b, link)
    nb.links.set(a, link)
    this.topoVersion++
    na.router.addPeer(b, { protocol: GossipsubIDv12, outbound: true, ip: nb.ip }, this.now)
    nb.router.addPeer(a, { protocol: GossipsubIDv12, outbound: false, ip: na.ip }, this.now)
    this.drain(na)
    this.drain(nb)
    return link
  }

  /** Closes the link between `a` and `b`; RPCs in flight on it are lost. */
  disconnect (a: PeerKey, b: PeerKey): void {
    const na = this.nodes.get(a)
    const link = na?.links.get(b)
    if (na === undefined || link === undefined) { return }
    const nb = link.a === na ? link.b : link.a
    link.open = false
    na.links.delete(b)
    nb.links.delete(a)
    this.topoVersion++
    for (const [x, y] of [[na, nb], [nb, na]]) {
      x.router.removePeer(y.key, this.now)
      this.drain(x)
    }
  }

  /** The node leaves: every link closes and its core stops. */
  removeNode (key: PeerKey): void {
    const n = this.nodes.get(key)
    if (n === undefined) { return }
    for (const peer of [...n.links.keys()]) { this.disconnect(key, peer) }
    n.alive = false
    n.leftAt = this.now
    this.nodes.delete(key)
    this.topoVersion++
  }

  subscribe (key: PeerKey, topic: string): void {
    const n = this.node(key)
    n.router.subscribe(topic, this.now)
    this.drain(n)
  }

  /** Publishes `data` on `topic` from `key`; the message id is `<key>:<n>`. */
  publish (key: PeerKey, topic: string, data: Uint8Array): RouterMessage {
    const n = this.node(key)
    const id = enc.encode(`${key}:${++this.msgSeq}`)
    const msg: RouterMessage = { id, idKey: msgIdKey(id), topic, data, from: simPeerIds.toBytes(key) }
    n.router.publish(msg, this.now)
    this.drain(n)
    return msg
  }

  /** A fresh message id (for adversaries crafting messages). */
  freshId (prefix: string): Uint8Array {
    return enc.encode(`${prefix}:${++this.msgSeq}`)
  }

  /** Runs `fn` at virtual time `t` (not before now). */
  at (t: number, fn: () => void): void {
    this.heap.push({ at: Math.max(t, this.now), seq: 0, kind: 3, fn })
  }

  /** Sends an RPC from `from` to `to` outside its core (adversaries), through bandwidth and link. */
  inject (from: SimNode, to: PeerKey, rpc: OutRpc): void {
    this.transmit(from, to, rpc)
  }

  runUntil (end: number): void {
    for (let e = this.heap.peek(); e !== undefined && e.at <= end; e = this.heap.peek()) {
      this.heap.pop()
      this.now = e.at
      this.events++
      switch (e.kind) {
        case 0: this.arrive(e); break
        case 1: {
          const n = e.node
          if (!n.alive || n.timerAt !== e.at) { break }
          n.timerAt = Infinity
          n.router.handleTimeout(this.now)
          this.drain(n)
          break
        }
        case 2:
          if (e.node.alive) { this.verdict(e.node, e.msg) }
          break
        default: e.fn()
      }
      if (this.dials.length > 0) { this.connectDials() }
    }
    this.now = Math.max(this.now, end)
  }

  runFor (ms: number): void { this.runUntil(this.now + ms) }

  private arrive (e: RpcEvent): void {
    const to = e.to
    if (!e.link.open || !to.alive) { return }
    if (to.downBps > 0 && !e.downloaded) {
      // the receiver's downlink serves arrivals in order
      const done = Math.max(e.at, to.downFreeAt) + e.bytes * 8000 / to.downBps
      to.downFreeAt = done
      e.downloaded = true
      if (done > e.at) {
        e.at = done
        this.heap.push(e)
        return
      }
    }
    to.bytesIn += e.bytes
    to.rpcsIn++
    if (this.opts.timeRpc?.(e.from, to) === true) {
      this.timed(e.from, to, e)
      return
    }
    this.handle(e.from, to, e)
  }

  private timed (from: SimNode, to: SimNode, rpc: InRpc): void {
    const ignored = !to.router.acceptsRpcFrom(from.key)
    const t0 = performance.now()
    this.handle(from, to, rpc)
    const ms = performance.now() - t0
    this.timing.rpcs++
    this.timing.ms += ms
    if (ignored) {
      this.timing.ignored++
      this.timing.ignoredMs += ms
    }
  }

  private handle (from: SimNode, to: SimNode, input: InRpc): void {
    let rpc: InRpc | null = input
    for (const b of to.behaviours) {
      if (b.onReceive !== undefined) {
        rpc = b.onReceive(to, from.key, rpc)
        if (rpc === null) { return }
      }
    }
    to.router.handleRpc(from.key, rpc, this.now)
    this.drain(to)
  }

  private connectDials (): void {
    while (this.dials.length > 0) {
      const [n, peer] = this.dials.shift() as [SimNode, PeerKey]
      if (n.alive && this.nodes.has(peer) && !n.links.has(peer)) { this.connect(n.key, peer) }
    }
  }

  private schedule (n: SimNode): void {
    const d = n.router.nextDeadline()
    if (d < n.timerAt) {
      n.timerAt = Math.max(d, this.now)
      this.heap.push({ at: n.timerAt, seq: 0, kind: 1, node: n })
    }
  }

  private verdict (n: SimNode, msg: RouterMessage): void {
    n.router.reportValidation(msg.idKey, this.invalid.has(msg.idKey) ? 'reject' : 'accept', this.now)
    this.drain(n)
  }

  /** Takes a node's outputs: sends go through its behaviours onto links; validations get a verdict. */
  drain (n: SimNode): void {
    for (let outs = n.router.takeOutputs(); outs.length > 0; outs = n.router.takeOutputs()) {
      for (const o of outs) {
        switch (o.type) {
          case 'send':
            this.send(n, o.peer, o.rpc, o.priority)
            break
          case 'validate':
            if (n.validationDelay > 0) {
              this.heap.push({ at: this.now + n.validationDelay, seq: 0, kind: 2, node: n, msg: o.msg })
            } else {
              n.router.reportValidation(o.msg.idKey, this.invalid.has(o.msg.idKey) ? 'reject' : 'accept', this.now)
            }
            break
          case 'deliver':
            if (!n.delivered.has(o.msg.idKey)) { n.delivered.set(o.msg.idKey, this.now) }
            break
          case 'trace':
            if (o.event.type === 'duplicate') { n.duplicates++ }
            break
          case 'dial':
            if (this.opts.autoDial === true) { this.dials.push([n, o.peer]) }
            break
          default:
        }
      }
    }
    this.schedule(n)
  }

  /** An RPC from a node's core goes through the node's behaviours, then onto the link. */
  private send (n: SimNode, to: PeerKey, out: OutRpc, priority: PriorityClass): void {
    let rpc: OutRpc | null = out
    for (const b of n.behaviours) {
      if (b.onSend !== undefined && rpc !== null) { rpc = b.onSend(n, to, rpc) }
    }
    if (rpc !== null) { this.transmit(n, to, rpc, priority) }
  }

  /** Like the adapter's send queue: data that would wait past its class's ttl is dropped. */
  private stale (from: SimNode, priority: PriorityClass): boolean {
    return from.upBps > 0 && from.upFreeAt - this.now > (priority === Priority.Publish ? PUBLISH_TTL : FORWARD_TTL)
  }

  private transmit (from: SimNode, to: PeerKey, out: OutRpc, priority: PriorityClass = Priority.Control): void {
    const link = from.links.get(to)
    if (link === undefined) { return }
    let messages = out.messages ?? NONE
    if (link.loss > 0 && messages.length > 0) { messages = messages.filter(() => this.rng.next() >= link.loss) }
    if (messages.length > 0 && this.stale(from, priority)) {
      from.dropped += messages.length
      messages = []
    }
    const subscriptions = out.subscriptions ?? NONE
    const control = out.control
    if (subscriptions.length === 0 && messages.length === 0 && control === undefined && out.testExtension !== true) { return }
    const e: RpcEvent = { at: 0, seq: 0, kind: 0, link, from, to: link.a === from ? link.b : link.a, bytes: 0, downloaded: false, subscriptions, messages, control, testExtension: out.testExtension }
    const bytes = rpcBytes(e)
    e.bytes = bytes
    from.bytesOut += bytes
    let t = this.now
    if (from.upBps > 0) {
      const cost = bytes * 8000 / from.upBps
      // control jumps the data backlog (the adapter serves the control class first)
      t = (messages.length === 0 ? t : Math.max(t, from.upFreeAt)) + cost
      from.upFreeAt = Math.max(from.upFreeAt, this.now) + cost
    }
    const jitter = this.opts.jitter ?? 0
    const delay = jitter === 0 ? link.latency : link.latency * (1 + jitter * (2 * this.rng.next() - 1))
    const ab = link.a === from
    const at = Math.max(t + delay, ab ? link.lastAB : link.lastBA)
    if (ab) { link.lastAB = at } else { link.lastBA = at }
    e.at = at
    this.heap.push(e)
  }
}
