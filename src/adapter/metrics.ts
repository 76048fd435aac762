// meshsub's metrics (to libp2p's `metrics` component and/or an app's register, see metrics-register.ts):
// counters fed by trace events and RPCs, gauges computed at scrape time. Per-topic labels only for listed topics.

import type { PeerStreams } from './peers.ts'
import type { SendQueueDrops } from './send-queue.ts'
import type { ValidationCounters } from './validation.ts'
import type { SkipCounts } from '../codec/limits.ts'
import type { Router } from '../core/router.ts'
import type { OutRpc, TraceEvent } from '../core/types.ts'
import type { PeerScoreThresholds } from '../score/thresholds.ts'
import type { ControlMessage } from '../types.ts'
import type { MetricsSink } from './metrics-register.ts'

export interface MetricsSources {
  router(): Router | undefined
  streams(): PeerStreams | undefined
  score(peer: string): number
  thresholds: PeerScoreThresholds
  validation: ValidationCounters
  validationWaiting(): number
  /** errors caught around the router's inputs and outputs (logged) */
  routerErrors(): number
}

/** Topics without a label are counted under this one, so label cardinality stays bounded. */
const OTHER = 'other'

const MESSAGE_EVENTS = ['received', 'delivered', 'duplicate', 'invalid', 'ignored'] as const
type MessageEvent = typeof MESSAGE_EVENTS[number]
type Counters = ReturnType<MetricsSink['counterGroup']>

export class MeshsubMetrics {
  private readonly labels: Map<string, string>
  private readonly messages: Record<MessageEvent, Counters>
  private readonly control: Counters
  private readonly frames: Counters
  private readonly heartbeat: ReturnType<MetricsSink['histogram']>
  /** send-queue drops of peers that have disconnected (live peers are summed at scrape time) */
  private readonly pastDrops: SendQueueDrops = { overflow: 0, stale: 0, cancelled: 0, evicted: 0 }

  constructor (metrics: MetricsSink, topicLabels: Map<string, string> | undefined, src: MetricsSources) {
    this.labels = topicLabels ?? new Map()
    this.messages = {} as unknown as Record<MessageEvent, Counters>
    for (const ev of MESSAGE_EVENTS) {
      this.messages[ev] = metrics.counterGroup(`meshsub_messages_${ev}_total`, 'topic', `messages ${ev}, by topic`)
    }
    this.control = metrics.counterGroup('meshsub_control_total', 'kind', 'control entries and ids in and out (e.g. ihave_in, iwant_ids_out)')
    this.frames = metrics.counterGroup('meshsub_frames_total', 'event', 'frames: skipped entries, bad frames, graylisted')
    this.heartbeat = metrics.histogram('meshsub_heartbeat_duration_ms', 'time the core spent in a heartbeat', [0.1, 0.5, 1, 2, 5, 10, 25, 50, 100])
    metrics.calculated('meshsub_router_errors', 'errors caught around router inputs and outputs (see the error log)', () => src.routerErrors())
    metrics.calculated('meshsub_peers', 'connected pubsub peers', () => src.router()?.getPeers().length ?? 0)
    const perTopic = (view: (r: Router, topic: string) => number) => (): Record<string, number> => {
      const r = src.router()
      const out: Record<string, number> = {}
      if (r === undefined) { return out }
      for (const [topic, label] of this.labels) { out[label] = view(r, topic) }
      return out
    }
    metrics.calculatedGroup('meshsub_mesh_peers', 'topic', 'mesh size per labelled topic', perTopic((r, t) => r.getMeshPeers(t).length))
    metrics.calculatedGroup('meshsub_fanout_peers', 'topic', 'fanout size per labelled topic', perTopic((r, t) => r.getFanoutPeers(t).length))
    metrics.calculatedGroup('meshsub_topic_peers', 'topic', 'subscribed peers per labelled topic', perTopic((r, t) => r.getSubscribers(t).length))
    metrics.calculatedGroup('meshsub_send_queue', 'kind', 'send queues: frames, bytes, slow peers, drops', () => this.queues(src))
    metrics.calculatedGroup('meshsub_validation', 'kind', 'user validation: waiting, queue drops, timeouts, errors',
      () => ({ waiting: src.validationWaiting(), queue_dropped: src.validation.queueDropped, timed_out: src.validation.timedOut, errors: src.validation.errors }))
    metrics.calculatedGroup('meshsub_score_peers', 'range', 'connected peers by score range', () => this.scoreRanges(src))
  }

  private label (topic: string): string {
    return this.labels.get(topic) ?? OTHER
  }

  onTrace (ev: TraceEvent): void {
    switch (ev.type) {
      case 'deliver': this.messages.delivered.increment({ [this.label(ev.topic)]: true }); break
      case 'duplicate': this.messages.duplicate.increment({ [this.label(ev.topic)]: true }); break
      case 'reject':
        (ev.reason === 'ignored' ? this.messages.ignored : this.messages.invalid).increment({ [this.label(ev.topic)]: true })
        break
      default: break
    }
  }

  onRpcIn (rpc: { messages: Array<{ topic: string }>, control?: ControlMessage }, skipped: SkipCounts): void {
    for (const m of rpc.messages) { this.messages.received.increment({ [this.label(m.topic)]: true }) }
    if (rpc.control !== undefined) { this.countControl(rpc.control, 'in') }
    let n = 0
    for (const v of Object.values(skipped)) { n += v }
    if (n > 0) { this.frames.increment({ skipped_entries: n }) }
  }

  onRpcOut (rpc: OutRpc): void {
    if (rpc.control !== undefined) { this.countControl(rpc.control, 'out') }
  }

  /** a message dropped as invalid before it reached the router */
  onMalformed (topic: string): void { this.messages.invalid.increment({ [this.label(topic)]: true }) }

  onBadFrame (): void { this.frames.increment({ bad: true }) }
  onGraylisted (): void { this.frames.increment({ graylisted: true }) }
  onHeartbeat (ms: number): void { this.heartbeat.observe(ms) }

  /** a peer's queue goes away with it: keep its drops in the totals */
  onPeerRemoved (drops: SendQueueDrops): void {
    this.pastDrops.overflow += drops.overflow
    this.pastDrops.stale += drops.stale
    this.pastDrops.cancelled += drops.cancelled
    this.pastDrops.evicted += drops.evicted
  }

  private countControl (c: ControlMessage, dir: 'in' | 'out'): void {
    const ids = (xs: Array<{ messageIds: Uint8Array[] }>): number => xs.reduce((n, x) => n + x.messageIds.length, 0)
    this.control.increment({
      [`ihave_${dir}`]: c.ihave.length,
      [`ihave_ids_${dir}`]: ids(c.ihave),
      [`iwant_${dir}`]: c.iwant.length,
      [`iwant_ids_${dir}`]: ids(c.iwant),
      [`idontwant_${dir}`]: c.idontwant.length,
      [`idontwant_ids_${dir}`]: ids(c.idontwant),
      [`graft_${dir}`]: c.graft.length,
      [`prune_${dir}`]: c.prune.length
    })
  }

  private queues (src: MetricsSources): Record<string, number> {
    const out = { frames: 0, bytes: 0, slow_peers: 0, ...prefixed(this.pastDrops) }
    for (const q of src.streams()?.all() ?? []) {
      out.frames += q.length
      out.bytes += q.bytes
      out.slow_peers += q.slow ? 1 : 0
      out.drops_overflow += q.drops.overflow
      out.drops_stale += q.drops.stale
      out.drops_cancelled += q.drops.cancelled
      out.drops_evicted += q.drops.evicted
    }
    return out
  }

  private scoreRanges (src: MetricsSources): Record<string, number> {
    const t = src.thresholds
    const out = { graylisted: 0, below_publish: 0, below_gossip: 0, negative: 0, zero: 0, positive: 0 }
    for (const peer of src.router()?.getPeers() ?? []) {
      const s = src.score(peer)
      if (s < t.graylistThreshold) { out.graylisted++ } else if (s < t.publishThreshold) { out.below_publish++ } else if (s < t.gossipThreshold) { out.below_gossip++ } else if (s < 0) { out.negative++ } else if (s === 0) { out.zero++ } else { out.positive++ }
    }
    return out
  }
}

function prefixed (d: SendQueueDrops): { drops_overflow: number, drops_stale: number, drops_cancelled: number, drops_evicted: number } {
  return { drops_overflow: d.overflow, drops_stale: d.stale, drops_cancelled: d.cancelled, drops_evicted: d.evicted }
}
