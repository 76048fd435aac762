// Heartbeat phases per topic (docs/protocol.md §5): mesh maintenance (negative scores, Dlo/D/Dhi, Dscore,
// Dout), opportunistic grafting, fanout maintenance, and the gossip emitted for each.

import { topicDegrees } from '../config.ts'
import { graftPeer } from './control/graft.ts'
import { emitGossip } from './control/ihave.ts'
import { prunePeer } from './control/prune.ts'
import { graftCandidates } from './join.ts'
import { scoreOf } from './peers.ts'
import { sample, shuffle } from './rng.ts'
import type { MeshDegrees } from '../config.ts'
import type { RouterState } from './state.ts'
import type { PeerKey } from './types.ts'

type MaintState = Pick<RouterState, 'config' | 'topics' | 'mesh' | 'peers' | 'backoff' | 'score' | 'out' | 'rng' | 'mcache' | 'tick' | 'scratch' | 'epoch' | 'gossipOut' | 'scoreSnapshot'>

function isOutbound (s: Pick<RouterState, 'peers'>, key: PeerKey): boolean {
  return s.peers.get(key)?.outbound === true
}

function pruneAll (s: MaintState, topic: string, keys: Iterable<PeerKey>, px: boolean, now: number): void {
  for (const key of keys) {
    const p = s.peers.get(key)
    if (p !== undefined) { prunePeer(s, p, topic, s.config.pruneBackoff, px, now) }
  }
}

/** Oversubscription: keep the Dscore best by score, fill to D at random, keep Dout outbound. */
function shrinkMesh (s: MaintState, topic: string, mesh: ReadonlySet<PeerKey>, deg: Readonly<MeshDegrees>, now: number): void {
  const scores = new Map<PeerKey, number>()
  for (const key of mesh) { scores.set(key, s.score.score(key)) }
  const byScore = shuffle(s.rng, [...mesh]).sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0))
  const keep = byScore.slice(0, deg.Dscore)
  const rest = shuffle(s.rng, byScore.slice(deg.Dscore))
  keep.push(...rest.splice(0, deg.D - deg.Dscore))
  let outbound = keep.filter(k => isOutbound(s, k)).length
  for (let i = keep.length - 1; outbound < deg.Dout && i >= 0; i--) {
    if (isOutbound(s, keep[i])) { continue }
    const j = rest.findIndex(k => isOutbound(s, k))
    if (j < 0) { break }
    const [swapIn] = rest.splice(j, 1)
    rest.push(keep[i])
    keep[i] = swapIn
    outbound++
  }
  pruneAll(s, topic, rest, true, now)
}

/** Grafts up to `n` peers among `candidates` chosen at random. */
function graftSome (s: MaintState, topic: string, candidates: PeerKey[], n: number, now: number): void {
  if (n <= 0 || candidates.length === 0) { return }
  for (const key of sample(s.rng, candidates, n)) { graftPeer(s, topic, key, now) }
}

/** Every opportunisticGraftTicks: if the median mesh score is low, graft peers scoring above it. */
function opportunisticGraft (s: MaintState, topic: string, mesh: ReadonlySet<PeerKey>, now: number): void {
  if (s.tick % s.config.opportunisticGraftTicks !== 0 || mesh.size <= 1) { return }
  const scores = [...mesh].map(k => s.score.score(k)).sort((a, b) => a - b)
  const median = scores[Math.floor(scores.length / 2)]
  if (median >= s.config.scoreThresholds.opportunisticGraftThreshold) { return }
  graftSome(s, topic, graftCandidates(s, topic, mesh, now, { scoreAbove: median }), s.config.opportunisticGraftPeers, now)
}

/** The mesh maintenance phase for one joined topic, then its gossip. */
export function maintainMesh (s: MaintState, topic: string, now: number): void {
  const mesh = s.mesh.meshOf(topic)
  if (mesh === undefined) { return }
  const deg = topicDegrees(s.config, topic)
  let negative: PeerKey[] | undefined
  for (const key of mesh) {
    if (s.score.score(key) < 0) { (negative ??= []).push(key) }
  }
  if (negative !== undefined) { pruneAll(s, topic, negative, false, now) }

  if (mesh.size < deg.Dlo) {
    graftSome(s, topic, graftCandidates(s, topic, mesh, now), deg.D - mesh.size, now)
  } else if (mesh.size >= deg.Dhi) {
    shrinkMesh(s, topic, mesh, deg, now)
  }
  if (mesh.size >= deg.Dlo && deg.Dout > 0) {
    let outbound = 0
    for (const key of mesh) { if (isOutbound(s, key)) { outbound++ } }
    if (outbound < deg.Dout) {
      graftSome(s, topic, graftCandidates(s, topic, mesh, now, { outboundOnly: true }), deg.Dout - outbound, now)
    }
  }
  opportunisticGraft(s, topic, mesh, now)
  emitGossip(s, topic, mesh)
}

/** The fanout phase: expire after fanoutTTL, drop departed or low-score peers, refill to D, gossip. */
export function maintainFanout (s: MaintState, now: number): void {
  const threshold = s.config.scoreThresholds.publishThreshold
  for (const topic of [...s.mesh.fanoutTopics()]) {
    const last = s.mesh.lastPublish(topic) ?? 0
    const fanout = s.mesh.fanoutSet(topic)
    if (fanout === undefined || now - last >= s.config.fanoutTTL) {
      s.mesh.dropFanout(topic)
      continue
    }
    const subscribers = s.topics.subscribersOf(topic)
    for (const key of fanout) {
      if (!subscribers.has(key) || s.score.score(key) < threshold) { fanout.delete(key) }
    }
    const D = topicDegrees(s.config, topic).D
    if (fanout.size < D) {
      const candidates: PeerKey[] = []
      for (const [key, p] of subscribers) {
        if (p.features.mesh && !p.direct && !fanout.has(key) && scoreOf(s, p) >= threshold) { candidates.push(key) }
      }
      for (const key of sample(s.rng, candidates, D - fanout.size)) { fanout.add(key) }
    }
    emitGossip(s, topic, fanout)
  }
}
