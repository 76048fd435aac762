// Scenarios as data: the shape of a simulated run (network, traffic, attack, faults) and the pass
// lines the README's Reliability section sets for it. The catalogue of named scenarios lives in scenarios.ts.

import type { BehaviourName } from './adversary.ts'
import type { RouterOptions } from '../config.ts'
import type { LatencyModel } from './topology.ts'

export interface BehaviourSpec {
  kind: BehaviourName
  /** degrade: drop probability */
  p?: number
  /** spam behaviours: ids, messages, topics or records per tick */
  perTick?: number
}

export interface AttackSpec {
  /** sybils' share of each attacked honest node's connections (0.8 = 4 sybil links per honest one) */
  ratio: number
  /** one honest target (the first honest node) or every honest node */
  target: 'one' | 'all'
  /** sybils connect at boot, or when the attack starts */
  join: 'boot' | 'attack'
  /** what the sybils do from `attackAt` on (before it they behave honestly) */
  behaviours: BehaviourSpec[]
  /** sybil i runs behaviours[i mod n] alone, instead of all of them */
  mix?: boolean
  /** all sybils share one IP address (P6) */
  colocated?: boolean
  /** sybil count when it is not derived from ratio and degree (each still makes its share of the links) */
  count?: number
  /** links each sybil makes to random honest nodes besides its targets */
  cover?: number
}

export interface PassLine {
  /** a numeric figure of the run (see Figures) */
  figure: string
  op: '>=' | '<=' | '<'
  value: number
  /** the value is a multiple of the same figure in the baseline run of the same seed and size */
  relToBaseline?: boolean
  /** the pass line as the README words it */
  text: string
}

export interface ScenarioSpec {
  name: string
  summary: string
  /** honest nodes; default 100 */
  honest?: number
  /** honest-to-honest degree; default 8 */
  degree?: number
  topology?: 'regular' | 'range' | 'clustered'
  latency?: LatencyModel
  /** per-RPC latency variation; default 0.1 */
  jitter?: number
  /** message payload bytes; default 2048 */
  msgSize?: number
  /** messages per second network-wide, published by random honest nodes; default 5 */
  rate?: number
  /** when the attack or fault starts (ms); default 60 000 */
  attackAt?: number
  /** end of the run (ms); default 120 000 */
  duration?: number
  /** first publish counted in delivery figures; default attackAt */
  measureFrom?: number
  /** when disruption starts for the recovery figure; default attackAt */
  disruptAt?: number
  attack?: AttackSpec
  /** honest-to-honest links come up at random times in [0, dawn] ms (sybil links at 0) */
  dawn?: number
  /** one random honest node leaves every `every` ms; a `fresh` share rejoin as new identities, the rest with the same one after `downtime` */
  churn?: { every: number, fresh: number, downtime: number }
  /** 50/50 split of the honest nodes at attackAt; links across close; they re-dial at `heal` */
  partition?: { heal: number }
  /**
   * a share of honest nodes with small bandwidth and slow validation; `router` is what those nodes
   * set on top of the honest nodes' options (a deployment's setting for its slow members)
   */
  slow?: { fraction: number, bps: number, validationDelay: number, router?: RouterOptions }
  /** a share of the published messages comes from the censored target */
  targetShare?: number
  pass: PassLine[]
}
