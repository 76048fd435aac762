// Score counters: the per-peer and per-(peer, topic) state that P1..P4 and P7 are computed from,
// and the decay step applied to them every decayInterval.

import { NO_KEYS } from './colocation.ts'
import type { GroupKeys } from './colocation.ts'
import type { PeerScoreParams, TopicScoreParams } from './params.ts'
import type { PeerKey } from '../core/types.ts'

/** Counters of one peer in one topic. */
export interface TopicStats {
  topic: string
  /** the topic's params, undefined while it is not scored; PeerScore swaps them on a change */
  params: TopicScoreParams | undefined
  /** in our mesh of the topic */
  inMesh: boolean
  /** when it was grafted (ms) */
  graftTime: number
  /** time in mesh (ms), refreshed at graft and at every decay step */
  meshTime: number
  /** P2 counter */
  firstMessageDeliveries: number
  /** P3 counter */
  meshMessageDeliveries: number
  /** P3 deficit counts: set once meshTime exceeds meshMessageDeliveriesActivation */
  meshMessageDeliveriesActive: boolean
  /** P3b counter */
  meshFailurePenalty: number
  /** P4 counter */
  invalidMessageDeliveries: number
}

/** The last penalty applied to a peer, for explanations. */
export interface PenaltyCause {
  /** e.g. `graft-backoff`, `broken-promise`, `invalid-message:validator-reject`, `mesh-failure` */
  cause: string
  topic?: string
  /** time of the penalty (ms; the last time seen for penalties that carry none) */
  at: number
}

/** Counters of one peer; kept after disconnection while it carries penalties (retention). */
export interface PeerStats {
  peer: PeerKey
  connected: boolean
  /** retained until (ms); meaningful only when disconnected */
  expire: number
  /** colocation groups of the peer's addresses (see colocation.ts) */
  ipKeys: GroupKeys
  /**
   * Per-topic counters. Created for scored topics on any event and for any topic on graft, so a
   * peer holds at most (scored topics + our meshes) entries however many topics it announces.
   * NO_TOPICS (shared, never written) until the first entry: most peers never get one.
   */
  topics: ReadonlyMap<string, TopicStats>
  /** P7 counter */
  behaviourPenalty: number
  lastPenalty?: PenaltyCause
  /** cached score, valid while `dirty` is false; also the score last compared against the thresholds (crossing events) */
  score: number
  dirty: boolean
}

/** the topic counters of a peer without any: shared, so never written (see `topicsToWrite`) */
const NO_TOPICS: ReadonlyMap<string, TopicStats> = new Map()

/** The peer's topic counters, to add an entry to. */
export function topicsToWrite (ps: PeerStats): Map<string, TopicStats> {
  if (ps.topics === NO_TOPICS) { ps.topics = new Map() }
  return ps.topics as Map<string, TopicStats>
}

export function newTopicStats (topic: string, params: TopicScoreParams | undefined): TopicStats {
  return {
    topic,
    params,
    inMesh: false,
    graftTime: 0,
    meshTime: 0,
    firstMessageDeliveries: 0,
    meshMessageDeliveries: 0,
    meshMessageDeliveriesActive: false,
    meshFailurePenalty: 0,
    invalidMessageDeliveries: 0
  }
}

export function newPeerStats (peer: PeerKey): PeerStats {
  return {
    peer,
    connected: true,
    expire: 0,
    ipKeys: NO_KEYS,
    topics: NO_TOPICS,
    behaviourPenalty: 0,
    score: 0,
    dirty: true
  }
}

function decayed (v: number, factor: number, zero: number, steps: number): number {
  if (v === 0) { return 0 }
  const d = v * (steps === 1 ? factor : factor ** steps)
  return d < zero ? 0 : d
}

/**
 * `steps` decay steps at once (go's refreshScores for a connected peer): multiply P2, P3, P3b, P4
 * and P7 by their factors, zero what falls below decayToZero, refresh mesh time and P3 activation.
 * Counters only shrink; n steps at once equal n single steps, since a counter below decayToZero
 * after step k stays below it. Topics without params keep their counters (they are not scored).
 */
export function decayPeer (ps: PeerStats, params: PeerScoreParams, now: number, steps = 1): void {
  const zero = params.decayToZero
  for (const ts of ps.topics.values()) {
    const tp = ts.params
    if (ts.inMesh) {
      ts.meshTime = now - ts.graftTime
      if (tp != null && ts.meshTime > tp.meshMessageDeliveriesActivation) { ts.meshMessageDeliveriesActive = true }
    }
    if (tp == null) { continue }
    ts.firstMessageDeliveries = decayed(ts.firstMessageDeliveries, tp.firstMessageDeliveriesDecay, zero, steps)
    ts.meshMessageDeliveries = decayed(ts.meshMessageDeliveries, tp.meshMessageDeliveriesDecay, zero, steps)
    ts.meshFailurePenalty = decayed(ts.meshFailurePenalty, tp.meshFailurePenaltyDecay, zero, steps)
    ts.invalidMessageDeliveries = decayed(ts.invalidMessageDeliveries, tp.invalidMessageDeliveriesDecay, zero, steps)
  }
  ps.behaviourPenalty = decayed(ps.behaviourPenalty, params.behaviourPenaltyDecay, zero, steps)
  ps.dirty = true
}

/** The P3 deficit² a topic carries now (0 when not active or at/above threshold). */
export function meshDeficitSquared (ts: TopicStats, threshold: number): number {
  if (!ts.meshMessageDeliveriesActive || ts.meshMessageDeliveries >= threshold) { return 0 }
  const deficit = threshold - ts.meshMessageDeliveries
  return deficit * deficit
}

/** True when a disconnected peer's counters would lower a future score (so they must be retained). */
export function carriesPenalty (ps: PeerStats): boolean {
  if (ps.behaviourPenalty > 0) { return true }
  for (const ts of ps.topics.values()) {
    if (ts.meshFailurePenalty > 0 || ts.invalidMessageDeliveries > 0) { return true }
  }
  return false
}
