// A gossip-heavy mixed network on every implementation's default message ids: meshsub beside
// @libp2p/gossipsub or go, counting what each kind penalises the other for and what gossip recovered.

import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { seededRandom } from '../../benchmarks/lib/stats.ts'
import { closeAll, eventually, hex, JsNode, MeshsubNode, ProcessNode, sleep, startNode } from './mixed.ts'
import type { AnyNode, Impl } from './mixed.ts'

export interface GossipIdsPlan {
  /** the other implementation, alternating with meshsub */
  other: Impl
  nodes: number
  /** seconds of traffic */
  seconds: number
  /** messages per second, from random publishers */
  rate: number
  seed: number
  /** default StrictSign */
  signaturePolicy?: 'StrictSign' | 'StrictNoSign'
}

/** Counts per direction: `a>b` is what kind a did to (or got from) kind b. */
export type ByDirection = Record<string, number>

export interface GossipIdsReport {
  plan: string
  published: number
  /** deliveries seen / expected (each message at every node but its publisher) */
  delivered: number
  expected: number
  /** broken IWANT promises counted by a node of one kind against a peer of the other (or same) kind */
  brokenPromises: ByDirection
  /** the highest behaviour penalty (P7 counter) sampled, per direction */
  maxPenalty: ByDirection
  /** the lowest score sampled, per direction (meshsub and js only: go reports P7 alone) */
  minScore: ByDirection
  /** messages a node got from a peer of the other kind in answer to its own IWANT, per direction `giver>taker` */
  recovered: ByDirection
}

const TOPIC = 'ids'

/**
 * Both id forms (hex) a signed message can travel under: the spec's from ‖ seqno and
 * `@libp2p/gossipsub`'s protobuf(public key) ‖ seqno, built here from libp2p's own key functions.
 */
function idForms (from: string, seqnoHex: string): string[] {
  const id = peerIdFromString(from)
  const forms = [hex(id.toMultihash().bytes) + seqnoHex]
  if (id.publicKey !== undefined) { forms.push(hex(publicKeyToProtobuf(id.publicKey)) + seqnoHex) }
  return forms
}

/** ids (hex) each node asked each peer for with IWANT: taker → giver → ids */
function iwantsSent (nodes: AnyNode[]): Map<string, Map<string, Set<string>>> {
  const out = new Map<string, Map<string, Set<string>>>()
  const add = (taker: string, giver: string, ids: Iterable<string>): void => {
    const byGiver = out.get(taker) ?? new Map<string, Set<string>>()
    out.set(taker, byGiver)
    const set = byGiver.get(giver) ?? new Set<string>()
    byGiver.set(giver, set)
    for (const id of ids) { set.add(id) }
  }
  for (const n of nodes) {
    if (n instanceof JsNode) {
      // what js sent, and what others asked js for (so meshsub's requests are seen without instrumenting meshsub)
      for (const [giver, ids] of n.iwantOut) { add(n.peerId, giver, ids) }
      for (const [taker, ids] of n.iwantIn) { add(taker, n.peerId, ids) }
    } else if (n instanceof ProcessNode) {
      for (const e of n.peer.events) {
        if (e.event !== 'rpc') { continue }
        const iwant = (e.control as { iwant?: Array<{ messageIDs: string[] }> } | undefined)?.iwant ?? []
        const ids = iwant.flatMap(w => w.messageIDs)
        if (e.dir === 'out') { add(n.peerId, e.peer as string, ids) }
        if (e.dir === 'in') { add(e.peer as string, n.peerId, ids) }
      }
    }
  }
  return out
}

function bump (rec: ByDirection, key: string, v: number, how: 'add' | 'max' | 'min'): void {
  const old = rec[key]
  if (old === undefined) {
    rec[key] = v
  } else if (how === 'add') {
    rec[key] = old + v
  } else {
    rec[key] = how === 'max' ? Math.max(old, v) : Math.min(old, v)
  }
}

/** [[counter, peer], count] of every broken promise meshsub and js nodes counted */
function brokenPromises (nodes: AnyNode[]): Array<[[string, string], number]> {
  const out: Array<[[string, string], number]> = []
  for (const n of nodes) {
    if (n instanceof MeshsubNode) {
      for (const ev of n.traces) {
        if (ev.type === 'promise-broken') { out.push([[n.peerId, ev.peer], ev.count]) }
      }
    }
    if (n instanceof JsNode) {
      for (const [peer, c] of n.brokenPromises) { out.push([[n.peerId, peer], c]) }
    }
  }
  return out
}

/** [giver, taker] of every delivery that answered the taker's IWANT to the giver */
function recoveries (nodes: AnyNode[]): Array<[string, string]> {
  const asked = iwantsSent(nodes)
  const out: Array<[string, string]> = []
  for (const n of nodes) {
    const byGiver = asked.get(n.peerId)
    for (const r of byGiver === undefined ? [] : n.received()) {
      const ids = byGiver?.get(r.receivedFrom)
      // unsigned messages have one id everywhere: sha256(data)
      const forms = r.from === undefined || r.seqno === undefined ? [r.msgId] : idForms(r.from, r.seqno)
      if (ids !== undefined && forms.some(f => ids.has(f))) { out.push([r.receivedFrom, n.peerId]) }
    }
  }
  return out
}

export async function runGossipIds (plan: GossipIdsPlan, log: (line: string) => void = () => {}): Promise<GossipIdsReport> {
  const rand = seededRandom(plan.seed)
  const kinds: Impl[] = Array.from({ length: plan.nodes }, (_, i) => i % 2 === 0 ? 'meshsub' : plan.other)
  const nodes: AnyNode[] = []
  try {
    // a mesh of degree 1 to 2 in a graph of degree ≈ 6, no flood publishing: most nodes get most
    // messages only through IHAVE/IWANT
    // (go requires Dout < D/2 strictly, so with go the mesh is D=2 within 1..3)
    const degree = plan.other === 'go' ? { D: 2, Dlo: 1, Dhi: 3 } : { D: 1, Dlo: 1, Dhi: 2 }
    const opts = { defaults: true, topics: [TOPIC], ...degree, Dout: 0, Dscore: 0, Dlazy: 6, floodPublish: false, traceRpc: plan.other === 'go', signaturePolicy: plan.signaturePolicy }
    for (const [i, impl] of kinds.entries()) {
      const targets = new Set<number>()
      if (i > 0) {
        for (let k = 0; k < 3; k++) { targets.add(Math.floor(rand() * i)) }
      }
      nodes.push(await startNode(impl, opts, [...targets].map(t => nodes[t].addr)))
    }
    const kindOf = new Map(nodes.map(n => [n.peerId, n.impl]))
    await eventually(async () => {
      for (const n of nodes) {
        if ((await n.topicPeers(TOPIC)).length === 0) { return false }
      }
      return true
    }, 30_000, 'every node knows subscribed peers').catch(async (err) => {
      log(`meshes: ${(await Promise.all(nodes.map(async n => `${n.impl}:${(await n.mesh(TOPIC)).length}/${(await n.topicPeers(TOPIC)).length}`))).join(' ')}`)
      throw err
    })
    // a few heartbeats for the meshes (a degree-1 mesh leaves some nodes outside it for a while)
    await sleep(3000)

    const report: GossipIdsReport = {
      plan: `${plan.nodes} nodes meshsub/${plan.other}, ${plan.signaturePolicy ?? 'StrictSign'}, ${plan.seconds} s at ${plan.rate}/s, seed ${plan.seed}`,
      published: 0,
      delivered: 0,
      expected: 0,
      brokenPromises: {},
      maxPenalty: {},
      minScore: {},
      recovered: {}
    }
    const dir = (a: string | Impl, b: string): string => `${kindOf.get(a) ?? a}>${kindOf.get(b) ?? b}`
    const sample = async (): Promise<void> => {
      for (const n of nodes) {
        for (const [peer, p] of Object.entries(await n.penalties())) {
          if (kindOf.has(peer)) { bump(report.maxPenalty, dir(n.peerId, peer), p, 'max') }
        }
        for (const peer of kindOf.keys()) {
          if (peer === n.peerId) { continue }
          if (n instanceof MeshsubNode) { bump(report.minScore, dir(n.peerId, peer), n.pubsub.getScore(peer), 'min') }
          if (n instanceof JsNode) { bump(report.minScore, dir(n.peerId, peer), n.score(peer), 'min') }
        }
      }
    }

    const sampling = { on: true }
    const sampler = (async () => {
      while (sampling.on) {
        await sample()
        await sleep(250)
      }
    })()
    const total = plan.seconds * plan.rate
    const start = Date.now()
    for (let i = 0; i < total; i++) {
      const from = Math.floor(rand() * nodes.length)
      // every third message large enough for IDONTWANT (both routers send it from 1 KiB)
      const data = new Uint8Array(i % 3 === 0 ? 2048 : 200)
      data.set(new TextEncoder().encode(`m${i}#${from}`))
      await nodes[from].publish(TOPIC, data).catch(() => {})
      report.published++
      const due = start + ((i + 1) * 1000) / plan.rate
      if (due > Date.now()) { await sleep(due - Date.now()) }
    }
    const expected = report.published * (nodes.length - 1)
    const count = (): number => nodes.reduce((s, n) => s + n.received().length, 0)
    await eventually(() => count() >= expected, 15_000, 'every delivery').catch(() => {})
    // promises outlive the last IWANT by a few seconds (js 3 s, meshsub 3 s, go 3 s): wait them out
    await sleep(5000)
    sampling.on = false
    await sampler
    await sample()
    report.expected = expected
    report.delivered = count()

    for (const [pair, c] of brokenPromises(nodes)) { bump(report.brokenPromises, dir(pair[0], pair[1]), c, 'add') }
    for (const [giver, taker] of recoveries(nodes)) { bump(report.recovered, dir(giver, taker), 1, 'add') }
    log(`gossip ids: ${report.plan}: delivered ${report.delivered}/${report.expected}; broken promises ${JSON.stringify(report.brokenPromises)}; ` +
      `max P7 ${JSON.stringify(report.maxPenalty)}; min score ${JSON.stringify(report.minScore)}; recovered by IWANT ${JSON.stringify(report.recovered)}`)
    return report
  } finally {
    await closeAll(nodes)
  }
}
