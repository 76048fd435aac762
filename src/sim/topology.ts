// Graph shapes and link-latency models for the simulator: random regular, random with a degree
// range, clustered graphs, and latency drawn from a distribution or a cluster matrix. Seeded only.

import { shuffle } from '../core/rng.ts'
import type { Rng } from '../core/rng.ts'

/** An undirected edge between node indices. */
export type Edge = [number, number]

/** How a link's base one-way latency (ms) is chosen when the link is made. */
export type LatencyModel =
  | { kind: 'constant', ms: number }
  | { kind: 'uniform', min: number, max: number }
  | { kind: 'normal', mean: number, sd: number, min?: number }
  /** `ms[i][j]`: latency between a node of cluster i and one of cluster j */
  | { kind: 'matrix', ms: number[][] }

/** A standard normal variate (Box–Muller). */
function gauss (rng: Rng): number {
  const u = 1 - rng.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}

export function drawLatency (m: LatencyModel, rng: Rng, clusterA = 0, clusterB = 0): number {
  switch (m.kind) {
    case 'constant': return m.ms
    case 'uniform': return m.min + (m.max - m.min) * rng.next()
    case 'normal': return Math.max(m.min ?? 1, m.mean + m.sd * gauss(rng))
    default: return m.ms[clusterA]?.[clusterB] ?? m.ms[0][0]
  }
}

const pairKey = (a: number, b: number): number => a < b ? a * 0x200000 + b : b * 0x200000 + a

/**
 * A random d-regular graph on n nodes (n·d even): a circulant graph (each node linked to its d/2
 * nearest on both sides of a ring; an odd d adds the opposite node) randomised by
 * degree-preserving double-edge swaps.
 */
export function randomRegular (rng: Rng, n: number, d: number): Edge[] {
  if (d >= n) { return complete(n) }
  const edges: Edge[] = []
  const has = new Set<number>()
  const add = (a: number, b: number): void => { edges.push([a, b]); has.add(pairKey(a, b)) }
  for (let i = 0; i < n; i++) {
    for (let j = 1; j <= d >> 1; j++) { add(i, (i + j) % n) }
    if ((d & 1) === 1 && i < n / 2) { add(i, i + (n >> 1)) }
  }
  swapEdges(rng, edges, has, edges.length * 10)
  return shuffle(rng, edges)
}

/** Randomises `edges` in place keeping every degree (and simplicity). */
function swapEdges (rng: Rng, edges: Edge[], has: Set<number>, rounds: number): void {
  if (edges.length < 2) { return }
  for (let s = 0; s < rounds; s++) {
    const x = rng.int(edges.length)
    const y = rng.int(edges.length)
    const [a, b] = edges[x]
    const [c, e] = edges[y]
    if (a === c || a === e || b === c || b === e || has.has(pairKey(a, c)) || has.has(pairKey(b, e))) { continue }
    has.delete(pairKey(a, b)); has.delete(pairKey(c, e))
    has.add(pairKey(a, c)); has.add(pairKey(b, e))
    edges[x] = [a, c]
    edges[y] = [b, e]
  }
}

export function complete (n: number): Edge[] {
  const edges: Edge[] = []
  for (let i = 0; i < n; i++) { for (let j = i + 1; j < n; j++) { edges.push([i, j]) } }
  return edges
}

/**
 * A random graph where each node dials a uniform number of distinct peers in [min, max]; degrees
 * end at least `min` (inbound dials add to that).
 */
export function randomDegreeRange (rng: Rng, n: number, min: number, max: number): Edge[] {
  const has = new Set<number>()
  const edges: Edge[] = []
  const want = Math.min(n - 1, max)
  for (let i = 0; i < n; i++) {
    const k = Math.min(want, min + rng.int(max - min + 1))
    for (let tries = 0, made = 0; made < k && tries < k * 20; tries++) {
      const j = rng.int(n)
      if (j === i || has.has(pairKey(i, j))) { continue }
      has.add(pairKey(i, j))
      edges.push([i, j])
      made++
    }
  }
  return edges
}

/**
 * `clusters` groups of nodes (node i in cluster i mod clusters), each a random `dIn`-regular
 * graph, plus `bridges` random links from each node to nodes of other clusters.
 */
export function clustered (rng: Rng, n: number, clusters: number, dIn: number, bridges: number): Edge[] {
  const members: number[][] = Array.from({ length: clusters }, () => [])
  for (let i = 0; i < n; i++) { members[i % clusters].push(i) }
  const edges: Edge[] = []
  const has = new Set<number>()
  for (const m of members) {
    for (const [a, b] of randomRegular(rng, m.length, Math.min(dIn, m.length - 1))) {
      edges.push([m[a], m[b]])
      has.add(pairKey(m[a], m[b]))
    }
  }
  if (clusters < 2) { return edges }
  for (let i = 0; i < n; i++) {
    for (let k = 0, tries = 0; k < bridges && tries < bridges * 20; tries++) {
      const j = rng.int(n)
      if (j % clusters === i % clusters || has.has(pairKey(i, j))) { continue }
      has.add(pairKey(i, j))
      edges.push([i, j])
      k++
    }
  }
  return edges
}

/** Connected components of nodes `0..n-1` over `adj` restricted to `alive`; returns a label per node (−1 if dead). */
export function components (n: number, adj: (i: number) => Iterable<number>, alive: (i: number) => boolean): Int32Array {
  const label = new Int32Array(n).fill(-1)
  let next = 0
  const stack: number[] = []
  for (let s = 0; s < n; s++) {
    if (label[s] !== -1 || !alive(s)) { continue }
    label[s] = next
    stack.push(s)
    while (stack.length > 0) {
      const v = stack.pop() as number
      for (const w of adj(v)) {
        if (label[w] === -1 && alive(w)) { label[w] = next; stack.push(w) }
      }
    }
    next++
  }
  return label
}
