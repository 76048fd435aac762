// PeerScore: the core's ScoreProvider. Owns every peer's counters and their retention after disconnection,
// the decay schedule and cached scores; composes delivery records, colocation groups and threshold events.

import { copyRejects } from '../core/validation.ts'
import { ColocationGroups } from './colocation.ts'
import { computeScore, emptySnapshot } from './compute.ts'
import { carriesPenalty, decayPeer, meshDeficitSquared, newPeerStats, newTopicStats, topicsToWrite } from './counters.ts'
import { DeliveryRecords, DeliveryStatus, addSender, hasSender } from './deliveries.ts'
import { ThresholdEventQueue, crossesAny, thresholdLevels } from './events.ts'
import { createPeerScoreParams, validatePeerScoreParams, validateTopicScoreParams } from './params.ts'
import { defaultPeerScoreThresholds, validatePeerScoreThresholds } from './thresholds.ts'
import type { ScoreSnapshot } from './compute.ts'
import type { PeerStats, TopicStats } from './counters.ts'
import type { DeliveryRecord } from './deliveries.ts'
import type { ScoreThresholdEvent, ThresholdName } from './events.ts'
import type { PeerScoreParams, PeerScoreParamsInit, TopicScoreParams } from './params.ts'
import type { PeerScoreThresholds } from './thresholds.ts'
import type { PeerKey, RejectReason, RouterMessage, ScoreProvider } from '../core/types.ts'

export interface PeerScoreOptions {
  /** start of the decay schedule (ms); default: the time of the first event */
  now?: number
  /** how long a message's delivery record lives (ms); default 120 000, the seenTTL default */
  deliveryRecordTTL?: number
  /** bound on delivery records; default 100 000 (seenTTL × ~830 msg/s) */
  maxDeliveryRecords?: number
  /** bound on retained records of disconnected peers; default 10 000; the oldest goes first */
  maxRetainedPeers?: number
  /** bound on undrained threshold events; default 1000; the oldest goes first */
  maxEvents?: number
}

export class PeerScore implements ScoreProvider {
  private params: PeerScoreParams
  /** params.topics as a Map, for lookups on the per-message path */
  private readonly topicParams = new Map<string, TopicScoreParams>()
  readonly thresholds: Readonly<PeerScoreThresholds>
  private readonly levels: Array<[ThresholdName, number]>
  /** connected and retained peers; bound: connected peers + maxRetainedPeers */
  private readonly peers = new Map<PeerKey, PeerStats>()
  /** retained peers in disconnection order; pruned by expiry in handleTimeout and by count in removePeer */
  private readonly retained = new Set<PeerKey>()
  private readonly colocation: ColocationGroups
  private readonly deliveries: DeliveryRecords
  private readonly events: ThresholdEventQueue
  private readonly maxRetained: number
  private nextDecay = Infinity
  private lastNow = 0

  constructor (params: PeerScoreParamsInit = {}, thresholds: Partial<PeerScoreThresholds> = {}, opts: PeerScoreOptions = {}) {
    this.params = createPeerScoreParams(params)
    validatePeerScoreParams(this.params)
    for (const [topic, tp] of Object.entries(this.params.topics)) { this.topicParams.set(topic, tp) }
    this.thresholds = Object.freeze({ ...defaultPeerScoreThresholds, ...thresholds })
    validatePeerScoreThresholds(this.thresholds)
    this.levels = thresholdLevels(this.thresholds)
    this.colocation = new ColocationGroups(this.params.IPColocationFactorWhitelist)
    this.deliveries = new DeliveryRecords(opts.deliveryRecordTTL ?? 120_000, opts.maxDeliveryRecords ?? 100_000)
    this.events = new ThresholdEventQueue(opts.maxEvents ?? 1000)
    this.maxRetained = opts.maxRetainedPeers ?? 10_000
    if (opts.now != null) { this.touch(opts.now) }
  }

  // ---- ScoreProvider ----

  score (peer: PeerKey): number {
    const ps = this.peers.get(peer)
    if (ps == null) { return 0 }
    if (ps.dirty) { this.refresh(ps) }
    return ps.score
  }

  addPeer (peer: PeerKey, now: number, ip?: string): void {
    this.touch(now)
    let ps = this.peers.get(peer)
    if (ps == null) {
      ps = newPeerStats(peer)
      this.peers.set(peer, ps)
    } else if (!ps.connected) {
      // a retained record comes back as it was: reconnecting resets nothing
      this.retained.delete(peer)
      ps.connected = true
      ps.dirty = true
    }
    this.setPeerIPs(peer, ip == null ? [] : [ip])
  }

  removePeer (peer: PeerKey, now: number): void {
    this.touch(now)
    const ps = this.peers.get(peer)
    if (ps == null || !ps.connected) { return }
    this.setPeerIPs(peer, [])
    // as go: an active deficit becomes a sticky P3b penalty, first-delivery credit is not kept
    for (const ts of ps.topics.values()) {
      if (ts.inMesh) { this.failMesh(ps, ts) }
      ts.inMesh = false
      ts.meshMessageDeliveriesActive = false
      ts.firstMessageDeliveries = 0
    }
    ps.dirty = true
    if (this.params.retainScore <= 0 || !carriesPenalty(ps)) {
      this.peers.delete(peer)
      return
    }
    ps.connected = false
    ps.expire = now + this.params.retainScore
    this.retained.add(peer)
    while (this.retained.size > this.maxRetained) {
      const oldest = this.retained.values().next().value as PeerKey
      this.retained.delete(oldest)
      this.peers.delete(oldest)
    }
  }

  graft (peer: PeerKey, topic: string, now: number): void {
    this.touch(now)
    const ps = this.peers.get(peer)
    if (ps == null) { return }
    let ts = ps.topics.get(topic)
    if (ts == null) {
      ts = newTopicStats(topic, this.topicParams.get(topic))
      topicsToWrite(ps).set(topic, ts)
    }
    ts.inMesh = true
    ts.graftTime = now
    ts.meshTime = 0
    ts.meshMessageDeliveriesActive = false
    ps.dirty = true
  }

  prune (peer: PeerKey, topic: string, now: number): void {
    this.touch(now)
    const ps = this.peers.get(peer)
    const ts = ps?.topics.get(topic)
    if (ps == null || ts == null) { return }
    this.failMesh(ps, ts)
    ts.inMesh = false
    ts.meshMessageDeliveriesActive = false
    ps.dirty = true
  }

  // Delivery records feed P2, P3 and P4 only, which exist for scored topics alone: messages of
  // other topics get no record (no allocation and no map entry per message).

  validateMessage (peer: PeerKey, msg: RouterMessage, now: number): void {
    this.touch(now)
    if (!this.topicParams.has(msg.topic)) { return }
    const rec = this.deliveries.getOrCreate(msg.idKey, now)
    if (rec.first === undefined) { rec.first = peer }
  }

  deliverMessage (peer: PeerKey, msg: RouterMessage, now: number): void {
    this.touch(now)
    if (!this.topicParams.has(msg.topic)) { return }
    const rec = this.deliveries.getOrCreate(msg.idKey, now)
    if (rec.status !== DeliveryStatus.Validating) { return }
    rec.status = DeliveryStatus.Valid
    rec.validated = now
    if (!hasSender(rec, peer)) { addSender(rec, peer) }
    this.markFirst(peer, msg.topic)
    // copies that arrived while the first was validating were near-first: P3 credit
    if (rec.first !== undefined && rec.first !== peer) { this.markNearFirst(rec.first, msg.topic) }
    for (const other of rec.others ?? []) {
      if (other !== peer) { this.markNearFirst(other, msg.topic) }
    }
  }

  rejectMessage (peer: PeerKey, msg: RouterMessage, reason: RejectReason, now: number): void {
    this.touch(now)
    if (!this.topicParams.has(msg.topic)) { return }
    const cause = `invalid-message:${reason}`
    if (copyRejects.has(reason)) {
      // only the sender of this copy is at fault, and the genuine copy may follow from another peer
      this.markInvalid(peer, msg.topic, cause)
      const rec = this.deliveries.get(msg.idKey)
      if (rec?.status === DeliveryStatus.Validating && rec.first === peer) { rec.first = undefined }
      return
    }
    const rec = this.deliveries.getOrCreate(msg.idKey, now)
    if (rec.status === DeliveryStatus.Validating) {
      rec.status = DeliveryStatus.Invalid
      if (!hasSender(rec, peer)) { addSender(rec, peer) }
      this.forEachSender(rec, p => { this.markInvalid(p, msg.topic, cause) })
    } else if (!hasSender(rec, peer)) {
      addSender(rec, peer)
      this.markInvalid(peer, msg.topic, cause)
    }
  }

  ignoreMessage (_peer: PeerKey, msg: RouterMessage, now: number): void {
    this.touch(now)
    if (!this.topicParams.has(msg.topic)) { return }
    const rec = this.deliveries.getOrCreate(msg.idKey, now)
    if (rec.status !== DeliveryStatus.Validating) { return }
    rec.status = DeliveryStatus.Ignored
    rec.others = undefined
  }

  duplicateMessage (peer: PeerKey, msg: RouterMessage, now: number): void {
    this.touch(now)
    if (!this.topicParams.has(msg.topic)) { return }
    const rec = this.deliveries.get(msg.idKey)
    if (rec == null || rec.status === DeliveryStatus.Ignored || hasSender(rec, peer)) { return }
    addSender(rec, peer)
    if (rec.status === DeliveryStatus.Valid) {
      const tp = this.topicParams.get(msg.topic)
      if (tp != null && now - rec.validated <= tp.meshMessageDeliveriesWindow) { this.markNearFirst(peer, msg.topic) }
    } else if (rec.status === DeliveryStatus.Invalid) {
      this.markInvalid(peer, msg.topic, 'invalid-message:duplicate')
    }
  }

  addPenalty (peer: PeerKey, count: number, cause: string): void {
    const ps = this.peers.get(peer)
    if (ps == null || !(count > 0)) { return }
    ps.behaviourPenalty += count
    ps.lastPenalty = { cause, at: this.lastNow }
    ps.dirty = true
  }

  nextDeadline (): number {
    return this.nextDecay
  }

  /** Decays every connected peer (catching up on missed intervals), expires old records, refreshes scores. */
  handleTimeout (now: number): void {
    this.touch(now)
    if (now < this.nextDecay) { return }
    const interval = this.params.decayInterval
    const steps = Math.floor((now - this.nextDecay) / interval) + 1
    this.nextDecay += steps * interval
    for (const peer of this.retained) {
      const ps = this.peers.get(peer)
      if (ps != null && ps.expire > now) { break }
      this.retained.delete(peer)
      this.peers.delete(peer)
    }
    this.deliveries.expire(now)
    for (const ps of this.peers.values()) {
      // retained records are not decayed (go): being away does not earn forgiveness
      if (!ps.connected) { continue }
      decayPeer(ps, this.params, now, steps)
      this.refresh(ps)
    }
  }

  // ---- beyond the provider interface ----

  /** The total and every component of a peer's score, or undefined for a peer we hold nothing on. */
  getScoreSnapshot (peer: PeerKey): ScoreSnapshot | undefined {
    const ps = this.peers.get(peer)
    if (ps == null) { return undefined }
    const snap = emptySnapshot(peer, ps.connected)
    computeScore(ps, this.params, this.colocation, snap)
    if (ps.lastPenalty != null) { snap.lastPenalty = { ...ps.lastPenalty } }
    return snap
  }

  /** Threshold-crossing events since the last call, oldest first. */
  takeEvents (): ScoreThresholdEvent[] {
    return this.events.take()
  }

  /** Events dropped because the queue was full. */
  get droppedEvents (): number { return this.events.dropped }

  /** Sets (validated) or removes a topic's score params at runtime; counters are kept. */
  setTopicScoreParams (topic: string, params: TopicScoreParams | undefined): void {
    const topics = { ...this.params.topics }
    if (params == null) {
      delete topics[topic]
    } else {
      const tp = { ...params }
      validateTopicScoreParams(tp, `topics[${JSON.stringify(topic)}].`)
      topics[topic] = tp
    }
    this.params = { ...this.params, topics }
    const tp = topics[topic]
    if (tp == null) { this.topicParams.delete(topic) } else { this.topicParams.set(topic, tp) }
    for (const ps of this.peers.values()) {
      const ts = ps.topics.get(topic)
      if (ts != null) { ts.params = tp }
      ps.dirty = true
    }
  }

  /** The params in force (a copy). */
  getParams (): PeerScoreParams {
    return { ...this.params, topics: { ...this.params.topics } }
  }

  /** Replaces a connected peer's addresses (for P6); the adapter calls it when connections change. */
  setPeerIPs (peer: PeerKey, ips: string[]): void {
    const ps = this.peers.get(peer)
    if (ps == null || !ps.connected) { return }
    this.colocation.leave(peer, ps.ipKeys, this.markDirty)
    ps.ipKeys = this.colocation.keysOf(ips)
    this.colocation.join(peer, ps.ipKeys, this.markDirty)
    ps.dirty = true
  }

  /** Every peer record (connected and retained), for dumps; read, never written, by the caller. */
  peerStats (): Iterable<Readonly<PeerStats>> { return this.peers.values() }

  /** Number of peers with a record (connected + retained) and of retained ones. */
  get size (): { peers: number, retained: number, deliveryRecords: number, ipGroups: number } {
    return { peers: this.peers.size, retained: this.retained.size, deliveryRecords: this.deliveries.size, ipGroups: this.colocation.size }
  }

  // ---- internals ----

  private touch (now: number): void {
    this.lastNow = now
    if (this.nextDecay === Infinity) { this.nextDecay = now + this.params.decayInterval }
  }

  /** a peer of a colocation group whose size changed has a new P6 */
  private readonly markDirty = (peer: PeerKey): void => {
    const ps = this.peers.get(peer)
    if (ps != null) { ps.dirty = true }
  }

  private refresh (ps: PeerStats): void {
    // the cached score is also the one last compared against the thresholds
    const old = ps.score
    ps.score = computeScore(ps, this.params, this.colocation)
    ps.dirty = false
    if (ps.connected && crossesAny(this.levels, old, ps.score)) { this.emitCrossings(ps, old) }
  }

  private emitCrossings (ps: PeerStats, old: number): void {
    const snapshot = this.getScoreSnapshot(ps.peer) as ScoreSnapshot
    for (const [threshold, level] of this.levels) {
      if ((old >= level) === (ps.score >= level)) { continue }
      this.events.push({
        peer: ps.peer,
        threshold,
        level,
        direction: ps.score < level ? 'down' : 'up',
        oldScore: old,
        newScore: ps.score,
        at: this.lastNow,
        snapshot,
        lastPenalty: snapshot.lastPenalty
      })
    }
  }

  /** A scored topic's counters for a known peer, created on demand; undefined for unscored topics. */
  private topicStats (ps: PeerStats, topic: string): TopicStats | undefined {
    let ts = ps.topics.get(topic)
    if (ts == null) {
      const tp = this.topicParams.get(topic)
      if (tp == null) { return undefined }
      ts = newTopicStats(topic, tp)
      topicsToWrite(ps).set(topic, ts)
    }
    return ts.params == null ? undefined : ts
  }

  private markFirst (peer: PeerKey, topic: string): void {
    const ps = this.peers.get(peer)
    const ts = ps == null ? undefined : this.topicStats(ps, topic)
    if (ps == null || ts?.params == null) { return }
    ts.firstMessageDeliveries = Math.min(ts.firstMessageDeliveries + 1, ts.params.firstMessageDeliveriesCap)
    if (ts.inMesh) { ts.meshMessageDeliveries = Math.min(ts.meshMessageDeliveries + 1, ts.params.meshMessageDeliveriesCap) }
    ps.dirty = true
  }

  private markNearFirst (peer: PeerKey, topic: string): void {
    const ps = this.peers.get(peer)
    const ts = ps?.topics.get(topic)
    if (ps == null || ts?.params == null || !ts.inMesh) { return }
    ts.meshMessageDeliveries = Math.min(ts.meshMessageDeliveries + 1, ts.params.meshMessageDeliveriesCap)
    ps.dirty = true
  }

  private markInvalid (peer: PeerKey, topic: string, cause: string): void {
    const ps = this.peers.get(peer)
    const ts = ps == null ? undefined : this.topicStats(ps, topic)
    if (ps == null || ts == null) { return }
    ts.invalidMessageDeliveries += 1
    ps.lastPenalty = { cause, topic, at: this.lastNow }
    ps.dirty = true
  }

  /** On leaving the mesh: an active P3 deficit becomes the sticky P3b penalty. */
  private failMesh (ps: PeerStats, ts: TopicStats): void {
    if (ts.params == null) { return }
    const d2 = meshDeficitSquared(ts, ts.params.meshMessageDeliveriesThreshold)
    if (d2 === 0) { return }
    ts.meshFailurePenalty += d2
    ps.lastPenalty = { cause: 'mesh-failure', topic: ts.topic, at: this.lastNow }
  }

  private forEachSender (rec: DeliveryRecord, fn: (peer: PeerKey) => void): void {
    if (rec.first !== undefined) { fn(rec.first) }
    for (const p of rec.others ?? []) { fn(p) }
  }
}
