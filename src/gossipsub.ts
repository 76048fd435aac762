// The libp2p pubsub service: lifecycle, registrar and topology wiring, and the public API of
// `@libp2p/gossipsub` plus waitForMesh. It owns the router core, the driver and the peers' streams.

import { serviceCapabilities, serviceDependencies } from '@libp2p/interface'
import { TypedEventEmitter } from 'main-event'
import { AcceptedMessages, DISPATCHED } from './adapter/accepted.ts'
import { Driver } from './adapter/driver.ts'
import { PublishError } from './adapter/errors.ts'
import { IdForms, guessPeerForm } from './adapter/id-forms.ts'
import { Intake } from './adapter/intake.ts'
import { MeshWaiters } from './adapter/mesh-waiters.ts'
import { StrictSign } from './adapter/message.ts'
import { metricsSink } from './adapter/metrics-register.ts'
import { MeshsubMetrics } from './adapter/metrics.ts'
import { resolveOptions, scoreParamsOf } from './adapter/options.ts'
import { FrameMemo, forwardClass, queueRpc, topicClasses } from './adapter/outbound.ts'
import { PeerIds } from './adapter/peer-ids.ts'
import { PeerStreams, whenAdded } from './adapter/peers.ts'
import { PublishWait } from './adapter/publish-wait.ts'
import { Dialer, RecordCache } from './adapter/px.ts'
import { screenMessages } from './adapter/screen.ts'
import { SeqnoGenerator, Signer, Verifier } from './adapter/sign.ts'
import { storeDirectPeers, tagMeshPeer } from './adapter/tags.ts'
import { RouterViews, scoreView } from './adapter/views.ts'
import { decodeRpc } from './codec/decode.ts'
import { encodeMessageForSigning } from './codec/sign.ts'
import { validateRouterConfig } from './config.ts'
import { SeededRng } from './core/rng.ts'
import { Router } from './core/router.ts'
import { Priority } from './core/types.ts'
import { PeerScore } from './score/peer-score.ts'
import type { GossipSubEvents, PublishOpts, PublishResult, SendQueueStats, WaitForMeshOptions } from './adapter/events.ts'
import type { Message, TopicValidatorFn, TopicValidatorResult } from './adapter/message.ts'
import type { GossipsubOpts, AdapterConfig, ScoreParamsInit } from './adapter/options.ts'
import type { OutboundCounters } from './adapter/outbound.ts'
import type { PeerEntry } from './adapter/peers.ts'
import type { Screen } from './adapter/screen.ts'
import type { PeerScoreView } from './adapter/views.ts'
import type { PeerKey, PriorityClass, PublishResult as RouterPublishResult, RejectReason, RouterMessage, RouterOutput, TraceEvent, ValidationResult } from './core/types.ts'
import type { ScoreSnapshot } from './score/compute.ts'
import type { PeerScoreStatsDump } from './score/dump.ts'
import type { PeerScoreParams } from './score/params.ts'
import type { PeerScoreThresholds } from './score/thresholds.ts'
import type { ComponentLogger, Connection, Logger, Metrics, PeerId, PeerStore, PrivateKey, Startable, Stream, Topology } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export interface GossipSubComponents {
  privateKey: PrivateKey
  peerId: PeerId
  peerStore: PeerStore
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
  metrics?: Metrics
}

export class GossipSub extends TypedEventEmitter<GossipSubEvents> implements Startable {
  readonly [Symbol.toStringTag] = '@libp2p/gossipsub'
  readonly [serviceCapabilities]: string[] = ['@libp2p/pubsub']
  readonly [serviceDependencies]: string[] = ['@libp2p/identify']
  readonly protocols: string[]
  readonly globalSignaturePolicy: AdapterConfig['globalSignaturePolicy']
  readonly topicValidators: Map<string, TopicValidatorFn>
  readonly scoreThresholds: PeerScoreThresholds
  readonly outboundCounters: OutboundCounters = { oversized: 0, dropped: 0, errors: 0, idontwantSkipped: 0 }
  private readonly frameMemo = new FrameMemo()
  /** received messages dropped before any work: topics we do not subscribe to (we relay only those) */
  readonly inboundCounters = { unsubscribedTopic: 0, malformed: 0 }
  readonly scoreParams: ScoreParamsInit

  private readonly components: GossipSubComponents
  private readonly log: Logger
  private readonly cfg: AdapterConfig
  private readonly routerConfig: ReturnType<typeof validateRouterConfig>
  private readonly driver: Driver
  private readonly intake: Intake
  private readonly signer: Signer
  private readonly seqno = new SeqnoGenerator()
  /** connected peers' signed peer records from the peerStore, for the PX we send */
  private readonly records = new RecordCache(1024, async peer => {
    const id = this.peerIds.ifKnown(peer)
    const found = id === undefined ? undefined : await this.components.peerStore.get(id)
    return this.peerIds.ifKnown(peer) === undefined ? undefined : found?.peerRecordEnvelope
  })

  private readonly peerIds = new PeerIds(key => this.streams?.get(key)?.id)
  private readonly waiters = new MeshWaiters()
  private router: Router | undefined
  private peerScore: PeerScore | undefined
  private streams: PeerStreams | undefined
  private dialer: Dialer | undefined
  private abort: AbortController | undefined
  private topologyIds: string[] = []
  /** messages the core is about to deliver, with their public form; marked just before the input */
  private readonly accepted = new AcceptedMessages()
  private readonly metrics: MeshsubMetrics | undefined
  private heartbeatRan = false
  /** the wait of the publish whose input is running: its sends are held, not dropped, when a queue is full */
  private publishing: PublishWait | undefined
  /** send class of forwards in topics with a `priority` option */
  private readonly topicPriority: Map<string, PriorityClass>
  /** a graylisted peer's frames are read for their subscriptions only (go): messages and control skipped unread */
  private readonly graylistLimits: AdapterConfig['decodeLimits']
  private readonly screen: Screen
  /** control ids in each peer's default id form (@libp2p/gossipsub's differs from the spec's) */
  private readonly idForms: IdForms

  constructor (components: GossipSubComponents, init: GossipsubOpts = {}) {
    super()
    const { router, adapter } = resolveOptions(init)
    this.routerConfig = validateRouterConfig(router)
    this.components = components
    this.cfg = adapter
    this.log = components.logger.forComponent(adapter.debugName ?? 'libp2p:meshsub')
    this.protocols = adapter.protocols
    this.globalSignaturePolicy = adapter.globalSignaturePolicy
    this.scoreThresholds = this.routerConfig.scoreThresholds
    this.signer = new Signer(components.privateKey, encodeMessageForSigning)
    this.driver = new Driver(out => { this.handleOutput(out) }, err => { this.log.error('router output failed: %e', err) }, () => { this.afterDrain() })
    this.scoreParams = scoreParamsOf(adapter)
    // validated now, so bad parameters fail at construction with an error naming them
    this.peerScore = new PeerScore(this.scoreParams as Partial<PeerScoreParams>, this.scoreThresholds)
    this.intake = new Intake(adapter, new Verifier(encodeMessageForSigning), {
      report: (msg, result, pub, reason, source) => { this.report(msg, result, pub, reason, source) },
      dispatch: (msg, pub, source) => { this.dispatchMessage(msg, pub, source) },
      error: (err) => { this.driver.onError(err) }
    }, this.routerConfig.seenTTL, this.routerConfig.maxPendingValidations)
    this.topicValidators = this.intake.topicValidators
    this.idForms = new IdForms({ enabled: adapter.msgIdFn === undefined, defaultIds: t => this.intake.msgIdFn(t) === undefined && this.intake.policy(t) === StrictSign })
    this.topicPriority = topicClasses(adapter.topics)
    this.graylistLimits = { ...adapter.decodeLimits, maxMessages: 0, maxControlEntries: 0 }
    const sink = metricsSink(components.metrics, adapter.metricsRegister)
    if (sink !== undefined) {
      this.metrics = new MeshsubMetrics(sink, adapter.metricsTopicStrToLabel, {
        router: () => this.router,
        streams: () => this.streams,
        score: (peer) => this.peerScore?.score(peer) ?? 0,
        thresholds: this.scoreThresholds,
        validation: this.intake.pipeline.counters,
        validationWaiting: () => this.intake.pipeline.waiting,
        routerErrors: () => this.driver.errors
      })
      this.driver.onTimeout = (ms) => {
        if (this.heartbeatRan) { this.metrics?.onHeartbeat(ms) }
        this.heartbeatRan = false
      }
    }
    this.screen = {
      allowed: adapter.allowedTopics,
      isSubscribed: (topic) => this.router?.isSubscribed(topic) === true,
      malformed: (m) => this.intake.malformed(m),
      counters: this.inboundCounters,
      onMalformed: (topic) => { this.metrics?.onMalformed(topic) }
    }
  }

  isStarted (): boolean { return this.router !== undefined }
  /** true between start() and stop() (a getter, as in `@libp2p/gossipsub`) */
  get started (): boolean { return this.router !== undefined }

  async start (): Promise<void> {
    if (this.router !== undefined) { return }
    const { registrar, peerId } = this.components
    const seed = crypto.getRandomValues(new Uint32Array(4))
    this.abort = new AbortController()
    const now = this.driver.now()
    this.peerScore = new PeerScore(this.scoreParams as Partial<PeerScoreParams>, this.scoreThresholds, { now, deliveryRecordTTL: this.routerConfig.seenTTL })
    this.router = new Router({ config: this.routerConfig, localPeer: peerId.toString(), rng: new SeededRng(seed), peerIds: this.peerIds, score: this.peerScore, now })
    this.dialer = new Dialer(this.components, this.log, this.routerConfig.maxPendingDials, this.abort.signal)
    this.streams = new PeerStreams({
      protocols: this.protocols,
      queue: this.cfg.sendQueue,
      maxTransmitSize: this.cfg.maxTransmitSize,
      runOnLimitedConnection: this.cfg.runOnLimitedConnection,
      connections: (id) => this.components.connectionManager.getConnections(id),
      now: () => this.driver.now(),
      log: this.log,
      hooks: {
        ready: (p, protocol, outbound, ip, streamReused) => { this.peerReady(p, protocol, outbound, ip, streamReused) },
        gone: (p) => { this.peerGone(p) },
        frame: (p, body) => this.onFrame(p, body),
        slow: (p, slow) => { this.peerSlow(p, slow) },
        badFrame: () => { this.metrics?.onBadFrame() }
      }
    })
    this.driver.start(this.router)
    const handler = (stream: Stream, conn: Connection): void => { this.streams?.onInbound(stream, conn) }
    await Promise.all(this.protocols.map(async p => registrar.handle(p, handler, {
      maxInboundStreams: this.cfg.maxInboundStreams,
      maxOutboundStreams: this.cfg.maxOutboundStreams,
      runOnLimitedConnection: this.cfg.runOnLimitedConnection
    })))
    const topology: Topology = {
      onConnect: (id, conn) => { this.streams?.onConnect(id, conn) },
      onDisconnect: (id) => { this.streams?.onDisconnect(id) },
      notifyOnLimitedConnection: this.cfg.runOnLimitedConnection
    }
    this.topologyIds = await Promise.all(this.protocols.map(async p => registrar.register(p, topology)))
    // connections opened before we (re)started are not announced by the registrar
    await this.streams.adopt(this.components.connectionManager.getConnections(), async (id) =>
      (await this.components.peerStore.get(id).catch(() => undefined))?.protocols.some(p => this.protocols.includes(p)) === true)
    for (const { id } of this.cfg.directPeers) { this.peerIds.rememberDirect(id) }
    await storeDirectPeers(this.components.peerStore, this.cfg.directPeers, this.log)
    for (const { id } of this.cfg.directPeers) { this.dialer.dial(id.toString()) }
  }

  async stop (): Promise<void> {
    if (this.router === undefined) { return }
    const { registrar } = this.components
    this.abort?.abort()
    this.driver.stop()
    for (const id of this.topologyIds) { registrar.unregister(id) }
    this.topologyIds = []
    await Promise.all(this.protocols.map(async p => registrar.unhandle(p)))
    this.streams?.stop()
    this.frameMemo.clear()
    this.waiters.abortAll(new Error('pubsub stopped'))
    this.router = undefined
    this.streams = undefined
  }

  // ── public API ──────────────────────────────────────────────────────────────

  getPeers (): PeerId[] { return this.peerIds.all(this.router?.getPeers() ?? []) }
  getTopics (): string[] { return this.router?.getTopics() ?? [] }
  getSubscribers (topic: string): PeerId[] { return this.peerIds.all(this.router?.getSubscribers(topic) ?? []) }
  getMeshPeers (topic: string): string[] { return this.router?.getMeshPeers(topic) ?? [] }
  getFanoutPeers (topic: string): string[] { return this.router?.getFanoutPeers(topic) ?? [] }
  // @libp2p/gossipsub's public state, as live read-only views (adapter/views.ts): mutating them throws
  private readonly views = new RouterViews(() => this.router?.tables(), key => this.peerIds.ifKnown(key))
  get mesh (): Map<string, Set<string>> { return this.views.mesh }
  get fanout (): Map<string, Set<string>> { return this.views.fanout }
  get topics (): Map<string, Set<string>> { return this.views.topics }
  get peers (): Map<string, PeerId> { return this.views.peers }
  get direct (): Set<string> { return this.views.direct }
  readonly score: PeerScoreView = scoreView(() => this.peerScore, t => this.driver.wallClock(t))
  dumpPeerScoreStats (): PeerScoreStatsDump { return this.score.dumpPeerScoreStats() }

  subscribe (topic: string): void {
    const router = this.running()
    this.driver.run(now => { router.subscribe(topic, now) })
  }

  unsubscribe (topic: string): void {
    const router = this.running()
    this.driver.run(now => { router.unsubscribe(topic, now) })
  }

  /**
   * Publishes `data` to `topic`. Resolves once every recipient's send queue holds the message,
   * waiting (backpressure) while a queue is full of earlier publishes; a recipient whose queue
   * stays full for publishQueueTtl ms is reported slow and left out of `recipients`. Rejects with a
   * PublishError (and leaves no trace: a retry is not a duplicate) when the message is too large,
   * nobody is subscribed, or no recipient's queue took it.
   */
  async publish (topic: string, data: Uint8Array = new Uint8Array(0), opts: PublishOpts = {}): Promise<PublishResult> {
    this.running()
    const { msg, pub } = await this.intake.own(topic, data, this.signer, this.seqno)
    const router = this.running()
    this.accepted.mark(msg, pub)
    const requireRecipients = !(opts.allowPublishToZeroTopicPeers ?? this.cfg.allowPublishToZeroTopicPeers)
    const wait = this.publishing = new PublishWait()
    let result: RouterPublishResult
    try {
      result = this.driver.run(now => router.publish(msg, now, { floodPublish: opts.floodPublish, requireRecipients }))
    } finally {
      this.publishing = undefined
    }
    if (result.duplicate) {
      if (opts.ignoreDuplicatePublishError ?? this.cfg.ignoreDuplicatePublishError) { return { recipients: [] } }
      throw new PublishError('Duplicate')
    }
    if (result.noPeers) { throw new PublishError('NoPeersSubscribedToTopic') }
    // the common case (every frame queued at once) costs no extra promise
    if (wait.waiting) { await wait.settled(this.cfg.sendQueue.publishTtl) }
    let recipients = result.recipients
    const failed = wait.failed
    if (failed !== undefined) {
      recipients = recipients.filter(k => !failed.has(k))
      if (recipients.length === 0 && !result.self) {
        // it reached nobody: forgotten, so the app can publish it again
        this.router?.withdrawPublish(msg.idKey)
        throw new PublishError('SendQueueFull')
      }
    }
    const ids = this.peerIds.all(recipients)
    // as @libp2p/gossipsub: a local delivery (emitSelf) makes us a recipient
    if (result.self) { ids.push(this.components.peerId) }
    return { recipients: ids }
  }

  /**
   * asyncValidation: the application's verdict on a message it was shown. As in `@libp2p/gossipsub`,
   * `propagationSource` is the peer credited (Accept) or penalised (Reject) and not forwarded to;
   * a verdict on an unknown or already reported id is ignored.
   */
  reportMessageValidationResult (msgId: string, propagationSource: string, acceptance: TopicValidatorResult): void {
    if (!this.intake.appVerdict(msgId, acceptance, propagationSource)) {
      this.log.trace('validation result for unknown message %s from %s', msgId, propagationSource)
    }
  }

  /** The peer's score with every component (P1..P7 per topic), or undefined if it is unknown. */
  getScoreSnapshot (peer: PeerId | string): ScoreSnapshot | undefined {
    return this.peerScore?.getScoreSnapshot(peer.toString())
  }

  /** A connected peer's send queue: frames and bytes waiting, the slow flag and drops so far. */
  getSendQueueStats (peer: PeerId | string): SendQueueStats | undefined {
    return this.streams?.stats(peer.toString())
  }

  /** Whether RPCs from the peer are read: false for unknown and graylisted peers (direct peers always read). */
  acceptFrom (id: string): boolean { return this.router?.acceptsRpcFrom(id) ?? false }

  /** The peer's current score (0 for unknown peers). */
  getScore (peer: PeerId | string): number {
    return this.peerScore?.score(peer.toString()) ?? 0
  }

  /** Resolves once the mesh of `topic` has at least `min` peers (default 1); rejects on abort. */
  async waitForMesh (topic: string, opts: WaitForMeshOptions = {}): Promise<void> {
    const min = opts.min ?? 1
    if (this.getMeshPeers(topic).length >= min) { return }
    await this.waiters.wait(topic, min, opts.signal)
  }

  // ── wiring ──────────────────────────────────────────────────────────────────

  /** the router, or a throw when the service is not started */
  private running (): Router {
    if (this.router === undefined) { throw new Error('PublishError.Uninitialized: the pubsub service is not started') }
    return this.router
  }

  private peerReady (p: PeerEntry, protocol: string, outbound: boolean, ip: string | undefined, extensionsSent: boolean): void {
    this.driver.run(now => this.router?.addPeer(p.key, { protocol, outbound, ip, extensionsSent }, now))
    guessPeerForm(p, protocol, this.components.peerStore)
    this.records.fetch(p.key)
  }

  private peerGone (p: PeerEntry): void {
    this.driver.run(now => this.router?.removePeer(p.key, now))
    if (this.streams?.get(p.key) === undefined) {
      // disconnected, not just reopening its stream
      this.records.delete(p.key)
      this.metrics?.onPeerRemoved(p.drops)
    }
  }

  private peerSlow (p: PeerEntry, slow: boolean): void {
    this.log('peer %p send queue %s', p.id, slow ? 'overflowing' : 'drained')
    this.safeDispatchEvent('gossipsub:slow-peer', { detail: { peerId: p.id, slow } })
    if (slow && this.cfg.slowPeerPenalty > 0) { this.peerScore?.addPenalty(p.key, this.cfg.slowPeerPenalty, 'slow-peer') }
  }

  private afterDrain (): void {
    this.accepted.clear()
    this.scoreEvents()
  }

  private scoreEvents (): void {
    const events = this.peerScore?.takeEvents()
    if (events === undefined) { return }
    for (const ev of events) { this.safeDispatchEvent('gossipsub:score-threshold', { detail: ev }) }
  }

  private onFrame (p: PeerEntry, body: Uint8Array): void | Promise<void> {
    const router = this.router
    if (router === undefined || this.streams?.get(p.key) !== p) { return }
    // the peer's first frames can arrive before our own stream to it is up
    if (!p.added) { return whenAdded(p).then(async () => this.onFrame(p, body)) }
    const graylisted = !router.acceptsRpcFrom(p.key)
    const { rpc, skipped } = decodeRpc(body, graylisted ? this.graylistLimits : this.cfg.decodeLimits)
    if (graylisted) { this.metrics?.onGraylisted() } else { this.metrics?.onRpcIn(rpc, skipped) }
    const allowed = this.cfg.allowedTopics
    if (allowed !== undefined) { rpc.subscriptions = rpc.subscriptions.filter(s => s.topic !== undefined && allowed.has(s.topic)) }
    if (rpc.messages.length > 0) { rpc.messages = screenMessages(rpc.messages, this.screen) }
    if (rpc.control !== undefined) { this.idForms.read(p, rpc.control) }
    const now = this.driver.now()
    const msgs = rpc.messages.map(m => this.intake.routerMessage(m, now))
    const handle = (messages: RouterMessage[]): void => {
      this.driver.run(now => { this.router?.handleRpc(p.key, { subscriptions: rpc.subscriptions, messages, control: rpc.control, testExtension: rpc.testExtension }, now) })
    }
    if (msgs.some(m => m instanceof Promise)) { return Promise.all(msgs.map(async m => m)).then(handle) }
    handle(msgs as RouterMessage[])
  }

  private report (msg: RouterMessage, result: ValidationResult, pub: Message | undefined, reason?: RejectReason, source?: PeerKey): void {
    if (result === 'accept') { this.accepted.mark(msg, pub ?? DISPATCHED) }
    // also called from validator promises and timers, where a throw would stop the process
    this.driver.tryRun(now => { this.router?.reportValidation(msg.idKey, result, now, reason, source) })
  }

  private handleOutput (out: RouterOutput): void {
    switch (out.type) {
      case 'send': {
        const entry = this.streams?.get(out.peer)
        // the app's own publish (only `publish` emits sends of this class while it runs)
        const own = out.priority === Priority.Publish ? this.publishing : undefined
        if (entry === undefined) {
          own?.fail(out.peer)
          return
        }
        this.metrics?.onRpcOut(out.rpc)
        const rpc = out.rpc.control === undefined || entry.idForm === 'spec' ? out.rpc : { ...out.rpc, control: this.idForms.write(entry, out.rpc.control) }
        queueRpc(entry, rpc, forwardClass(this.topicPriority, rpc, out.priority), this.driver.now(), this.cfg.maxTransmitSize, this.records, this.peerIds.toKey, this.outboundCounters, this.frameMemo, own, out.peer)
        entry.schedule()
        return
      }
      case 'deliver': {
        const pub = this.accepted.formOf(out.msg)
        if (pub === DISPATCHED) { return }
        const msg = pub ?? this.intake.toPublic(out.msg)
        if (msg === undefined) { return }
        const source = out.propagationSource === null ? this.components.peerId : this.peerIds.get(out.propagationSource)
        this.dispatchMessage(out.msg, msg, source)
        return
      }
      case 'validate': {
        const source = this.peerIds.get(out.propagationSource)
        try {
          this.intake.validate(out.msg, source, this.driver.now())
        } catch (err) {
          this.log.error('validation failed: %e', err)
          this.report(out.msg, 'ignore', undefined)
        }
        return
      }
      case 'dial':
        this.dialer?.dial(out.peer, out.signedPeerRecord)
        return
      case 'cancel':
        this.streams?.get(out.peer)?.cancel(out.idKey)
        return
      default:
        this.onTrace(out.event)
    }
  }

  private dispatchMessage (msg: RouterMessage, pub: Message, source: PeerId): void {
    if (this.listenerCount('gossipsub:message') > 0) {
      this.safeDispatchEvent('gossipsub:message', { detail: { propagationSource: source, msgId: this.intake.msgIdToStr(msg.id), msg: pub } })
    }
    this.safeDispatchEvent('message', { detail: pub })
  }

  private onTrace (ev: TraceEvent): void {
    this.metrics?.onTrace(ev)
    if (this.listenerCount('gossipsub:trace') > 0) { this.safeDispatchEvent('gossipsub:trace', { detail: ev }) }
    if (ev.type === 'graft' || ev.type === 'prune') {
      const type = ev.type === 'graft' ? 'gossipsub:graft' : 'gossipsub:prune'
      this.safeDispatchEvent(type, { detail: { peerId: ev.peer, topic: ev.topic, direction: ev.direction === 'in' ? 'inbound' : 'outbound' } })
      const id = this.peerIds.ifKnown(ev.peer)
      if (this.cfg.tagMeshPeers && id !== undefined) { tagMeshPeer(this.components.peerStore, id, ev.topic, ev.type === 'graft') }
      if (ev.type === 'graft') { this.waiters.check(ev.topic, this.getMeshPeers(ev.topic).length) }
    } else if (ev.type === 'subscriptions') {
      // after the router applied them, without those it refused over a cap
      const peerId = this.peerIds.ifKnown(ev.peer)
      if (peerId === undefined) { return }
      this.safeDispatchEvent('subscription-change', {
        detail: { peerId, subscriptions: ev.subscriptions.map(s => ({ topic: s.topic ?? '', subscribe: s.subscribe === true })) }
      })
    } else if (ev.type === 'heartbeat') {
      this.heartbeatRan = true
      this.safeDispatchEvent('gossipsub:heartbeat')
    }
  }
}
