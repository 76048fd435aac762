// Invariant checks for fuzzing a Router: its outputs (delivery, forwarding, GRAFT vs backoff, IWANT
// replies) and its sizes against the documented bounds, read only through views and outputs.

import { Priority } from '../../src/core/types.ts'
import { stateBounds } from './bounds.ts'
import type { RouterConfig } from '../../src/config.ts'
import type { Router } from '../../src/core/router.ts'
import type { MsgIdKey, PeerKey, RouterOutput } from '../../src/core/types.ts'
import type { PeerScore } from '../../src/score/peer-score.ts'

export interface CheckerInit {
  router: Router
  config: RouterConfig
  /** the real score provider, when the router runs on one */
  score?: PeerScore
  /** the PeerScore options' maxRetainedPeers / maxDeliveryRecords (defaults 10 000 / 100 000) */
  maxRetained?: number
  maxDeliveryRecords?: number
  /** how long a departed peer's score may be kept (params.retainScore) */
  retainScore?: number
}

/** Records every invariant violation (at most `maxKept` of them) rather than throwing. */
export class Checker {
  readonly violations: string[] = []
  private readonly maxKept = 20
  private readonly r: Router
  private readonly cfg: RouterConfig
  private readonly score: PeerScore | undefined
  private readonly init: CheckerInit
  /** ids whose validation verdict was reject or ignore: never delivered, never sent */
  readonly invalid = new Set<MsgIdKey>()
  /** id → when it was last delivered to the application */
  private readonly delivered = new Map<MsgIdKey, { at: number, evicted: number }>()
  /** id → when its last first-copy arrived (the 'validate' output) */
  private readonly received = new Map<MsgIdKey, number>()
  /** (topic, peer) → backoff expiry, from the router's own prune traces */
  private readonly backoff = new Map<string, number>()
  /** id → peer → IWANT replies of the id's current instance (a re-delivery after seenTTL starts anew) */
  private readonly served = new Map<MsgIdKey, Map<PeerKey, number>>()
  /** when each departed peer left */
  readonly gone = new Map<PeerKey, number>()
  /** add-peer times, for the promise bound's window */
  private readonly sessions: number[] = []
  private topicsJoined = new Set<string>()
  private peersEver = new Set<PeerKey>()
  deliveries = 0
  heartbeats = 0
  checks = 0

  constructor (init: CheckerInit) {
    this.init = init
    this.r = init.router
    this.cfg = init.config
    this.score = init.score
  }

  fail (what: string): void {
    if (this.violations.length < this.maxKept) { this.violations.push(what) }
  }

  /** The verdict the test gave for an id (call before reporting it to the router). */
  verdict (idKey: MsgIdKey, result: 'accept' | 'reject' | 'ignore'): void {
    if (result !== 'accept') { this.invalid.add(idKey) }
  }

  /** We published `idKey` (again): its IWANT reply count starts anew. */
  published (idKey: MsgIdKey): void {
    this.served.delete(idKey)
  }

  /** Checks one batch of outputs taken from the router at time `now`. */
  outputs (outs: RouterOutput[], now: number): void {
    for (const o of outs) {
      switch (o.type) {
        case 'deliver': {
          const k = o.msg.idKey
          if (this.invalid.has(k)) { this.fail(`invalid message delivered ${hex(k)}`) }
          // seenTTL runs from the first receipt, not from the (possibly later) verdict
          const at = this.received.get(k) ?? now
          const last = this.delivered.get(k)
          // a full seen cache evicts early (counted): exactly-once holds only while nothing was evicted
          const evicted = this.r.counters().seenEvicted
          if (last !== undefined && at - last.at < this.cfg.seenTTL && evicted === last.evicted) { this.fail(`duplicate delivery within seenTTL ${hex(k)}`) }
          this.delivered.set(k, { at, evicted })
          this.served.delete(k)
          this.deliveries++
          break
        }
        case 'validate': this.received.set(o.msg.idKey, now); break
        case 'send': this.send(o, now); break
        case 'trace': this.trace(o.event, now); break
        default: break
      }
    }
    if (this.served.size > 4 * this.cfg.mcacheMaxMessages) { this.served.clear() }
    if (this.delivered.size > 4 * this.cfg.seenMaxEntries) {
      this.delivered.clear()
      this.received.clear()
    }
  }

  private send (o: Extract<RouterOutput, { type: 'send' }>, now: number): void {
    for (const m of o.rpc.messages ?? []) {
      if (this.invalid.has(m.idKey)) { this.fail(`invalid message sent to ${o.peer} ${hex(m.idKey)}`) }
      if (o.priority === Priority.Gossip) {
        let perPeer = this.served.get(m.idKey)
        if (perPeer === undefined) {
          perPeer = new Map()
          this.served.set(m.idKey, perPeer)
        }
        const n = (perPeer.get(o.peer) ?? 0) + 1
        perPeer.set(o.peer, n)
        if (n > this.cfg.gossipRetransmission) { this.fail(`IWANT reply ${n} > gossipRetransmission to ${o.peer}`) }
      }
    }
    for (const g of o.rpc.control?.graft ?? []) {
      const e = this.backoff.get(g.topic + '\u0000' + o.peer)
      if (e !== undefined && now < e) { this.fail(`GRAFT to ${o.peer} in backoff on ${g.topic} (${e - now} ms left)`) }
    }
  }

  private trace (ev: Extract<RouterOutput, { type: 'trace' }>['event'], now: number): void {
    if (ev.type === 'prune') {
      const key = ev.topic + '\u0000' + ev.peer
      const e = now + ev.backoff
      if ((this.backoff.get(key) ?? 0) < e) { this.backoff.set(key, e) }
      const seen = this.r.backoffExpiry(ev.topic, ev.peer)
      if (seen === undefined || seen < e) { this.fail(`prune of ${ev.peer} on ${ev.topic} without a recorded backoff`) }
    } else if (ev.type === 'add-peer') {
      this.gone.delete(ev.peer)
      this.sessions.push(now)
      this.peersEver.add(ev.peer)
    } else if (ev.type === 'remove-peer') {
      this.gone.set(ev.peer, now)
    } else if (ev.type === 'join') {
      this.topicsJoined.add(ev.topic)
    } else if (ev.type === 'heartbeat') {
      this.heartbeats++
      this.afterHeartbeat()
    }
  }

  /** Mesh shape right after a heartbeat: ≤ Dhi, no negative-score peer, only connected peers. */
  private afterHeartbeat (): void {
    const peers = new Set(this.r.getPeers())
    for (const topic of this.r.getTopics()) {
      const mesh = this.r.getMeshPeers(topic)
      const dhi = this.cfg.topics[topic]?.Dhi ?? this.cfg.Dhi
      if (mesh.length > dhi) { this.fail(`mesh of ${topic} has ${mesh.length} > Dhi=${dhi} after a heartbeat`) }
      for (const p of mesh) {
        if (!peers.has(p)) { this.fail(`mesh of ${topic} holds departed ${p}`) }
        const sc = this.score?.score(p) ?? 0
        if (sc < 0) { this.fail(`negative-score peer ${p} (${sc}) in mesh of ${topic} after a heartbeat`) }
      }
    }
  }

  /** Every structure within its bound (call after draining the outputs). */
  sizes (now: number): void {
    this.checks++
    const z = this.r.stats()
    const window = this.cfg.iwantFollowupTime + 2 * this.cfg.heartbeatInterval
    while (this.sessions.length > 0 && this.sessions[0] < now - window) { this.sessions.shift() }
    const b = stateBounds(this.cfg, {
      peers: z.peers,
      peerSessionsInPromiseWindow: this.sessions.length + z.peers,
      peersEver: this.peersEver.size,
      topicsJoinedEver: Math.max(this.topicsJoined.size, z.myTopics),
      myTopics: z.myTopics,
      fanoutTopics: z.fanoutTopics
    })
    for (const [name, bound] of Object.entries(b)) {
      const v = (z as unknown as Record<string, number>)[name]
      if (v > bound) { this.fail(`${name}=${v} exceeds its bound ${bound}`) }
    }
    if (z.pendingOutputs !== 0) { this.fail(`pendingOutputs=${z.pendingOutputs} after draining`) }
    if (this.score !== undefined) {
      const s = this.score.size
      const maxRetained = this.init.maxRetained ?? 10_000
      if (s.retained > maxRetained) { this.fail(`retained score records ${s.retained} > ${maxRetained}`) }
      if (s.peers > z.peers + maxRetained) { this.fail(`score records ${s.peers} > peers + maxRetained`) }
      const maxRecords = this.init.maxDeliveryRecords ?? 100_000
      if (s.deliveryRecords > maxRecords) { this.fail(`delivery records ${s.deliveryRecords} > ${maxRecords}`) }
    }
  }

  /**
   * No state for a peer gone longer than retainScore (plus one decay interval, when records are
   * swept): no score record, no subscriptions, mesh, fanout or backoff entries.
   */
  departed (now: number, decayInterval: number): void {
    const retain = this.init.retainScore ?? 0
    const topics = [...this.topicsJoined]
    for (const [peer, at] of this.gone) {
      if (now - at <= retain + decayInterval) { continue }
      if (this.r.getPeers().includes(peer)) { this.fail(`departed ${peer} still connected`) }
      if (this.score?.getScoreSnapshot(peer) !== undefined) { this.fail(`score record of ${peer} kept ${now - at} ms after it left`) }
      for (const t of topics) {
        if (this.r.backoffExpiry(t, peer) !== undefined) { this.fail(`backoff of ${peer} on ${t} kept ${now - at} ms after it left`) }
        if (this.r.getSubscribers(t).includes(peer) || this.r.getMeshPeers(t).includes(peer) || this.r.getFanoutPeers(t).includes(peer)) {
          this.fail(`departed ${peer} still in topic state of ${t}`)
        }
      }
      this.gone.delete(peer)
    }
  }
}

function hex (k: string): string {
  let s = ''
  for (let i = 0; i < Math.min(k.length, 24); i++) { s += k.charCodeAt(i).toString(16).padStart(2, '0') }
  return s
}
