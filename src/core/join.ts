// JOIN and LEAVE of a topic on local subscribe/unsubscribe: announce the change to every peer,
// build the mesh from fanout peers first then fill to D with GRAFTs sent at once; LEAVE prunes.

import { topicDegrees } from '../config.ts'
import { graftable, graftPeer } from './control/graft.ts'
import { sendPrune } from './control/prune.ts'
import { scoreOf } from './peers.ts'
import { sample } from './rng.ts'
import { Priority } from './types.ts'
import type { RouterState } from './state.ts'
import type { OutRpc, PeerKey } from './types.ts'

type JoinState = Pick<RouterState, 'config' | 'topics' | 'mesh' | 'peers' | 'backoff' | 'score' | 'out' | 'rng' | 'scoreSnapshot'>

function announce (s: Pick<RouterState, 'peers' | 'out'>, topic: string, subscribe: boolean): void {
  const rpc: OutRpc = { subscriptions: [{ subscribe, topic }] }
  for (const key of s.peers.keys()) { s.out.send(key, rpc, Priority.Control) }
}

/** Filters on graft candidates: only outbound peers, only peers scoring above a value. */
export interface CandidateFilter {
  outboundOnly?: boolean
  scoreAbove?: number
}

/** Graftable topic peers not in `exclude` (candidates for a mesh), optionally filtered further. */
export function graftCandidates (s: Pick<RouterState, 'topics' | 'peers' | 'backoff' | 'score' | 'scoreSnapshot'>, topic: string,
  exclude: ReadonlySet<PeerKey>, now: number, filter: CandidateFilter = {}): PeerKey[] {
  const out: PeerKey[] = []
  const outboundOnly = filter.outboundOnly === true
  const minScore = filter.scoreAbove ?? -Infinity
  for (const p of s.topics.subscribersOf(topic).values()) {
    if ((outboundOnly && !p.outbound) || !p.features.mesh || p.direct) { continue }
    const score = scoreOf(s, p)
    if (score >= 0 && score > minScore && !exclude.has(p.key) && !s.backoff.blocks(topic, p.key, now)) { out.push(p.key) }
  }
  return out
}

/** Subscribes locally: announce, take fanout peers first, fill to D, GRAFT right away. */
export function join (s: JoinState, topic: string, now: number): void {
  if (s.topics.mine.has(topic)) { return }
  s.topics.mine.add(topic)
  announce(s, topic, true)
  s.out.trace({ type: 'join', topic })
  const mesh = s.mesh.join(topic)
  const D = topicDegrees(s.config, topic).D
  const fanout = s.mesh.dropFanout(topic)
  if (fanout !== undefined) {
    for (const key of fanout) {
      if (mesh.size >= D) { break }
      if (graftable(s, topic, key, now)) { graftPeer(s, topic, key, now) }
    }
  }
  if (mesh.size < D) {
    for (const key of sample(s.rng, graftCandidates(s, topic, mesh, now), D - mesh.size)) { graftPeer(s, topic, key, now) }
  }
}

/**
 * Unsubscribes locally: PRUNE every mesh peer with the unsubscribe backoff, drop the mesh, then
 * announce. The PRUNEs go out in an RPC before the UNSUBSCRIBE (go's order): rust handles a peer's
 * UNSUBSCRIBE as a prune with its own 60 s backoff and keeps the longer one, so an UNSUBSCRIBE first
 * would make our re-GRAFT after the unsubscribe backoff a penalised GRAFT in backoff.
 */
export function leave (s: JoinState, topic: string, now: number): void {
  if (!s.topics.mine.delete(topic)) { return }
  s.out.trace({ type: 'leave', topic })
  const mesh = s.mesh.leave(topic)
  for (const key of mesh ?? []) {
    s.score.prune(key, topic, now)
    const p = s.peers.get(key)
    if (p !== undefined) { sendPrune(s, p, topic, s.config.unsubscribeBackoff, true, now) }
  }
  s.out.flushControl()
  announce(s, topic, false)
}
