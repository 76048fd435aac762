// What a run records while it goes (publishes with their eligible receivers, periodic samples of
// meshes, scores and memory) and the figures of the README's Reliability section computed from it at the end.

import { components } from './topology.ts'
import type { RouterConfig } from '../config.ts'
import type { Sim, SimNode } from './network.ts'
import type { RouterSizes } from '../core/router.ts'

export interface Publish {
  idKey: string
  at: number
  origin: string
  /** indices into sim.all of the honest nodes expected to get it (L1 eligibility) */
  eligible: Int32Array
}

export interface Sample {
  t: number
  /** mean and min over honest nodes of the honest share of their mesh */
  meshHonestMean: number
  meshHonestMin: number
  /** fewest honest peers in any honest node's mesh */
  meshHonestPeersMin: number
  /** share of (honest, attacker) links where the honest side graylists the attacker */
  graylisted: number
}

export interface MemSample { t: number, heapUsed: number }

/** Tracks L1 eligibility: honest-connected components, recomputed when the topology changes. */
export class Recorder {
  readonly pubs: Publish[] = []
  readonly samples: Sample[] = []
  readonly mem: MemSample[] = []
  /** attacker key → first sample time every honest neighbour graylisted it / scored it below gossipThreshold */
  readonly graylistedAt = new Map<string, number>()
  readonly belowGossipAt = new Map<string, number>()
  /** max over honest nodes and samples of every state size and counter */
  readonly counterMax: Record<string, number> = {}
  private labels: Int32Array = new Int32Array(0)
  private labelsVersion = -1
  private readonly sim: Sim
  private readonly topic: string
  private readonly heartbeat: number

  constructor (sim: Sim, topic: string, heartbeat: number) {
    this.sim = sim
    this.topic = topic
    this.heartbeat = heartbeat
  }

  private componentLabels (): Int32Array {
    const sim = this.sim
    if (this.labelsVersion !== sim.topoVersion) {
      const all = sim.all
      this.labels = components(all.length, i => {
        const out: number[] = []
        for (const l of all[i].links.values()) {
          const o = l.a === all[i] ? l.b : l.a
          if (o.honest) { out.push(o.idx) }
        }
        return out
      }, i => all[i].alive && all[i].honest)
      this.labelsVersion = sim.topoVersion
    }
    return this.labels
  }

  /** Records a publish by `origin` with the honest nodes L1 expects to deliver it. */
  published (origin: SimNode, idKey: string): void {
    const labels = this.componentLabels()
    const at = this.sim.now
    const ready = at - 2 * this.heartbeat
    const eligible: number[] = []
    for (const n of this.sim.nodes.values()) {
      if (n.honest && n !== origin && n.joinedAt <= ready && labels[n.idx] === labels[origin.idx]) { eligible.push(n.idx) }
    }
    this.pubs.push({ idKey, at, origin: origin.key, eligible: Int32Array.from(eligible) })
  }

  /** Samples meshes and attacker graylisting. */
  sample (attackers: readonly string[], graylistThreshold: number, gossipThreshold: number): void {
    this.samples.push({ t: this.sim.now, ...this.meshShares(), graylisted: this.graylisting(attackers, graylistThreshold, gossipThreshold) })
  }

  private meshShares (): Omit<Sample, 't' | 'graylisted'> {
    const sim = this.sim
    let sum = 0
    let count = 0
    let min = 1
    let minPeers = Infinity
    for (const n of sim.nodes.values()) {
      if (!n.honest) { continue }
      const mesh = n.router.getMeshPeers(this.topic)
      let h = 0
      for (const p of mesh) { if (sim.nodes.get(p)?.honest === true) { h++ } }
      const f = mesh.length === 0 ? 0 : h / mesh.length
      sum += f
      count++
      min = Math.min(min, f)
      minPeers = Math.min(minPeers, h)
    }
    return { meshHonestMean: count === 0 ? 0 : sum / count, meshHonestMin: min, meshHonestPeersMin: minPeers === Infinity ? 0 : minPeers }
  }

  /** Records attackers every honest neighbour graylists (or ignores the gossip of); returns the graylisted share of links. */
  private graylisting (attackers: readonly string[], graylistThreshold: number, gossipThreshold: number): number {
    const sim = this.sim
    let links = 0
    let gray = 0
    for (const a of attackers) {
      const node = sim.nodes.get(a)
      if (node === undefined) { continue }
      let all = true
      let allGossip = true
      for (const l of node.links.values()) {
        const h = l.a === node ? l.b : l.a
        if (!h.honest || h.score === undefined) { continue }
        links++
        const score = h.score.score(a)
        if (score < graylistThreshold) { gray++ } else { all = false }
        if (score >= gossipThreshold) { allGossip = false }
      }
      if (all && !this.graylistedAt.has(a)) { this.graylistedAt.set(a, sim.now) }
      if (allGossip && !this.belowGossipAt.has(a)) { this.belowGossipAt.set(a, sim.now) }
    }
    return links === 0 ? 0 : gray / links
  }

  /** Samples heap use and every honest node's state sizes and counters. */
  sampleState (): void {
    this.mem.push({ t: this.sim.now, heapUsed: process.memoryUsage().heapUsed })
    for (const n of this.sim.nodes.values()) {
      if (!n.honest) { continue }
      for (const [k, v] of Object.entries(n.router.stats())) {
        if (v > (this.counterMax[k] ?? -Infinity)) { this.counterMax[k] = v }
      }
    }
  }
}

/** The config bound each state size must stay within. */
export function counterBounds (c: RouterConfig): Partial<Record<keyof RouterSizes, number>> {
  return {
    maxPeerTopics: c.maxPeerTopics,
    seen: c.seenMaxEntries,
    mcache: c.mcacheMaxMessages,
    mcacheBytes: c.mcacheMaxBytes,
    maxIdontwantPerPeer: c.idontwantMaxStored,
    pendingValidations: c.maxPendingValidations,
    pendingDials: c.maxPendingDials
  }
}

/** p-quantile (0..1) of an ascending array, nearest rank; NaN when empty. */
export function quantile (sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) { return NaN }
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

/** Least-squares slope of y over x (per unit of x). */
export function slope (xs: number[], ys: number[]): number {
  const n = xs.length
  if (n < 2) { return 0 }
  const mx = xs.reduce((a, b) => a + b, 0) / n
  const my = ys.reduce((a, b) => a + b, 0) / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) { num += (xs[i] - mx) * (ys[i] - my); den += (xs[i] - mx) ** 2 }
  return den === 0 ? 0 : num / den
}
