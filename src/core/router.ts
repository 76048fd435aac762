// The router: the GossipSub state machine's entry points (inputs with `now`, outputs drained by
// takeOutputs) and read-only views. It owns the RouterState and composes the phase/control modules.

import { MessageCache } from '../cache/message-cache.ts'
import { TimeCache } from '../cache/time-cache.ts'
import { topicDegrees } from '../config.ts'
import { BackoffTable } from './backoff.ts'
import { handleExtensions, sendHello } from './control/extensions.ts'
import { graftable, graftPeer, handleGraft } from './control/graft.ts'
import { handleIDontWant, sendIDontWant } from './control/idontwant.ts'
import { handleIHave } from './control/ihave.ts'
import { handleIWant } from './control/iwant.ts'
import { handlePrune } from './control/prune.ts'
import { runHeartbeat } from './heartbeat.ts'
import { join, leave } from './join.ts'
import { MeshTable } from './mesh.ts'
import { Outbox } from './outbox.ts'
import { bytesEqual, PeerTable, topicCount } from './peers.ts'
import { GossipPromises } from './promises.ts'
import { forwardMessage, selectPublishRecipients, sendPublish } from './publish.ts'
import { TopicTable } from './topics.ts'
import { FloodsubID } from './types.ts'
import { copyRejects, PendingValidations } from './validation.ts'
import { ZeroScore } from './zero-score.ts'
import type { PeerState } from './peers.ts'
import type { Rng } from './rng.ts'
import type { RouterState } from './state.ts'
import type {
  ConnectInfo, InRpc, MsgIdKey, PeerIdCodec, PeerKey, PublishOptions, PublishResult, RejectReason, RouterMessage,
  RouterOutput, ScoreProvider, ValidationResult
} from './types.ts'
import type { SeenIndex } from '../cache/message-cache.ts'
import type { RouterConfig } from '../config.ts'
import type { ControlExtensions, SubOpts } from '../types.ts'

export interface RouterInit {
  /** from `validateRouterConfig`: validated and frozen */
  config: RouterConfig
  localPeer: PeerKey
  rng: Rng
  peerIds: PeerIdCodec
  /** default: every peer scores 0 */
  score?: ScoreProvider
  /** start time; the first heartbeat runs heartbeatInitialDelay later */
  now: number
}

/** Current size of every bounded structure (for tests, fuzzing and metrics). */
export interface RouterSizes {
  peers: number
  /** sum over peers of their subscribed topics, and the largest single peer's count */
  peerTopics: number
  maxPeerTopics: number
  /** topics with at least one subscribed peer */
  knownTopics: number
  myTopics: number
  meshTopics: number
  meshPeers: number
  fanoutTopics: number
  fanoutPeers: number
  backoff: number
  seen: number
  mcache: number
  mcacheBytes: number
  promises: number
  /** sum over peers of ids asked via IWANT this heartbeat */
  iwantAsked: number
  /** sum over peers of IDONTWANT ids held, and the largest single peer's count */
  idontwant: number
  maxIdontwantPerPeer: number
  pendingValidations: number
  pendingDials: number
  /** outputs produced and not yet taken */
  pendingOutputs: number
}

export class Router {
  private readonly s: RouterState
  private nextHeartbeat: number

  constructor (init: RouterInit) {
    const { config } = init
    // the message cache keeps its entries in the seen cache's value slots
    const seen: SeenIndex = new TimeCache(config.seenTTL, config.seenMaxEntries, true)
    this.s = {
      config,
      localPeer: init.localPeer,
      localIdBytes: init.peerIds.toBytes(init.localPeer),
      rng: init.rng,
      peerIds: init.peerIds,
      score: init.score ?? new ZeroScore(),
      peers: new PeerTable(config.directPeers),
      topics: new TopicTable(),
      mesh: new MeshTable(),
      backoff: new BackoffTable(config.backoffSlackTicks * config.heartbeatInterval),
      mcache: new MessageCache(config.mcacheLength, config.mcacheGossip, config.mcacheMaxMessages, config.mcacheMaxBytes, seen),
      seen,
      promises: new GossipPromises(),
      validation: new PendingValidations(config.maxPendingValidations),
      dials: new TimeCache(config.pendingDialTTL, config.maxPendingDials),
      out: new Outbox(),
      counters: {
        subscriptionsOverLimit: 0,
        ihaveThrottled: 0,
        idontwantThrottled: 0,
        iwantOverRetransmission: 0,
        pxDialsDropped: 0,
        messagesUnsubscribedTopic: 0,
        extensionsRepeated: 0
      },
      tick: 0,
      scratch: [],
      scoreSnapshot: false,
      epoch: 0,
      gossipOut: []
    }
    this.nextHeartbeat = init.now + config.heartbeatInitialDelay
  }

  /** A pubsub stream to `peer` is up: track it and send our hello. */
  addPeer (peer: PeerKey, info: ConnectInfo, now: number): void {
    const s = this.s
    if (s.peers.has(peer)) { this.removePeer(peer, now) }
    if (!s.config.floodsub && info.protocol === FloodsubID) { return }
    const p = s.peers.add(peer, info, s.peerIds.toBytes(peer))
    if (p === undefined) { return }
    s.dials.delete(peer)
    s.score.addPeer(peer, now, info.ip)
    s.out.trace({ type: 'add-peer', peer, protocol: info.protocol })
    sendHello(s, p, info.extensionsSent === true)
  }

  removePeer (peer: PeerKey, now: number): void {
    const s = this.s
    const p = s.peers.get(peer)
    if (p === undefined) { return }
    for (const topic of s.mesh.removePeer(peer)) { s.score.prune(peer, topic, now) }
    s.topics.removePeer(p)
    s.peers.remove(peer)
    s.out.forget(peer)
    s.score.removePeer(peer, now)
    s.out.trace({ type: 'remove-peer', peer })
  }

  /** False for unknown and graylisted peers (score < graylistThreshold; direct peers exempt). */
  acceptsRpcFrom (peer: PeerKey): boolean {
    const p = this.s.peers.get(peer)
    if (p === undefined) { return false }
    return p.direct || this.s.score.score(peer) >= this.s.config.scoreThresholds.graylistThreshold
  }

  /**
   * Handles one RPC of a connected peer. A graylisted peer's SUBSCRIBE/UNSUBSCRIBE still apply (go):
   * otherwise a peer that (re)connects graylisted would stay unknown in its topics once it recovers.
   */
  handleRpc (peer: PeerKey, rpc: InRpc, now: number): void {
    const s = this.s
    const p = s.peers.get(peer)
    if (p === undefined) { return }
    if (!this.acceptsRpcFrom(peer)) {
      this.applySubscriptions(p, rpc.subscriptions, now)
      return
    }
    handleExtensions(s, p, rpc)
    this.applySubscriptions(p, rpc.subscriptions, now)
    for (const msg of rpc.messages) { this.receiveMessage(p, msg, now) }
    const c = rpc.control
    if (c !== undefined && p.features.mesh) {
      if (c.ihave.length > 0) { handleIHave(s, p, c.ihave, now) }
      if (c.iwant.length > 0) { handleIWant(s, p, c.iwant) }
      if (c.graft.length > 0) { handleGraft(s, p, c.graft, now) }
      if (c.prune.length > 0) { handlePrune(s, p, c.prune, now) }
      if (c.idontwant.length > 0) { handleIDontWant(s, p, c.idontwant) }
    }
    s.out.flushControl()
  }

  /** Applies an RPC's subscriptions, then reports those applied in one trace (the app's subscription-change). */
  private applySubscriptions (p: PeerState, subs: readonly SubOpts[], now: number): void {
    if (subs.length === 0) { return }
    // copied only when one is refused: usually every one applies and the RPC's own list is reported
    let kept: SubOpts[] | undefined
    for (let i = 0; i < subs.length; i++) {
      const applied = this.applySubscription(p, subs[i], now)
      if (!applied && kept === undefined) {
        kept = subs.slice(0, i)
      } else if (applied && kept !== undefined) {
        kept.push(subs[i])
      }
    }
    const subscriptions = kept ?? subs
    if (subscriptions.length > 0) { this.s.out.trace({ type: 'subscriptions', peer: p.key, subscriptions }) }
  }

  /** false when refused: no topic, or over the peer's topic caps */
  private applySubscription (p: PeerState, sub: SubOpts, now: number): boolean {
    const s = this.s
    const topic = sub.topic
    if (topic === undefined || topic === '') { return false }
    const change = s.topics.apply(p, topic, sub.subscribe === true, s.config.maxPeerTopics, s.config.maxPeerTopicBytes)
    if (change === 'over-limit') {
      s.counters.subscriptionsOverLimit++
      s.out.trace({ type: 'throttled', peer: p.key, what: 'subscription', count: topicCount(p.topics) })
      return false
    } else if (change === 'subscribed') {
      // graft a newly subscribed peer into a thin mesh now rather than at the next heartbeat, over
      // connections we dialled only: on a new connection both ends see the other's SUBSCRIBE at
      // once, and grafting from both crossed GRAFTs and inflated meshes (20 nodes on a 10-regular
      // graph: mean mesh 6.5 → 6.0-6.2, @libp2p/gossipsub 5.5-6.1); the dialled end gets the link
      // from the dialler's GRAFT, or fills its mesh at the next heartbeat
      const mesh = s.mesh.meshOf(topic)
      if (p.outbound && mesh !== undefined && mesh.size < topicDegrees(s.config, topic).Dlo && graftable(s, topic, p.key, now)) {
        graftPeer(s, topic, p.key, now)
      }
    } else if (change === 'unsubscribed') {
      if (s.mesh.removeFromMesh(topic, p.key)) {
        s.score.prune(p.key, topic, now)
        // a GRAFT gathered for its SUBSCRIBE earlier in this RPC must not go out after it left
        s.out.withdrawGraft(p.key, topic)
      }
      s.mesh.fanoutSet(topic)?.delete(p.key)
    }
    return true
  }

  private receiveMessage (p: PeerState, msg: RouterMessage, now: number): void {
    const s = this.s
    if (!s.topics.mine.has(msg.topic)) {
      s.counters.messagesUnsubscribedTopic++
      return
    }
    const promised = s.promises.fulfil(msg.idKey)
    if (s.seen.has(msg.idKey)) {
      s.score.duplicateMessage(p.key, msg, now)
      s.validation.addDuplicate(msg.idKey, p.key)
      s.out.trace({ type: 'duplicate', peer: p.key, topic: msg.topic, idKey: msg.idKey })
      return
    }
    if (bytesEqual(msg.from, s.localIdBytes)) {
      // claims to be ours, yet our own publishes are all in the seen cache
      s.score.rejectMessage(p.key, msg, 'self-origin', now)
      s.out.trace({ type: 'reject', peer: p.key, topic: msg.topic, idKey: msg.idKey, reason: 'self-origin' })
      return
    }
    if (s.validation.full) {
      s.validation.dropped++
      s.out.trace({ type: 'reject', peer: p.key, topic: msg.topic, idKey: msg.idKey, reason: 'ignored' })
      return
    }
    // absent: checked on entry, and nothing since has added to the seen cache
    s.seen.insert(msg.idKey, now)
    sendIDontWant(s, msg, p.key)
    s.score.validateMessage(p.key, msg, now)
    s.validation.add(msg, p.key, now, promised)
    s.out.emit({ type: 'validate', msg, propagationSource: p.key })
  }

  /** The adapter's verdict on a message it was asked to validate. */
  /**
   * The adapter's verdict on a message it was asked to validate. `source`, when given (the app's
   * asynchronous verdict names one, as in `@libp2p/gossipsub`), is the peer credited or penalised and
   * not forwarded to; the first deliverer, if another peer, counts as one more sender of a copy.
   */
  reportValidation (idKey: MsgIdKey, result: ValidationResult, now: number, reason?: RejectReason, source?: PeerKey): void {
    const s = this.s
    const pending = s.validation.take(idKey)
    if (pending === undefined) { return }
    const msg = pending.msg
    let dups = pending.dups
    if (source === undefined || source === pending.source) {
      source = pending.source
    } else {
      dups = [...(dups ?? []), pending.source]
    }
    if (result === 'accept') {
      s.score.deliverMessage(source, msg, now)
      s.mcache.put(msg, now)
      s.out.emit({ type: 'deliver', msg, propagationSource: source })
      s.out.trace({ type: 'deliver', peer: source, topic: msg.topic, idKey })
      forwardMessage(s, msg, source, dups)
    } else if (result === 'reject') {
      const why = reason ?? 'validator-reject'
      if (copyRejects.has(why)) {
        // a forged copy neither makes the genuine message a duplicate nor keeps a gossip promise (go)
        s.seen.delete(idKey)
        if (pending.promised !== undefined) { s.promises.restore(idKey, pending.promised) }
      }
      s.score.rejectMessage(source, msg, why, now)
      s.out.trace({ type: 'reject', peer: source, topic: msg.topic, idKey, reason: why })
    } else {
      s.score.ignoreMessage(source, msg, now)
      s.out.trace({ type: 'reject', peer: source, topic: msg.topic, idKey, reason: 'ignored' })
    }
    s.out.flushControl()
  }

  subscribe (topic: string, now: number): void {
    join(this.s, topic, now)
    this.s.out.flushControl()
  }

  unsubscribe (topic: string, now: number): void {
    leave(this.s, topic, now)
    this.s.out.flushControl()
  }

  /**
   * Publishes our own message (already signed, with its id). Never throws for lack of peers; with
   * `requireRecipients` a message nobody would get is left unrecorded (`noPeers`).
   */
  publish (msg: RouterMessage, now: number, opts?: PublishOptions): PublishResult {
    const s = this.s
    if (s.seen.has(msg.idKey)) { return { recipients: [], duplicate: true, noPeers: false, self: false } }
    const self = s.config.emitSelf && s.topics.mine.has(msg.topic)
    // no subscriber, no recipient: checked first so a refused publish does not even create a fanout
    const recipients = s.topics.subscribersOf(msg.topic).size === 0 ? new Set<PeerKey>() : selectPublishRecipients(s, msg.topic, now, opts?.floodPublish)
    if (recipients.size === 0 && !self && opts?.requireRecipients === true) {
      return { recipients: [], duplicate: false, noPeers: true, self: false }
    }
    s.seen.insert(msg.idKey, now)
    s.mcache.put(msg, now)
    // IDONTWANT only to mesh peers that do not get the message itself: a recipient gets both in
    // one coalesced write, so the IDONTWANT could never arrive ahead of the message it names
    sendIDontWant(s, msg, null, recipients)
    sendPublish(s, msg, recipients)
    if (self) { s.out.emit({ type: 'deliver', msg, propagationSource: null }) }
    s.out.flushControl()
    return { recipients: [...recipients], duplicate: false, noPeers: false, self }
  }

  /**
   * Forgets our own message that reached nobody (the adapter could hand it to no recipient): no
   * longer seen or cached, so publishing it again is not a duplicate.
   */
  withdrawPublish (idKey: MsgIdKey): void {
    this.s.mcache.withdraw(idKey)
    this.s.seen.delete(idKey)
  }

  /** The earliest time `handleTimeout` must run. */
  nextDeadline (): number {
    return Math.min(this.nextHeartbeat, this.s.score.nextDeadline())
  }

  handleTimeout (now: number): void {
    const s = this.s
    if (now >= s.score.nextDeadline()) { s.score.handleTimeout(now) }
    if (now >= this.nextHeartbeat) {
      runHeartbeat(s, now)
      this.nextHeartbeat += s.config.heartbeatInterval
      // a driver that fell behind skips the missed heartbeats instead of running them in a burst
      if (this.nextHeartbeat <= now) { this.nextHeartbeat = now + s.config.heartbeatInterval }
    }
    s.out.flushControl()
  }

  takeOutputs (): RouterOutput[] {
    return this.s.out.take()
  }

  // ---- read-only views ----

  getTopics (): string[] { return [...this.s.topics.mine] }
  /** The overlay tables, for the adapter's read-only views: read, never mutated, by the caller. */
  tables (): Pick<RouterState, 'mesh' | 'topics' | 'peers'> { return this.s }
  /** we subscribe to `topic`: messages of other topics are dropped on receipt (we do not relay them) */
  isSubscribed (topic: string): boolean { return this.s.topics.mine.has(topic) }
  getSubscribers (topic: string): PeerKey[] { return [...this.s.topics.subscribersOf(topic).keys()] }
  getPeers (): PeerKey[] { return [...this.s.peers.keys()] }
  getMeshPeers (topic: string): PeerKey[] { return [...(this.s.mesh.meshOf(topic) ?? [])] }
  getFanoutPeers (topic: string): PeerKey[] { return [...this.s.mesh.fanoutOf(topic)] }
  peerProtocol (peer: PeerKey): string | undefined { return this.s.peers.get(peer)?.features.protocol }
  /** the extensions a peer advertised in its first RPC */
  peerExtensions (peer: PeerKey): Readonly<ControlExtensions> | undefined { return this.s.peers.get(peer)?.extensions }
  /** the peer sent us the interop test extension after both sides advertised it */
  receivedTestExtension (peer: PeerKey): boolean { return this.s.peers.get(peer)?.testExtensionReceived === true }
  isSeen (idKey: MsgIdKey): boolean { return this.s.seen.has(idKey) }
  /** when the GRAFT backoff of (topic, peer) expires, if one is recorded */
  backoffExpiry (topic: string, peer: PeerKey): number | undefined { return this.s.backoff.expiry(topic, peer) }
  /** heartbeats run so far */
  heartbeatTicks (): number { return this.s.tick }
  /** counters of things ignored or dropped */
  counters (): Readonly<RouterState['counters']> & { pendingValidationsDropped: number, seenEvicted: number, mcacheEvicted: number } {
    return { ...this.s.counters, pendingValidationsDropped: this.s.validation.dropped, seenEvicted: this.s.seen.evicted, mcacheEvicted: this.s.mcache.evicted }
  }

  /** sizes() and counters() in one record */
  stats (): RouterSizes & ReturnType<Router['counters']> {
    return { ...this.sizes(), ...this.counters() }
  }

  sizes (): RouterSizes {
    const s = this.s
    let peerTopics = 0
    let maxPeerTopics = 0
    let iwantAsked = 0
    let idontwant = 0
    let maxIdontwantPerPeer = 0
    for (const p of s.peers.values()) {
      const topics = topicCount(p.topics)
      peerTopics += topics
      maxPeerTopics = Math.max(maxPeerTopics, topics)
      iwantAsked += p.iasked
      const n = p.dontWant?.size ?? 0
      idontwant += n
      maxIdontwantPerPeer = Math.max(maxIdontwantPerPeer, n)
    }
    return {
      peers: s.peers.size,
      peerTopics,
      maxPeerTopics,
      knownTopics: s.topics.knownTopics,
      myTopics: s.topics.mine.size,
      ...s.mesh.sizes(),
      backoff: s.backoff.size,
      seen: s.seen.size,
      mcache: s.mcache.size,
      mcacheBytes: s.mcache.bytes,
      promises: s.promises.size,
      iwantAsked,
      idontwant,
      maxIdontwantPerPeer,
      pendingValidations: s.validation.size,
      pendingDials: s.dials.size,
      pendingOutputs: s.out.length
    }
  }
}
