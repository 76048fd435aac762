// An in-process network of real router cores in virtual time: a discrete-event queue, links with
// per-link latency and optional data loss, auto-accepting validation, and a hash of every output.

import { validateRouterConfig } from '../../src/config.ts'
import { msgIdKey } from '../../src/core/msgid.ts'
import { SeededRng, shuffle } from '../../src/core/rng.ts'
import { Router } from '../../src/core/router.ts'
import { GossipsubIDv12 } from '../../src/core/types.ts'
import type { RouterOptions } from '../../src/config.ts'
import type { InRpc, OutRpc, PeerIdCodec, PeerKey, PublishResult, RouterMessage, RouterOutput, ScoreProvider } from '../../src/core/types.ts'

const enc = new TextEncoder()
const dec = new TextDecoder()

export const netPeerIds: PeerIdCodec = {
  toKey: (bytes) => bytes.length === 0 ? undefined : dec.decode(bytes),
  toBytes: (key) => enc.encode(key)
}

export interface Link {
  /** one-way latency, ms */
  latency: number
  /** each RPC's latency varies uniformly by ± this fraction (order on the link is kept) */
  jitter: number
  /** arrival time of the last RPC queued in each direction (keeps the link FIFO under jitter) */
  lastAt: Map<PeerKey, number>
  /** drop every message (data) crossing the link; control and subscriptions still flow */
  dropData: boolean
}

export interface NetNode {
  readonly key: PeerKey
  readonly router: Router
  /** idKey → time the application got it */
  readonly delivered: Map<string, number>
  /** virtual time the next timer event is queued for (Infinity if none) */
  timerAt: number
}

type Event =
  | { at: number, seq: number, kind: 'rpc', from: PeerKey, to: PeerKey, rpc: InRpc }
  | { at: number, seq: number, kind: 'timer', node: PeerKey }

/** A binary min-heap of events ordered by time, then insertion. */
class EventQueue {
  private readonly heap: Event[] = []

  get size (): number { return this.heap.length }
  peek (): Event | undefined { return this.heap[0] }

  push (e: Event): void {
    const h = this.heap
    h.push(e)
    let i = h.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!less(h[i], h[parent])) { break }
      [h[i], h[parent]] = [h[parent], h[i]]
      i = parent
    }
  }

  pop (): Event | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (h.length > 0 && last !== undefined) {
      h[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < h.length && less(h[l], h[m])) { m = l }
        if (r < h.length && less(h[r], h[m])) { m = r }
        if (m === i) { break }
        [h[i], h[m]] = [h[m], h[i]]
        i = m
      }
    }
    return top
  }
}

function less (a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

function linkKey (a: PeerKey, b: PeerKey): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`
}

/** 32-bit FNV-1a, folded over strings. */
function fnv (h: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 16777619) >>> 0
  }
  return h
}

function describe (o: RouterOutput): string {
  switch (o.type) {
    case 'send': {
      const c = o.rpc.control
      const ctl = c === undefined
        ? ''
        : `g${c.graft.map(g => g.topic).join()}p${c.prune.map(p => `${p.topic}:${p.peers.length}`).join()}` +
          `h${c.ihave.map(x => x.messageIds.length).join()}w${c.iwant.map(x => x.messageIds.length).join()}d${c.idontwant.length}`
      return `s${o.peer}${o.priority}${o.rpc.messages?.map(m => m.idKey).join() ?? ''}${ctl}${o.rpc.subscriptions?.length ?? 0}`
    }
    case 'trace': return `t${JSON.stringify(o.event)}`
    case 'deliver': return `D${o.msg.idKey}${o.propagationSource ?? ''}`
    case 'validate': return `v${o.msg.idKey}${o.propagationSource}`
    case 'dial': return `x${o.peer}`
    default: return `c${o.peer}${o.idKey}`
  }
}

export interface NetworkOptions {
  seed: number
  router?: RouterOptions
  /** default one-way latency, ms; default 25 */
  latency?: number
  /** default latency jitter as a fraction (0.1 = ±10%); default 0 */
  jitter?: number
  /** a score provider per node (default: scoring off) */
  score?(key: PeerKey): ScoreProvider | undefined
  /** `dial` outputs (PX, direct peers) connect to the named node if it exists; default false */
  autoDial?: boolean
}

export class Network {
  now = 0
  readonly rng: SeededRng
  readonly nodes = new Map<PeerKey, NetNode>()
  readonly links = new Map<string, Link>()
  /** hash of every output of every node, in processing order */
  traceHash = 2166136261
  outputs = 0
  private readonly queue = new EventQueue()
  /** dials requested while draining, connected once the drain is over */
  private readonly dials: Array<[PeerKey, PeerKey]> = []
  private seq = 0
  private readonly opts: NetworkOptions
  private msgSeq = 0

  constructor (opts: NetworkOptions) {
    this.opts = opts
    this.rng = new SeededRng(opts.seed)
  }

  /** Adds a node whose router starts now (its heartbeat phase offset by `phase` ms). */
  addNode (key: PeerKey, options: RouterOptions = {}, phase = 0): NetNode {
    const config = validateRouterConfig({ ...this.opts.router, ...options })
    const router = new Router({
      config,
      localPeer: key,
      rng: new SeededRng(this.rng.int(2 ** 32)),
      peerIds: netPeerIds,
      score: this.opts.score?.(key),
      now: this.now + phase
    })
    const node: NetNode = { key, router, delivered: new Map(), timerAt: Infinity }
    this.nodes.set(key, node)
    this.schedule(node)
    return node
  }

  node (key: PeerKey): NetNode {
    const n = this.nodes.get(key)
    if (n === undefined) { throw new Error(`no node ${key}`) }
    return n
  }

  /** Connects `a` (dialer, outbound) and `b` over a link. */
  connect (a: PeerKey, b: PeerKey, latency = this.opts.latency ?? 25, protocol = GossipsubIDv12): Link {
    const link: Link = { latency, jitter: this.opts.jitter ?? 0, lastAt: new Map(), dropData: false }
    this.links.set(linkKey(a, b), link)
    this.node(a).router.addPeer(b, { protocol, outbound: true }, this.now)
    this.node(b).router.addPeer(a, { protocol, outbound: false }, this.now)
    this.drain(this.node(a))
    this.drain(this.node(b))
    return link
  }

  /** Tears down the link between `a` and `b`; RPCs in flight on it are lost. */
  disconnect (a: PeerKey, b: PeerKey): void {
    if (!this.links.delete(linkKey(a, b))) { return }
    for (const [x, y] of [[a, b], [b, a]]) {
      const n = this.node(x)
      n.router.removePeer(y, this.now)
      this.drain(n)
    }
  }

  link (a: PeerKey, b: PeerKey): Link | undefined {
    return this.links.get(linkKey(a, b))
  }

  subscribe (key: PeerKey, topic: string): void {
    const n = this.node(key)
    n.router.subscribe(topic, this.now)
    this.drain(n)
  }

  /** Publishes `data` from `key`; the message id is `<key>:<n>`. */
  publish (key: PeerKey, topic: string, data: Uint8Array = new Uint8Array(32)): { msg: RouterMessage, result: PublishResult } {
    const n = this.node(key)
    const id = enc.encode(`${key}:${++this.msgSeq}`)
    const msg: RouterMessage = { id, idKey: msgIdKey(id), topic, data, from: enc.encode(key) }
    const result = n.router.publish(msg, this.now)
    this.drain(n)
    return { msg, result }
  }

  /** Processes events until virtual time `end` (inclusive). */
  runUntil (end: number): void {
    for (let e = this.queue.peek(); e !== undefined && e.at <= end; e = this.queue.peek()) {
      this.connectDials()
      this.queue.pop()
      this.now = e.at
      if (e.kind === 'timer') {
        const n = this.nodes.get(e.node)
        if (n === undefined || n.timerAt !== e.at) { continue }
        n.timerAt = Infinity
        n.router.handleTimeout(this.now)
        this.drain(n)
      } else {
        const n = this.nodes.get(e.to)
        if (n === undefined) { continue }
        n.router.handleRpc(e.from, e.rpc, this.now)
        this.drain(n)
      }
    }
    this.connectDials()
    this.now = Math.max(this.now, end)
  }

  private connectDials (): void {
    while (this.dials.length > 0) {
      const [a, b] = this.dials.shift() as [PeerKey, PeerKey]
      if (this.link(a, b) === undefined) { this.connect(a, b) }
    }
  }

  runFor (ms: number): void {
    this.runUntil(this.now + ms)
  }

  private schedule (n: NetNode): void {
    const d = n.router.nextDeadline()
    if (d < n.timerAt) {
      n.timerAt = Math.max(d, this.now)
      this.queue.push({ at: n.timerAt, seq: this.seq++, kind: 'timer', node: n.key })
    }
  }

  /** Takes a node's outputs: sends become future deliveries, validations are accepted at once. */
  private drain (n: NetNode): void {
    for (let outs = n.router.takeOutputs(); outs.length > 0; outs = n.router.takeOutputs()) {
      for (const o of outs) {
        this.outputs++
        this.traceHash = fnv(fnv(this.traceHash, n.key), describe(o))
        if (o.type === 'send') {
          this.transmit(n.key, o.peer, o.rpc)
        } else if (o.type === 'validate') {
          n.router.reportValidation(o.msg.idKey, 'accept', this.now)
        } else if (o.type === 'deliver' && !n.delivered.has(o.msg.idKey)) {
          n.delivered.set(o.msg.idKey, this.now)
        } else if (o.type === 'dial' && this.opts.autoDial === true && this.nodes.has(o.peer) && this.link(n.key, o.peer) === undefined) {
          this.dials.push([n.key, o.peer])
        }
      }
    }
    this.schedule(n)
  }

  private transmit (from: PeerKey, to: PeerKey, out: OutRpc): void {
    const link = this.links.get(linkKey(from, to))
    if (link === undefined) { return }
    const messages = link.dropData ? [] : (out.messages ?? [])
    const rpc: InRpc = { subscriptions: out.subscriptions ?? [], messages, control: out.control, testExtension: out.testExtension }
    if (rpc.subscriptions.length === 0 && messages.length === 0 && rpc.control === undefined && rpc.testExtension !== true) { return }
    const delay = link.jitter === 0 ? link.latency : link.latency * (1 + link.jitter * (2 * this.rng.next() - 1))
    // a stream delivers in order: never before the previous RPC on the same direction
    const at = Math.max(this.now + Math.round(delay), link.lastAt.get(from) ?? 0)
    link.lastAt.set(from, at)
    this.queue.push({ at, seq: this.seq++, kind: 'rpc', from, to, rpc })
  }
}

/**
 * A random d-regular graph on `keys`: start from a circulant graph (each node linked to its d/2
 * nearest on both sides of a ring) and randomise it with degree-preserving double-edge swaps.
 */
export function randomRegularGraph (rng: SeededRng, keys: PeerKey[], d: number): Array<[PeerKey, PeerKey]> {
  const n = keys.length
  const edges: Array<[number, number]> = []
  const has = new Set<string>()
  const k = (a: number, b: number): string => a < b ? `${a},${b}` : `${b},${a}`
  for (let i = 0; i < n; i++) {
    for (let j = 1; j <= d / 2; j++) {
      const b = (i + j) % n
      edges.push([i, b])
      has.add(k(i, b))
    }
  }
  for (let s = 0; s < edges.length * 20; s++) {
    const x = rng.int(edges.length)
    const y = rng.int(edges.length)
    const [a, b] = edges[x]
    const [c, e] = edges[y]
    if (a === c || a === e || b === c || b === e || has.has(k(a, c)) || has.has(k(b, e))) { continue }
    has.delete(k(a, b)); has.delete(k(c, e))
    has.add(k(a, c)); has.add(k(b, e))
    edges[x] = [a, c]
    edges[y] = [b, e]
  }
  return shuffle(rng, edges.map(([a, b]): [PeerKey, PeerKey] => [keys[a], keys[b]]))
}
