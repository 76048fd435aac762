// Turns a ScenarioSpec into a live Sim: honest nodes with real PeerScore on the chosen topology,
// sybils with their behaviours, and the scheduled faults (dawn links, churn, partition and heal).

import { validateRouterConfig } from '../config.ts'
import { shuffle } from '../core/rng.ts'
import { calculatePeerScoreParams } from '../score/helpers.ts'
import { PeerScore } from '../score/peer-score.ts'
import * as adv from './adversary.ts'
import { Sim } from './network.ts'
import { clustered, randomDegreeRange, randomRegular } from './topology.ts'
import type { RouterConfig, RouterOptions } from '../config.ts'
import type { Behaviour, SimNode } from './network.ts'
import type { BehaviourSpec, ScenarioSpec } from './scenario.ts'
import type { Edge } from './topology.ts'
import type { Rng } from '../core/rng.ts'
import type { ScoreCalculation } from '../score/helpers.ts'

export const TOPIC = 'sim'

/** A scenario with every default filled in, plus the run's size overrides. */
export interface Resolved extends Required<Omit<ScenarioSpec, 'attack' | 'churn' | 'partition' | 'slow' | 'dawn'>> {
  attack?: ScenarioSpec['attack']
  churn?: ScenarioSpec['churn']
  partition?: ScenarioSpec['partition']
  slow?: ScenarioSpec['slow']
  dawn?: number
  seed: number
  /** sybil count (0 without an attack) and sybil links per attacked honest node */
  sybils: number
  sybilLinksPerTarget: number
}

export function resolve (spec: ScenarioSpec, seed: number, honest?: number, sybils?: number): Resolved {
  const attackAt = spec.attackAt ?? 60_000
  const r: Resolved = {
    honest: 100,
    degree: 8,
    topology: 'regular',
    latency: { kind: 'constant', ms: 25 },
    jitter: 0.1,
    msgSize: 2048,
    rate: 5,
    duration: 120_000,
    measureFrom: attackAt,
    disruptAt: attackAt,
    targetShare: 0,
    ...spec,
    attackAt,
    seed,
    sybils: 0,
    sybilLinksPerTarget: 0
  }
  if (honest !== undefined) { r.honest = honest }
  const a = r.attack
  if (a !== undefined) {
    const s = Math.max(1, Math.round(r.degree * a.ratio / (1 - a.ratio)))
    const targets = a.target === 'one' ? 1 : r.honest
    r.sybilLinksPerTarget = s
    r.sybils = sybils ?? a.count ?? (a.target === 'one' ? s : Math.max(1, Math.ceil(s * targets / r.degree)))
  }
  return r
}

export interface Built {
  sim: Sim
  honest: SimNode[]
  /** sybil keys, and when each starts attacking */
  sybilKeys: string[]
  slow: Set<string>
  calc: ScoreCalculation
  /** the honest nodes' validated router config */
  config: RouterConfig
  /** [at, heal] of the partition, if any */
  split?: [number, number]
}

const honestKey = (i: number): string => `h${String(i).padStart(4, '0')}`
const sybilKey = (i: number): string => `s${String(i).padStart(4, '0')}`
const ipOf = (base: number, i: number): string => `${base}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`

function behaviour (b: BehaviourSpec, seed: number, target: string): Behaviour {
  switch (b.kind) {
    case 'squatter': return adv.squatter()
    case 'censor': return adv.censor(target)
    case 'degrade': return adv.degrade(b.p ?? 0.5, seed)
    case 'regraft': return adv.regraftInBackoff(TOPIC)
    case 'ihave-spam': return adv.ihaveSpammer(TOPIC, b.perTick ?? 1000)
    case 'iwant-repeat': return adv.iwantRepeater(b.perTick ?? 10)
    case 'idontwant-flood': return adv.idontwantFlooder(b.perTick ?? 1000)
    case 'invalid-spam': return adv.invalidSpammer(TOPIC, b.perTick ?? 20)
    case 'sub-flood': return adv.subscriptionFlooder(b.perTick ?? 200)
    case 'px-spam': return adv.pxSpammer(TOPIC, b.perTick ?? 16)
    case 'hostile-prune': return adv.hostilePrune(TOPIC)
    default: return adv.firstDeliveryGamer(TOPIC)
  }
}

function honestEdges (r: Resolved, rng: Rng, clusters: number): Edge[] {
  if (r.topology === 'range') { return randomDegreeRange(rng, r.honest, Math.ceil(r.degree / 2), r.degree) }
  if (r.topology === 'clustered') { return clustered(rng, r.honest, Math.max(2, clusters), r.degree - 2, 1) }
  return randomRegular(rng, r.honest, r.degree)
}

/** Builds the network of `r` at virtual time 0 and schedules its attack and faults. */
export function build (r: Resolved, timeRpcs: boolean): Built {
  const sybilSet = new Set<string>()
  const sim = new Sim({
    seed: r.seed,
    latency: r.latency,
    jitter: r.jitter,
    timeRpc: timeRpcs ? (from, to) => to.honest && sybilSet.has(from.key) : undefined
  })
  const calc = calculatePeerScoreParams({ topics: { [TOPIC]: { messagesPerSecond: r.rate } } })
  const routerOpts: RouterOptions = { scoreThresholds: calc.thresholds }
  const slow = new Set<string>()
  const slowOpts: RouterOptions = { ...routerOpts, ...r.slow?.router }
  const nSlow = r.slow === undefined ? 0 : Math.max(1, Math.round(r.slow.fraction * r.honest))
  for (const i of shuffle(sim.rng, Array.from({ length: r.honest }, (_, i) => i)).slice(0, nSlow)) { slow.add(honestKey(i)) }
  const clusters = r.latency.kind === 'matrix' ? r.latency.ms.length : 1
  const addHonest = (key: string, i: number): SimNode => {
    const isSlow = slow.has(key)
    const n = sim.addNode({
      key,
      honest: true,
      ip: ipOf(10, i),
      cluster: i % clusters,
      router: isSlow ? slowOpts : routerOpts,
      score: new PeerScore(calc.params, calc.thresholds, { now: sim.now }),
      upBps: isSlow ? r.slow?.bps : 0,
      downBps: isSlow ? r.slow?.bps : 0,
      validationDelay: isSlow ? r.slow?.validationDelay : 0,
      phase: sim.rng.int(1000)
    })
    sim.subscribe(key, TOPIC)
    return n
  }
  const honest = Array.from({ length: r.honest }, (_, i) => addHonest(honestKey(i), i))
  const edges = honestEdges(r, sim.rng, clusters)
  for (const [a, b] of edges) {
    if (r.dawn === undefined) {
      sim.connect(honest[a].key, honest[b].key)
    } else {
      sim.at(sim.rng.int(r.dawn), () => { if (sim.nodes.has(honest[a].key) && sim.nodes.has(honest[b].key)) { sim.connect(honest[a].key, honest[b].key) } })
    }
  }
  const built: Built = { sim, honest, sybilKeys: [], slow, calc, config: validateRouterConfig(routerOpts) }
  addSybils(r, built, sybilSet, routerOpts)
  scheduleFaults(r, built, addHonest)
  return built
}

function addSybils (r: Resolved, b: Built, sybilSet: Set<string>, routerOpts: RouterOptions): void {
  const a = r.attack
  if (a === undefined) { return }
  const { sim, honest } = b
  const target = honest[0].key
  const keys = Array.from({ length: r.sybils }, (_, i) => sybilKey(i))
  for (const k of keys) { sybilSet.add(k) }
  b.sybilKeys = keys
  const join = (): void => {
    keys.forEach((key, i) => {
      const specs = a.mix === true ? [a.behaviours[i % a.behaviours.length]] : a.behaviours
      const behaviours = specs.map(s => adv.after(r.attackAt, behaviour(s, r.seed * 7919 + i, target)))
      sim.addNode({ key, honest: false, ip: a.colocated === true ? adv.SYBIL_IP : ipOf(172, i), router: routerOpts, behaviours, phase: sim.rng.int(1000) })
      sim.subscribe(key, TOPIC)
    })
    const targets = a.target === 'one' ? [honest[0]] : honest
    let next = 0
    for (const t of targets) {
      for (let j = 0; j < r.sybilLinksPerTarget; j++) {
        if (t.alive) { sim.connect(keys[next % keys.length], t.key) }
        next++
      }
    }
    for (const key of keys) {
      for (let j = 0; j < (a.cover ?? 0); j++) {
        const h = honest[sim.rng.int(honest.length)]
        if (h.alive) { sim.connect(key, h.key) }
      }
    }
  }
  if (a.join === 'boot') { join() } else { sim.at(r.attackAt, join) }
}

function scheduleFaults (r: Resolved, b: Built, addHonest: (key: string, i: number) => SimNode): void {
  const { sim } = b
  const linkUp = (n: SimNode): void => {
    const live = [...sim.nodes.values()].filter(x => x.honest && x !== n)
    for (const peer of shuffle(sim.rng, live).slice(0, r.degree)) { sim.connect(n.key, peer.key) }
  }
  const c = r.churn
  if (c !== undefined) {
    const state = { fresh: r.honest }
    const step = (): void => {
      const live = [...sim.nodes.values()].filter(x => x.honest)
      const leaving = live[sim.rng.int(live.length)]
      sim.removeNode(leaving.key)
      if (sim.rng.next() < c.fresh) {
        const i = state.fresh++
        linkUp(addHonest(honestKey(i), i))
      } else {
        sim.at(sim.now + c.downtime, () => { linkUp(addHonest(leaving.key, Number(leaving.key.slice(1)))) })
      }
    }
    for (let t = r.attackAt; t < r.duration - 10_000; t += c.every) { sim.at(t, step) }
  }
  const p = r.partition
  if (p !== undefined) {
    b.split = [r.attackAt, p.heal]
    const cut: Array<[string, string]> = []
    sim.at(r.attackAt, () => {
      const side = new Set(shuffle(sim.rng, b.honest.map(h => h.key)).slice(0, b.honest.length >> 1))
      for (const n of b.honest) {
        for (const peer of [...n.links.keys()]) {
          if (side.has(n.key) && !side.has(peer)) { cut.push([n.key, peer]); sim.disconnect(n.key, peer) }
        }
      }
    })
    sim.at(p.heal, () => {
      for (const [x, y] of cut) { if (sim.nodes.has(x) && sim.nodes.has(y)) { sim.connect(x, y) } }
    })
  }
}
