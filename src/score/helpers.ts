// Tuning helpers: the decay-factor helper and a calculator that derives score params from plain
// inputs (message rate, mesh degree, penalty duration, topic share), explaining every number.

import { InvalidPeerScoreParamsError } from './errors.ts'
import { createPeerScoreParams, validatePeerScoreParams } from './params.ts'
import { createPeerScoreThresholds, validatePeerScoreThresholds } from './thresholds.ts'
import type { PeerScoreParams, TopicScoreParams } from './params.ts'
import type { PeerScoreThresholds } from './thresholds.ts'

export interface DecayOptions {
  /** ms between decay steps; default 1000 */
  decayInterval?: number
  /** the level at which a counter is zeroed; default 0.1 (our and js's params default; go's helper uses 0.01) */
  decayToZero?: number
}

/**
 * The per-interval decay factor under which a counter of 1 falls to decayToZero after decayTime:
 * factor = decayToZero^(decayInterval / decayTime). A counter c takes decayTime·(1 + log(c)/log(1/decayToZero)).
 */
export function scoreParameterDecay (decayTime: number, opts: DecayOptions = {}): number {
  const decayInterval = opts.decayInterval ?? 1000
  const decayToZero = opts.decayToZero ?? 0.1
  if (!(decayTime > 0) || !Number.isFinite(decayTime)) {
    throw new InvalidPeerScoreParamsError('decayTime', decayTime, 'must be a finite number > 0')
  }
  if (!(decayInterval > 0) || !Number.isFinite(decayInterval)) {
    throw new InvalidPeerScoreParamsError('decayInterval', decayInterval, 'must be a finite number > 0')
  }
  if (!(decayToZero > 0 && decayToZero < 1)) {
    throw new InvalidPeerScoreParamsError('decayToZero', decayToZero, 'must be in (0, 1)')
  }
  return decayToZero ** (decayInterval / decayTime)
}

export interface TopicScoreInputs {
  /** messages per second expected on the topic network-wide; use a lower bound of the steady rate */
  messagesPerSecond: number
  /** mesh degree D; default 6 */
  meshDegree?: number
  /** share of the total topic weight, in (0, 1]; default: what the topics without a share leave, split evenly */
  topicShare?: number
  /** ms a misbehaving peer stays penalised (P3b and P4 fall to zero); default: the calculator's */
  penaltyDuration?: number
  /** near-first window for P3 (ms); default 10 (js and go); keep it below the round-trip of a mesh link */
  meshMessageDeliveriesWindow?: number
  /** false for bursty or idle topics: P3/P3b off, since honest peers cannot meet a rate that is not there */
  steadyTraffic?: boolean
}

export interface ScoreCalculatorInputs {
  topics: Record<string, TopicScoreInputs>
  /** M, the most a peer can earn from all topics (= topicScoreCap); default 40 (2 × opportunisticGraftThreshold 20) */
  maxPositiveScore?: number
  /** ms a misbehaving peer stays penalised; default 3 600 000 (1 h, js's retainScore) */
  penaltyDuration?: number
  /** invalid messages that take a peer with full credit to the graylist; default 10 */
  invalidMessagesToGraylist?: number
  /** ms for full P1 credit; default 3 600 000 */
  timeInMeshToFullCredit?: number
  thresholds?: Partial<PeerScoreThresholds>
  decayInterval?: number
  decayToZero?: number
}

export interface ScoreCalculation {
  params: PeerScoreParams
  thresholds: PeerScoreThresholds
  /** one line per derived number, with its formula */
  explanation: string[]
}

/** How many times the full positive budget M a silent mesh peer loses (P3 at full deficit). */
const P3_OVER_BUDGET = 2
/** Expected first deliveries from one honest mesh peer over the P3 counting horizon. */
const P3_HORIZON_DELIVERIES = 20
/** The P3 threshold as a fraction of an honest peer's steady-state counter. */
const P3_THRESHOLD_FRACTION = 0.25

const round = (x: number): number => Number(x.toPrecision(6))

function bad (param: string, value: unknown, rule: string): never {
  throw new InvalidPeerScoreParamsError(param, value, rule)
}

function shares (topics: Record<string, TopicScoreInputs>): Map<string, number> {
  const out = new Map<string, number>()
  let given = 0
  let unset = 0
  for (const [t, i] of Object.entries(topics)) {
    if (i.topicShare == null) { unset++; continue }
    if (!(i.topicShare > 0 && i.topicShare <= 1)) { bad(`topics[${JSON.stringify(t)}].topicShare`, i.topicShare, 'must be in (0, 1]') }
    given += i.topicShare
  }
  if (given > 1 + 1e-9) { bad('topicShare', given, 'sum over topics must be ≤ 1') }
  const rest = unset > 0 ? (1 - given) / unset : 0
  if (unset > 0 && !(rest > 0)) { bad('topicShare', given, 'leaves no share for topics without one') }
  for (const [t, i] of Object.entries(topics)) { out.set(t, i.topicShare ?? rest) }
  return out
}

interface Shared { M: number, T: number, X: number, fullCredit: number, decayInterval: number, decayToZero: number, graylist: number }

/**
 * One topic's params. With topicWeight s = share, a topic can add at most s·M (half from P1, half
 * from P2), so all topics together add at most M = topicScoreCap: the cap never hides a penalty.
 */
function topicParams (name: string, i: TopicScoreInputs, s: number, c: Shared, why: string[]): TopicScoreParams {
  const r = i.messagesPerSecond
  const D = i.meshDegree ?? 6
  const T = i.penaltyDuration ?? c.T
  if (!(r > 0) || !Number.isFinite(r)) { bad(`topics[${JSON.stringify(name)}].messagesPerSecond`, r, 'must be a finite number > 0') }
  if (!(D >= 1) || !Number.isInteger(D)) { bad(`topics[${JSON.stringify(name)}].meshDegree`, D, 'must be an integer ≥ 1') }
  const decay = (ms: number): number => scoreParameterDecay(ms, c)
  const I = c.decayInterval
  const say = (line: string): void => { why.push(`${name}: ${line}`) }

  const cap1 = Math.max(1, Math.round(c.fullCredit / 1000))
  const w1 = (c.M / 2) / cap1
  say(`topicWeight = share = ${round(s)}; P1: quantum 1 s, cap ${cap1} (full credit after ${c.fullCredit} ms), weight (M/2)/cap = ${round(w1)}`)

  // P2: an honest mesh peer delivers first about r/D messages per second
  const perPeer = r / D
  const decay2 = decay(c.fullCredit)
  const cap2 = Math.max(1, (perPeer * I / 1000) / (1 - decay2))
  const w2 = (c.M / 2) / cap2
  say(`P2: decay over ${c.fullCredit} ms = ${round(decay2)}; cap = steady counter of a peer delivering r/D = ${round(perPeer)}/s first = (r/D·I)/(1−decay) = ${round(cap2)}; weight (M/2)/cap = ${round(w2)}`)

  const steady = i.steadyTraffic ?? true
  const horizon = Math.max(10 * I, Math.ceil(P3_HORIZON_DELIVERIES * 1000 / perPeer))
  const decay3 = decay(horizon)
  const ss3 = (perPeer * I / 1000) / (1 - decay3)
  const thr3 = P3_THRESHOLD_FRACTION * ss3
  const w3 = steady ? -P3_OVER_BUDGET * c.M / (s * thr3 * thr3) : 0
  const activation = Math.max(1000, Math.ceil(horizon / 2))
  // the counter must fall from cap to threshold·(1 − 1/√k) before the deficit outweighs full credit M
  const silentToNegative = horizon * Math.log(ss3 / (thr3 * (1 - 1 / Math.sqrt(P3_OVER_BUDGET)))) / Math.log(1 / c.decayToZero)
  if (steady) {
    say(`P3: horizon H = max(10·I, ${P3_HORIZON_DELIVERIES}/(r/D) s) = ${horizon} ms, decay ${round(decay3)}; steady counter (r/D·I)/(1−decay) = ${round(ss3)}; threshold = ${P3_THRESHOLD_FRACTION}·steady = ${round(thr3)}; cap = steady; activation H/2 = ${activation} ms (the counter reaches ~68% of steady by then)`)
    say(`P3: weight = −${P3_OVER_BUDGET}·M/(s·threshold²) = ${round(w3)}: a silent mesh peer loses ${P3_OVER_BUDGET}·M, more than all it can earn anywhere (first deliveries elsewhere cannot hide it; CVE-2022-47547); one that stops forwarding with a full counter and full credit turns negative after H·ln(cap/(threshold·(1 − 1/√${P3_OVER_BUDGET})))/ln(1/decayToZero) = ${Math.round(silentToNegative)} ms`)
  } else {
    say('P3/P3b: off (steadyTraffic false): an idle topic would push every honest mesh peer negative; a peer silent here is then not penalised for it')
  }
  const decayPen = decay(T)
  const w4 = (c.graylist - c.M) / (s * c.X * c.X)
  say(`P3b: weight = P3 weight, decay over penaltyDuration ${T} ms = ${round(decayPen)}`)
  say(`P4: weight = (graylistThreshold − M)/(s·X²) = ${round(w4)} with X = ${c.X} invalid messages to reach the graylist from full credit; decay ${round(decayPen)}`)
  return {
    topicWeight: s,
    timeInMeshWeight: w1,
    timeInMeshQuantum: 1000,
    timeInMeshCap: cap1,
    firstMessageDeliveriesWeight: w2,
    firstMessageDeliveriesDecay: decay2,
    firstMessageDeliveriesCap: cap2,
    meshMessageDeliveriesWeight: w3,
    meshMessageDeliveriesDecay: decay3,
    meshMessageDeliveriesCap: ss3,
    meshMessageDeliveriesThreshold: thr3,
    meshMessageDeliveriesWindow: i.meshMessageDeliveriesWindow ?? 10,
    meshMessageDeliveriesActivation: activation,
    meshFailurePenaltyWeight: w3,
    meshFailurePenaltyDecay: decayPen,
    invalidMessageDeliveriesWeight: w4,
    invalidMessageDeliveriesDecay: decayPen
  }
}

/**
 * Derives full peer score params and thresholds. The result passes the validators; `explanation`
 * gives each number with its formula. Peer-level terms: P6 weight −M (one peer over the
 * colocation threshold of 10 costs all positive credit), P7 threshold 6 (tolerates occasional
 * broken promises) and weight (graylist − M)/10² (10 penalties beyond it graylist a peer with full
 * credit), penalties decaying over penaltyDuration and retained for it.
 */
export function calculatePeerScoreParams (inputs: ScoreCalculatorInputs): ScoreCalculation {
  const thresholds = createPeerScoreThresholds(inputs.thresholds)
  validatePeerScoreThresholds(thresholds)
  const c: Shared = {
    M: inputs.maxPositiveScore ?? 40,
    T: inputs.penaltyDuration ?? 3_600_000,
    X: inputs.invalidMessagesToGraylist ?? 10,
    fullCredit: inputs.timeInMeshToFullCredit ?? 3_600_000,
    decayInterval: inputs.decayInterval ?? 1000,
    decayToZero: inputs.decayToZero ?? 0.1,
    graylist: thresholds.graylistThreshold
  }
  if (!(c.M > 0) || !Number.isFinite(c.M)) { bad('maxPositiveScore', c.M, 'must be a finite number > 0') }
  if (!(c.X >= 1)) { bad('invalidMessagesToGraylist', c.X, 'must be ≥ 1') }
  if (!(c.fullCredit >= 1000)) { bad('timeInMeshToFullCredit', c.fullCredit, 'must be ≥ 1000 ms') }
  const why: string[] = [`M = maxPositiveScore = topicScoreCap = ${c.M}; decayInterval I = ${c.decayInterval} ms; decayToZero = ${c.decayToZero}`]
  const topics: Record<string, TopicScoreParams> = {}
  for (const [t, s] of shares(inputs.topics)) { topics[t] = topicParams(t, inputs.topics[t], s, c, why) }

  const decayPen = scoreParameterDecay(c.T, c)
  const w7 = (c.graylist - c.M) / 100
  why.push(`P6: weight −M = ${-c.M}, threshold 10 (js); P7: threshold 6, weight (graylist − M)/10² = ${round(w7)}, decay ${round(decayPen)}; retainScore = penaltyDuration = ${c.T} ms`)
  const params = createPeerScoreParams({
    topics,
    topicScoreCap: c.M,
    appSpecificWeight: 1,
    IPColocationFactorWeight: -c.M,
    IPColocationFactorThreshold: 10,
    behaviourPenaltyWeight: w7,
    behaviourPenaltyThreshold: 6,
    behaviourPenaltyDecay: decayPen,
    decayInterval: c.decayInterval,
    decayToZero: c.decayToZero,
    retainScore: c.T
  })
  validatePeerScoreParams(params)
  return { params, thresholds, explanation: why }
}
