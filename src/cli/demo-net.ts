// The demo's local network: N meshsub nodes on 127.0.0.1, a seeded random connected graph dialled
// one link at a time, and the wait for every node's mesh to form.

import { SeededRng } from '../core/rng.ts'
import { createMeshsubNode } from './libp2p-node.ts'
import type { MeshsubNode } from './libp2p-node.ts'
import type { SignaturePolicy } from '../index.ts'

export interface NetOptions {
  nodes: number
  seed: number
  sign: SignaturePolicy
  topic: string
}

/**
 * Undirected links of a connected graph: a ring (connectivity) plus three random chords per node,
 * so the average degree is about 8 and most nodes have more neighbours than D = 6 to choose from.
 */
export function randomGraph (n: number, seed: number): Array<[number, number]> {
  const rng = new SeededRng(seed)
  const seen = new Set<string>()
  const links: Array<[number, number]> = []
  const add = (a: number, b: number): void => {
    if (a === b) { return }
    const key = a < b ? `${a}-${b}` : `${b}-${a}`
    if (seen.has(key)) { return }
    seen.add(key)
    links.push([a, b])
  }
  for (let i = 0; i < n; i++) { add(i, (i + 1) % n) }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) { add(i, rng.int(n)) }
  }
  return links
}

export async function startNodes (opts: NetOptions): Promise<MeshsubNode[]> {
  const nodes: MeshsubNode[] = []
  try {
    for (let i = 0; i < opts.nodes; i++) {
      nodes.push(await createMeshsubNode({ listen: ['/ip4/127.0.0.1/tcp/0'], pubsub: { globalSignaturePolicy: opts.sign } }))
    }
  } catch (err) {
    await stopNodes(nodes)
    throw err
  }
  for (const n of nodes) { n.services.pubsub.subscribe(opts.topic) }
  return nodes
}

/** Dials the links one after another: many simultaneous dials trip libp2p's inbound rate limit. */
export async function dialGraph (nodes: MeshsubNode[], links: Array<[number, number]>): Promise<number> {
  let failed = 0
  for (const [a, b] of links) {
    try {
      await nodes[a].dial(nodes[b].getMultiaddrs()[0], { signal: AbortSignal.timeout(5000) })
    } catch {
      failed++
    }
  }
  return failed
}

/** Each node's neighbour count in the graph. */
export function degrees (n: number, links: Array<[number, number]>): number[] {
  const d = new Array<number>(n).fill(0)
  for (const [a, b] of links) { d[a]++; d[b]++ }
  return d
}

/** Waits until every node's mesh holds min(Dlo, its neighbours) peers; false on timeout. */
export async function waitForMeshes (nodes: MeshsubNode[], topic: string, want: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (nodes.every((n, i) => n.services.pubsub.getMeshPeers(topic).length >= want[i])) { return true }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return false
}

export function meshDegrees (nodes: MeshsubNode[], topic: string): number[] {
  return nodes.map(n => n.services.pubsub.getMeshPeers(topic).length)
}

export async function stopNodes (nodes: MeshsubNode[]): Promise<void> {
  await Promise.allSettled(nodes.map(async n => n.stop()))
}
