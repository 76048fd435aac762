// Score parameters (docs/protocol.md §6): the peer-level and per-topic weights, decays, caps and windows,
// their defaults (those of `@libp2p/gossipsub` 17, for drop-in use) and their validation.

import { InvalidPeerScoreParamsError } from './errors.ts'
import { parseCidr } from './ip.ts'
import type { PeerKey } from '../core/types.ts'

/**
 * Per-topic score parameters. Times are milliseconds, as in `@libp2p/gossipsub`. A weight of 0
 * disables its component; then the component's other parameters are not checked.
 */
export interface TopicScoreParams {
  /** the topic's weight in the sum over topics; ≥ 0 */
  topicWeight: number
  /** P1 weight; ≥ 0 */
  timeInMeshWeight: number
  /** P1 unit: P1 = time in mesh / quantum (ms); > 0 */
  timeInMeshQuantum: number
  /** P1 upper bound, in quanta; > 0 when P1 is on */
  timeInMeshCap: number
  /** P2 weight; ≥ 0 */
  firstMessageDeliveriesWeight: number
  /** P2 decay factor per decayInterval; in (0, 1) when P2 is on */
  firstMessageDeliveriesDecay: number
  /** P2 counter bound, applied at increment; > 0 when P2 is on */
  firstMessageDeliveriesCap: number
  /** P3 weight; ≤ 0 */
  meshMessageDeliveriesWeight: number
  /** P3 decay factor per decayInterval; in (0, 1) when P3 is on */
  meshMessageDeliveriesDecay: number
  /** P3 counter bound; ≥ meshMessageDeliveriesThreshold when P3 is on */
  meshMessageDeliveriesCap: number
  /** P3: a mesh peer whose counter is below this has a deficit; > 0 when P3 is on */
  meshMessageDeliveriesThreshold: number
  /** P3: duplicates this soon (ms) after the first copy validated count as near-first; ≥ 0 */
  meshMessageDeliveriesWindow: number
  /** P3: the deficit counts only after this long (ms) in the mesh; ≥ 1000 when P3 is on */
  meshMessageDeliveriesActivation: number
  /** P3b weight; ≤ 0 */
  meshFailurePenaltyWeight: number
  /** P3b decay factor per decayInterval; in (0, 1) when P3b is on */
  meshFailurePenaltyDecay: number
  /** P4 weight; ≤ 0 */
  invalidMessageDeliveriesWeight: number
  /** P4 decay factor per decayInterval; in (0, 1) when P4 is on */
  invalidMessageDeliveriesDecay: number
}

/** Peer-level score parameters. Times are milliseconds. */
export interface PeerScoreParams {
  /** scored topics; a topic without an entry contributes nothing */
  topics: Record<string, TopicScoreParams>
  /** upper bound of a positive sum over topics; 0 for no cap; ≥ 0 */
  topicScoreCap: number
  /** P5: the application's opinion of a peer (may be negative) */
  appSpecificScore(peer: PeerKey): number
  /** P5 weight; ≥ 0 */
  appSpecificWeight: number
  /** P6 weight; ≤ 0 */
  IPColocationFactorWeight: number
  /** P6: peers per IP (IPv4 address or IPv6 /64) tolerated without penalty; ≥ 1 when P6 is on */
  IPColocationFactorThreshold: number
  /** P6: addresses or CIDR ranges exempt from colocation counting */
  IPColocationFactorWhitelist: Set<string>
  /** P7 weight; ≤ 0 */
  behaviourPenaltyWeight: number
  /** P7: counter level below which no penalty applies (go's extension of the spec); ≥ 0 */
  behaviourPenaltyThreshold: number
  /** P7 decay factor per decayInterval; in (0, 1) when P7 is on */
  behaviourPenaltyDecay: number
  /** how often counters decay (ms); ≥ 1000 (go) */
  decayInterval: number
  /** a decayed counter below this becomes 0; in (0, 1) */
  decayToZero: number
  /** how long a disconnected peer's penalties are kept (ms); ≥ 0 */
  retainScore: number
}

/**
 * Defaults of `@libp2p/gossipsub` 17 (peer-score-params.js); the spec sets none and go leaves them to
 * the user. They exist for drop-in compatibility, not as tuned values: with timeInMeshQuantum 1 ms
 * and cap 3600, P1 saturates after 3.6 s. Derive real values with `calculatePeerScoreParams`.
 */
export const defaultTopicScoreParams: Readonly<TopicScoreParams> = Object.freeze({
  topicWeight: 0.5,
  timeInMeshWeight: 1,
  timeInMeshQuantum: 1,
  timeInMeshCap: 3600,
  firstMessageDeliveriesWeight: 1,
  firstMessageDeliveriesDecay: 0.5,
  firstMessageDeliveriesCap: 2000,
  meshMessageDeliveriesWeight: -1,
  meshMessageDeliveriesDecay: 0.5,
  meshMessageDeliveriesCap: 100,
  meshMessageDeliveriesThreshold: 20,
  meshMessageDeliveriesWindow: 10,
  meshMessageDeliveriesActivation: 5000,
  meshFailurePenaltyWeight: -1,
  meshFailurePenaltyDecay: 0.5,
  invalidMessageDeliveriesWeight: -1,
  invalidMessageDeliveriesDecay: 0.3
})

/** Defaults of `@libp2p/gossipsub` 17; decayToZero 0.1 as in js and rust (go's helper assumes 0.01). */
export const defaultPeerScoreParams: Readonly<PeerScoreParams> = Object.freeze({
  topics: {},
  topicScoreCap: 10,
  appSpecificScore: () => 0,
  appSpecificWeight: 10,
  IPColocationFactorWeight: -5,
  IPColocationFactorThreshold: 10,
  IPColocationFactorWhitelist: new Set<string>(),
  behaviourPenaltyWeight: -10,
  behaviourPenaltyThreshold: 0,
  behaviourPenaltyDecay: 0.2,
  decayInterval: 1000,
  decayToZero: 0.1,
  retainScore: 3600 * 1000
})

/** Topic params from defaults and overrides. */
export function createTopicScoreParams (p: Partial<TopicScoreParams> = {}): TopicScoreParams {
  return { ...defaultTopicScoreParams, ...p }
}

/** Peer params as given: any subset; the whitelist may also be an array. */
export type PeerScoreParamsInit = Partial<Omit<PeerScoreParams, 'IPColocationFactorWhitelist'>> & { IPColocationFactorWhitelist?: Set<string> | string[] }

/** Peer params from defaults and overrides; each topic entry is completed with topic defaults. */
export function createPeerScoreParams (p: PeerScoreParamsInit = {}): PeerScoreParams {
  const topics: Record<string, TopicScoreParams> = {}
  for (const [topic, tp] of Object.entries(p.topics ?? {})) {
    topics[topic] = createTopicScoreParams(tp)
  }
  // a fresh set: the default's is shared and the caller's stays theirs
  const given: unknown = p.IPColocationFactorWhitelist ?? []
  if (!(given instanceof Set) && !Array.isArray(given)) {
    fail('IPColocationFactorWhitelist', given, 'must be a Set or an array of IP addresses or CIDR ranges')
  }
  const IPColocationFactorWhitelist = new Set<string>(given as Iterable<string>)
  return { ...defaultPeerScoreParams, ...p, topics, IPColocationFactorWhitelist }
}

type Fail = (param: string, value: unknown, rule: string) => never

const fail: Fail = (param, value, rule) => {
  throw new InvalidPeerScoreParamsError(param, value, rule)
}

function finite (name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) { fail(name, v, 'must be a finite number') }
}

function weightSign (name: string, v: number, sign: 1 | -1): void {
  finite(name, v)
  if (sign > 0 && v < 0) { fail(name, v, 'must be ≥ 0 (0 disables)') }
  if (sign < 0 && v > 0) { fail(name, v, 'must be ≤ 0 (0 disables)') }
}

/** A decay factor: in (0, 1) when its component is on, else in [0, 1] (it must never grow a counter). */
function decay (name: string, v: number, on: boolean): void {
  finite(name, v)
  if (on ? (v <= 0 || v >= 1) : (v < 0 || v > 1)) { fail(name, v, on ? 'must be in (0, 1)' : 'must be in [0, 1]') }
}

function atLeast (name: string, v: number, min: number, strict: boolean, why = ''): void {
  finite(name, v)
  if (strict ? v <= min : v < min) { fail(name, v, `must be ${strict ? '>' : '≥'} ${min}${why}`) }
}

/** Checks one topic's params; `prefix` names the topic in errors (e.g. `topics["a"].`). */
export function validateTopicScoreParams (p: TopicScoreParams, prefix = ''): void {
  const n = (k: string): string => prefix + k
  weightSign(n('topicWeight'), p.topicWeight, 1)

  weightSign(n('timeInMeshWeight'), p.timeInMeshWeight, 1)
  atLeast(n('timeInMeshQuantum'), p.timeInMeshQuantum, 0, true)
  if (p.timeInMeshWeight !== 0) { atLeast(n('timeInMeshCap'), p.timeInMeshCap, 0, true) }

  weightSign(n('firstMessageDeliveriesWeight'), p.firstMessageDeliveriesWeight, 1)
  const p2 = p.firstMessageDeliveriesWeight !== 0
  decay(n('firstMessageDeliveriesDecay'), p.firstMessageDeliveriesDecay, p2)
  if (p2) { atLeast(n('firstMessageDeliveriesCap'), p.firstMessageDeliveriesCap, 0, true) }

  weightSign(n('meshMessageDeliveriesWeight'), p.meshMessageDeliveriesWeight, -1)
  atLeast(n('meshMessageDeliveriesWindow'), p.meshMessageDeliveriesWindow, 0, false)
  const p3 = p.meshMessageDeliveriesWeight !== 0
  decay(n('meshMessageDeliveriesDecay'), p.meshMessageDeliveriesDecay, p3)
  if (p3) {
    atLeast(n('meshMessageDeliveriesThreshold'), p.meshMessageDeliveriesThreshold, 0, true)
    atLeast(n('meshMessageDeliveriesCap'), p.meshMessageDeliveriesCap, p.meshMessageDeliveriesThreshold, false,
      ' (meshMessageDeliveriesThreshold)')
    atLeast(n('meshMessageDeliveriesActivation'), p.meshMessageDeliveriesActivation, 1000, false)
  }

  weightSign(n('meshFailurePenaltyWeight'), p.meshFailurePenaltyWeight, -1)
  decay(n('meshFailurePenaltyDecay'), p.meshFailurePenaltyDecay, p.meshFailurePenaltyWeight !== 0)

  weightSign(n('invalidMessageDeliveriesWeight'), p.invalidMessageDeliveriesWeight, -1)
  decay(n('invalidMessageDeliveriesDecay'), p.invalidMessageDeliveriesDecay, p.invalidMessageDeliveriesWeight !== 0)
}

/** Checks peer params and every topic's params; throws InvalidPeerScoreParamsError naming the first bad one. */
export function validatePeerScoreParams (p: PeerScoreParams): void {
  if (p.topics == null || typeof p.topics !== 'object') { fail('topics', p.topics, 'must be an object') }
  for (const [topic, tp] of Object.entries(p.topics)) {
    validateTopicScoreParams(tp, `topics[${JSON.stringify(topic)}].`)
  }
  atLeast('topicScoreCap', p.topicScoreCap, 0, false, ' (0 for no cap)')
  if (typeof p.appSpecificScore !== 'function') { fail('appSpecificScore', p.appSpecificScore, 'must be a function') }
  weightSign('appSpecificWeight', p.appSpecificWeight, 1)

  weightSign('IPColocationFactorWeight', p.IPColocationFactorWeight, -1)
  if (p.IPColocationFactorWeight !== 0) { atLeast('IPColocationFactorThreshold', p.IPColocationFactorThreshold, 1, false) }
  for (const cidr of p.IPColocationFactorWhitelist ?? []) {
    if (typeof cidr !== 'string' || parseCidr(cidr) == null) {
      fail('IPColocationFactorWhitelist', cidr, 'must hold IP addresses or CIDR ranges')
    }
  }

  weightSign('behaviourPenaltyWeight', p.behaviourPenaltyWeight, -1)
  atLeast('behaviourPenaltyThreshold', p.behaviourPenaltyThreshold, 0, false)
  decay('behaviourPenaltyDecay', p.behaviourPenaltyDecay, p.behaviourPenaltyWeight !== 0)

  atLeast('decayInterval', p.decayInterval, 1000, false, ' ms')
  finite('decayToZero', p.decayToZero)
  if (p.decayToZero <= 0 || p.decayToZero >= 1) { fail('decayToZero', p.decayToZero, 'must be in (0, 1)') }
  atLeast('retainScore', p.retainScore, 0, false, ' ms')
}
