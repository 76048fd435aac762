// GRAFT: adding peers to a mesh on our initiative, and the rules for a peer's GRAFT
// (docs/protocol.md §5, go's order: unknown topic, in mesh, direct, backoff, negative score, mesh full).

import { topicDegrees } from '../../config.ts'
import { sendPrune } from './prune.ts'
import type { ControlGraft } from '../../types.ts'
import type { PeerState } from '../peers.ts'
import type { RouterState } from '../state.ts'
import type { PeerKey } from '../types.ts'

type GraftState = Pick<RouterState, 'config' | 'mesh' | 'score' | 'out' | 'backoff' | 'peers' | 'topics' | 'rng'>

/** Adds `peer` to our mesh of `topic` and sends it a GRAFT. */
export function graftPeer (s: Pick<RouterState, 'mesh' | 'score' | 'out'>, topic: string, peer: PeerKey, now: number): void {
  if (!s.mesh.addToMesh(topic, peer)) { return }
  s.score.graft(peer, topic, now)
  s.out.control(peer).graft.push({ topic })
  s.out.trace({ type: 'graft', peer, topic, direction: 'out' })
}

/** True when we may graft `peer` into `topic` now: meshsub peer, not direct, no backoff, score ≥ 0. */
export function graftable (s: Pick<RouterState, 'peers' | 'backoff' | 'score'>, topic: string, peer: PeerKey, now: number): boolean {
  const p = s.peers.get(peer)
  return p !== undefined && p.features.mesh && !p.direct && !s.backoff.blocks(topic, peer, now) && s.score.score(peer) >= 0
}

/** Handles the GRAFTs of one RPC. */
export function handleGraft (s: GraftState, peer: PeerState, grafts: ControlGraft[], now: number): void {
  // topics to refuse, with whether that refusal may carry PX
  let refuse: Array<{ topic: string, px: boolean }> | undefined
  let unknownTopic = false
  const key = peer.key
  for (const { topic } of grafts) {
    const mesh = s.mesh.meshOf(topic)
    if (mesh === undefined) {
      // spam hardening (go): ignore silently and offer no PX in this RPC's answers
      unknownTopic = true
      continue
    }
    if (mesh.has(key)) { continue }
    if (peer.direct) {
      (refuse ??= []).push({ topic, px: false })
      continue
    }
    const expiry = s.backoff.expiry(topic, key)
    if (expiry !== undefined && now < expiry) {
      // flood: the GRAFT came within graftFloodThreshold of the backoff's start
      const flood = now < expiry - s.config.pruneBackoff + s.config.graftFloodThreshold
      const count = flood ? 2 : 1
      s.score.addPenalty(key, count, 'graft-backoff')
      s.out.trace({ type: 'penalty', peer: key, cause: 'graft-backoff', count })
      s.backoff.set(topic, key, now + s.config.pruneBackoff)
      ;(refuse ??= []).push({ topic, px: false })
      continue
    }
    if (s.score.score(key) < 0) {
      s.backoff.set(topic, key, now + s.config.pruneBackoff)
      ;(refuse ??= []).push({ topic, px: false })
      continue
    }
    if (mesh.size >= topicDegrees(s.config, topic).Dhi && !peer.outbound) {
      s.backoff.set(topic, key, now + s.config.pruneBackoff)
      ;(refuse ??= []).push({ topic, px: true })
      continue
    }
    s.mesh.addToMesh(topic, key)
    s.score.graft(key, topic, now)
    s.out.trace({ type: 'graft', peer: key, topic, direction: 'in' })
  }
  if (refuse === undefined) { return }
  for (const { topic, px } of refuse) {
    sendPrune(s, peer, topic, s.config.pruneBackoff, px && !unknownTopic, now)
  }
}
