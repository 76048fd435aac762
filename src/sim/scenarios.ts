// The catalogue of named scenarios (the README's Reliability section) with their pass lines. Every scenario is plain
// data: 100 honest nodes on a random 8-regular graph, 25 ms ± 10% links, 2 KiB messages at 5/s.

import type { PassLine, ScenarioSpec } from './scenario.ts'

const l1: PassLine[] = [
  { figure: 'delivery3s', op: '>=', value: 0.999, text: '≥ 99.9% of deliveries within 3 s' },
  { figure: 'delivery6s', op: '>=', value: 1, text: '100% within 6 s' }
]
/** what the other 95% of a network with slow peers keep */
const slowOthers: PassLine[] = [
  { figure: 'deliveryOthers3s', op: '>=', value: 1, text: 'among the other 95%: 100% delivered within 3 s' },
  { figure: 'p99Others', op: '<=', value: 1.1, relToBaseline: true, text: 'others\' p99 ≤ 1.1× baseline' }
]

/**
 * The mesh degrees of a leaf: a node that cannot forward within the P3 window (slow link or slow
 * validation) joins no mesh, so no peer scores its lateness, and pulls every message by IWANT.
 */
export const leaf = { D: 0, Dlo: 0, Dhi: 0, Dscore: 0, Dout: 0 } as const

/** the squatting scenarios: honest meshes recovered within 60 s, then the L1 lines */
const recovered: PassLine[] = [{ figure: 'recovery', op: '<=', value: 60_000, text: 'recovery ≤ 60 s' }, ...l1]

const eclipse = (target: 'one' | 'all', ratio: number): ScenarioSpec => ({
  name: `eclipse-${target === 'one' ? 'target' : 'network'}-${Math.round(ratio * 100)}`,
  summary: `${Math.round(ratio * 100)}% of ${target === 'one' ? 'one target\'s' : 'every honest node\'s'} connections go to sybils that connect at 60 s, GRAFT, and never forward or gossip (squatters)`,
  attack: { ratio, target, join: 'attack', behaviours: [{ kind: 'squatter' }], cover: target === 'one' ? 2 : 0 },
  pass: target === 'one' ? [...l1, { figure: 'targetDelivery3s', op: '>=', value: 0.999, text: 'the target itself ≥ 99.9% within 3 s' }] : l1
})

export const scenarios: ScenarioSpec[] = [
  {
    name: 'baseline',
    summary: 'no adversaries: steady traffic on a settled network',
    measureFrom: 10_000,
    duration: 60_000,
    pass: [
      { figure: 'delivery3s', op: '>=', value: 1, text: '100% delivered within 3 s' },
      { figure: 'p99', op: '<', value: 1000, text: 'p99 < 1 s' }
    ]
  },
  eclipse('one', 0.3), eclipse('one', 0.5), eclipse('one', 0.8),
  eclipse('all', 0.3), eclipse('all', 0.5), eclipse('all', 0.8),
  {
    name: 'censorship',
    summary: 'sybils on 50% of connections from boot forward everything but the target publisher\'s messages from 60 s; the target publishes 20% of traffic',
    targetShare: 0.2,
    attack: { ratio: 0.5, target: 'all', join: 'boot', behaviours: [{ kind: 'censor' }] },
    pass: [...l1, { figure: 'targetMessagesDelivery3s', op: '>=', value: 0.999, text: 'the target\'s messages ≥ 99.9% within 3 s' }]
  },
  {
    name: 'degradation',
    summary: 'sybils on 50% of connections from boot drop half of what they should forward from 60 s',
    attack: { ratio: 0.5, target: 'all', join: 'boot', behaviours: [{ kind: 'degrade', p: 0.5 }] },
    pass: l1
  },
  {
    name: 'cold-boot',
    summary: 'honest nodes and squatting sybils (50% of connections) all start at 0 with no scores',
    attackAt: 0,
    measureFrom: 60_000,
    attack: { ratio: 0.5, target: 'all', join: 'boot', behaviours: [{ kind: 'squatter' }] },
    pass: recovered
  },
  {
    name: 'attack-at-dawn',
    summary: 'squatting sybils (50% of connections) are linked at 0; honest nodes find each other over the first 10 s',
    attackAt: 0,
    measureFrom: 60_000,
    dawn: 10_000,
    attack: { ratio: 0.5, target: 'all', join: 'boot', behaviours: [{ kind: 'squatter' }] },
    pass: recovered
  },
  {
    name: 'covert-flash',
    summary: 'sybils on 50% of connections behave well from boot, earning score, then all squat at 60 s',
    attack: { ratio: 0.5, target: 'all', join: 'boot', behaviours: [{ kind: 'squatter' }] },
    pass: recovered
  },
  {
    name: 'ip-colocation',
    summary: '20 honest-behaving sybils on one IP connect to every honest node at 60 s (20 of each honest node\'s 28 connections)',
    attack: { ratio: 20 / 28, count: 20, target: 'all', join: 'attack', behaviours: [], colocated: true },
    pass: [
      { figure: 'colocatedNegativeAtFirstRefresh', op: '>=', value: 1, text: 'sybils negative at first refresh' },
      ...l1
    ]
  },
  {
    name: 'squatters',
    summary: 'squatters on 50% of connections join at 60 s',
    attack: { ratio: 0.5, target: 'all', join: 'attack', behaviours: [{ kind: 'squatter' }] },
    pass: [{ figure: 'meshHonestPeersMin', op: '>=', value: 3, text: 'each honest mesh keeps ≥ 3 honest peers' }, ...l1]
  },
  {
    name: 'spam',
    summary: 'sybils on 20% of connections join at 60 s, each running one spam behaviour: IHAVE with bogus ids, IWANT repeats, IDONTWANT floods, invalid messages, subscription floods, PX records, hostile PRUNE, re-GRAFT in backoff',
    attack: {
      ratio: 0.2,
      target: 'all',
      join: 'attack',
      mix: true,
      behaviours: [
        { kind: 'ihave-spam', perTick: 5000 }, { kind: 'iwant-repeat', perTick: 10 }, { kind: 'idontwant-flood', perTick: 5000 },
        { kind: 'invalid-spam', perTick: 50 }, { kind: 'sub-flood', perTick: 500 }, { kind: 'px-spam', perTick: 64 },
        { kind: 'hostile-prune' }, { kind: 'regraft' }
      ]
    },
    pass: [
      { figure: 'delivery3s', op: '>=', value: 0.999, text: 'honest delivery ≥ 99.9%' },
      { figure: 'p99', op: '<=', value: 1.2, relToBaseline: true, text: 'p99 ≤ 1.2× baseline' },
      { figure: 'timeToGraylist', op: '<=', value: 5000, text: 'attackers graylisted ≤ 5 s' },
      { figure: 'countersWithinBounds', op: '>=', value: 1, text: 'every state counter within its bound' }
    ]
  },
  {
    name: 'churn',
    summary: 'from 60 s one honest node leaves every 2 s; half rejoin as new identities at once, half with the same identity 5 s later',
    churn: { every: 2000, fresh: 0.5, downtime: 5000 },
    pass: l1
  },
  {
    name: 'partition',
    summary: 'a 50/50 split of the honest nodes at 60 s (links across close), healed at 90 s by re-dialling',
    partition: { heal: 90_000 },
    pass: [
      { figure: 'deliveryDuringSplit', op: '>=', value: 1, text: 'L1 inside each side (publishes from 2 heartbeats after the split)' },
      { figure: 'deliveryAfterHeal', op: '>=', value: 1, text: 'L1 again within 5 s of healing' }
    ]
  },
  {
    name: 'slow-peers',
    summary: '5% of honest nodes have 1 Mbit/s up and down and validate in 200 ms; they run as leaves (D = Dlo = Dhi = Dscore = Dout = 0: no mesh, messages pulled through IHAVE/IWANT, own publishes flooded)',
    slow: { fraction: 0.05, bps: 1_000_000, validationDelay: 200, router: leaf },
    pass: [
      ...slowOthers,
      { figure: 'slowDelivery6s', op: '>=', value: 0.99, text: 'the slow nodes themselves: ≥ 99% within 6 s' },
      { figure: 'slowDelivery30s', op: '>=', value: 1, text: 'the slow nodes themselves: 100% within 30 s' },
      { figure: 'slowOriginDelivery3s', op: '>=', value: 1, text: 'the slow nodes\' own publishes reach every other honest node within 3 s' }
    ]
  },
  {
    name: 'slow-peers-default',
    summary: 'the slow-peers network with the slow nodes on the default mesh degrees: they deliver after the P3 window, are pruned with a P3b penalty and get almost nothing (reported, not a pass line)',
    slow: { fraction: 0.05, bps: 1_000_000, validationDelay: 200 },
    pass: slowOthers
  }
]

export function scenarioByName (name: string): ScenarioSpec | undefined {
  return scenarios.find(s => s.name === name)
}

/**
 * The same scenario on a timeline scaled by `factor` (attack, measurement, heal and end times), for
 * CI: 0.5 puts the attack at 30 s of a 60 s run.
 */
export function scaledTimeline (spec: ScenarioSpec, factor: number): ScenarioSpec {
  const attackAt = spec.attackAt ?? 60_000
  const k = (t: number): number => Math.round(t * factor)
  return {
    ...spec,
    attackAt: k(attackAt),
    duration: k(spec.duration ?? 120_000),
    measureFrom: k(spec.measureFrom ?? attackAt),
    disruptAt: k(spec.disruptAt ?? attackAt),
    ...(spec.partition === undefined ? {} : { partition: { heal: k(spec.partition.heal) } })
  }
}
