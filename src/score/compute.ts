// The score function (docs/protocol.md §6) over a peer's counters, and its explained form: one code path
// computes the number and, when asked, fills a snapshot with every component and contribution.

import { colocationSurplus, keyList } from './colocation.ts'
import { meshDeficitSquared } from './counters.ts'
import type { GroupSizes } from './colocation.ts'
import type { PeerStats, PenaltyCause } from './counters.ts'
import type { PeerScoreParams } from './params.ts'

/** A component's raw value and its weighted contribution. */
export interface ScoreComponent {
  value: number
  weighted: number
}

export interface TopicScoreSnapshot {
  inMesh: boolean
  /** ms in mesh as of the last decay step */
  meshTime: number
  /** whether the P3 deficit counts yet (activation elapsed) */
  meshDeliveriesActive: boolean
  topicWeight: number
  /** raw P3 counter (first and near-first deliveries while in mesh, decayed) */
  meshMessageDeliveries: number
  /** raw P4 counter (P4 is its square) */
  invalidMessageDeliveries: number
  p1: ScoreComponent
  p2: ScoreComponent
  p3: ScoreComponent
  p3b: ScoreComponent
  p4: ScoreComponent
  /** topicWeight × (sum of the weighted components) */
  score: number
}

export interface ScoreSnapshot {
  peer: string
  connected: boolean
  /** the total, as `score()` returns it */
  score: number
  /** sum over scored topics before the cap */
  topicsSum: number
  /** true when topicScoreCap bounded the sum */
  topicsCapped: boolean
  topics: Record<string, TopicScoreSnapshot>
  p5: ScoreComponent
  p6: ScoreComponent
  p7: ScoreComponent
  /** raw P7 counter (P7 is the square of its excess over behaviourPenaltyThreshold) */
  behaviourPenalty: number
  /** the peer's colocation groups with the number of connected peers sharing each */
  ips: Array<{ ip: string, peers: number }>
  lastPenalty?: PenaltyCause
}

function component (value: number, weight: number): ScoreComponent {
  return { value, weighted: value * weight }
}

/**
 * score = min(topicScoreCap, Σ topicWeight·(w1P1 + w2P2 + w3P3 + w3bP3b + w4P4)) + w5P5 + w6P6 + w7P7,
 * the cap bounding only a positive sum and only when > 0. With `out`, the snapshot is filled in too;
 * without it nothing is allocated.
 */
export function computeScore (
  ps: PeerStats,
  params: PeerScoreParams,
  groups: GroupSizes,
  out?: ScoreSnapshot
): number {
  let sum = 0
  for (const ts of ps.topics.values()) {
    const tp = ts.params
    if (tp == null) { continue }
    const p1 = ts.inMesh ? Math.min(ts.meshTime / tp.timeInMeshQuantum, tp.timeInMeshCap) : 0
    const p2 = Math.min(ts.firstMessageDeliveries, tp.firstMessageDeliveriesCap)
    const p3 = meshDeficitSquared(ts, tp.meshMessageDeliveriesThreshold)
    const p3b = ts.meshFailurePenalty
    const p4 = ts.invalidMessageDeliveries * ts.invalidMessageDeliveries
    const topicScore = tp.topicWeight * (p1 * tp.timeInMeshWeight + p2 * tp.firstMessageDeliveriesWeight +
      p3 * tp.meshMessageDeliveriesWeight + p3b * tp.meshFailurePenaltyWeight + p4 * tp.invalidMessageDeliveriesWeight)
    sum += topicScore
    if (out != null) {
      out.topics[ts.topic] = {
        inMesh: ts.inMesh,
        meshTime: ts.inMesh ? ts.meshTime : 0,
        meshDeliveriesActive: ts.meshMessageDeliveriesActive,
        topicWeight: tp.topicWeight,
        meshMessageDeliveries: ts.meshMessageDeliveries,
        invalidMessageDeliveries: ts.invalidMessageDeliveries,
        p1: component(p1, tp.timeInMeshWeight),
        p2: component(p2, tp.firstMessageDeliveriesWeight),
        p3: component(p3, tp.meshMessageDeliveriesWeight),
        p3b: component(p3b, tp.meshFailurePenaltyWeight),
        p4: component(p4, tp.invalidMessageDeliveriesWeight),
        score: topicScore
      }
    }
  }
  const capped = params.topicScoreCap > 0 && sum > params.topicScoreCap
  let score = capped ? params.topicScoreCap : sum

  const p5 = appScore(params, ps.peer)
  score += p5 * params.appSpecificWeight

  const p6 = colocationSurplus(groups, ps.ipKeys, params.IPColocationFactorThreshold)
  score += p6 * params.IPColocationFactorWeight

  let p7 = 0
  if (ps.behaviourPenalty > params.behaviourPenaltyThreshold) {
    const excess = ps.behaviourPenalty - params.behaviourPenaltyThreshold
    p7 = excess * excess
  }
  score += p7 * params.behaviourPenaltyWeight

  if (out != null) {
    out.score = score
    out.topicsSum = sum
    out.topicsCapped = capped
    out.p5 = component(p5, params.appSpecificWeight)
    out.p6 = component(p6, params.IPColocationFactorWeight)
    out.p7 = component(p7, params.behaviourPenaltyWeight)
    out.behaviourPenalty = ps.behaviourPenalty
    out.ips = keyList(ps.ipKeys).map(ip => ({ ip, peers: groups.sizeOf(ip) }))
  }
  return score
}

/** P5 from the application; a throwing or non-finite callback counts as 0 so the score stays finite. */
function appScore (params: PeerScoreParams, peer: string): number {
  try {
    const v = params.appSpecificScore(peer)
    return Number.isFinite(v) ? v : 0
  } catch {
    return 0
  }
}

export function emptySnapshot (peer: string, connected: boolean): ScoreSnapshot {
  const zero = { value: 0, weighted: 0 }
  return {
    peer,
    connected,
    score: 0,
    topicsSum: 0,
    topicsCapped: false,
    topics: {},
    p5: zero,
    p6: zero,
    p7: zero,
    behaviourPenalty: 0,
    ips: []
  }
}
