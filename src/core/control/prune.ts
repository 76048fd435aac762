// PRUNE: removing peers from a mesh (with backoff and optional peer exchange), and handling a
// peer's PRUNE: backoff clamped to maxRemoteBackoff, PX accepted from well-scored peers as dials.

import { remoteBackoffMs } from '../backoff.ts'
import { sample } from '../rng.ts'
import type { ControlPrune, PeerInfo } from '../../types.ts'
import type { PeerState } from '../peers.ts'
import type { RouterState } from '../state.ts'

type SendPruneState = Pick<RouterState, 'config' | 'backoff' | 'out' | 'peers' | 'topics' | 'score' | 'rng'>

/** PX entries for a PRUNE of `peer` from `topic`: up to prunePeers other topic peers with score ≥ 0. */
function pxPeers (s: Pick<RouterState, 'config' | 'peers' | 'topics' | 'score' | 'rng'>, peer: PeerState, topic: string): PeerInfo[] {
  const candidates: PeerState[] = []
  for (const [key, p] of s.topics.subscribersOf(topic)) {
    if (key !== peer.key && p.features.mesh && s.score.score(key) >= 0) { candidates.push(p) }
  }
  return sample(s.rng, candidates, s.config.prunePeers).map(p => ({ peerId: p.idBytes }))
}

/**
 * Sends `peer` a PRUNE for `topic` asking for `backoffMs` of backoff, records the same backoff on
 * our side, and attaches PX when asked, enabled (doPX), supported by the peer and its score ≥ 0.
 */
export function sendPrune (s: SendPruneState, peer: PeerState, topic: string, backoffMs: number, px: boolean, now: number): void {
  s.backoff.set(topic, peer.key, now + backoffMs)
  let prune: ControlPrune
  if (!peer.features.px) {
    // a /meshsub/1.0.0 PRUNE carries only the topic (go)
    prune = { topic, peers: [] }
  } else {
    const withPx = px && s.config.doPX && s.score.score(peer.key) >= 0
    prune = { topic, peers: withPx ? pxPeers(s, peer, topic) : [], backoff: Math.ceil(backoffMs / 1000) }
  }
  s.out.control(peer.key).prune.push(prune)
  s.out.trace({ type: 'prune', peer: peer.key, topic, direction: 'out', backoff: backoffMs })
}

/** Removes `peer` from our mesh of `topic` (telling the score) and sends it a PRUNE. */
export function prunePeer (s: SendPruneState & Pick<RouterState, 'mesh'>, peer: PeerState, topic: string, backoffMs: number, px: boolean, now: number): void {
  if (s.mesh.removeFromMesh(topic, peer.key)) { s.score.prune(peer.key, topic, now) }
  sendPrune(s, peer, topic, backoffMs, px, now)
}

type HandlePruneState = Pick<RouterState, 'config' | 'mesh' | 'backoff' | 'score' | 'out' | 'peers' | 'peerIds' | 'dials' | 'rng' | 'localPeer' | 'counters'>

/** Handles the PRUNEs of one RPC. */
export function handlePrune (s: HandlePruneState, peer: PeerState, prunes: ControlPrune[], now: number): void {
  for (const prune of prunes) {
    const { topic } = prune
    // not joined: nothing to leave, and no backoff or PX to take (go)
    if (!s.mesh.isJoined(topic)) { continue }
    if (s.mesh.removeFromMesh(topic, peer.key)) { s.score.prune(peer.key, topic, now) }
    // a GRAFT we gathered earlier in this input (e.g. for its SUBSCRIBE) would now land in its backoff
    s.out.withdrawGraft(peer.key, topic)
    const backoffMs = remoteBackoffMs(prune.backoff, s.config.pruneBackoff, s.config.maxRemoteBackoff)
    s.backoff.set(topic, peer.key, now + backoffMs)
    s.out.trace({ type: 'prune', peer: peer.key, topic, direction: 'in', backoff: backoffMs })
    if (prune.peers.length > 0 && s.score.score(peer.key) >= s.config.scoreThresholds.acceptPXThreshold) {
      acceptPx(s, prune.peers, now)
    }
  }
}

/** Turns PX entries into dial outputs: at most prunePeers, unknown peers only, pending dials bounded. */
function acceptPx (s: Omit<HandlePruneState, 'mesh' | 'backoff' | 'score'>, infos: PeerInfo[], now: number): void {
  const chosen = infos.length > s.config.prunePeers ? sample(s.rng, infos, s.config.prunePeers) : infos
  for (const info of chosen) {
    if (info.peerId === undefined) { continue }
    const key = s.peerIds.toKey(info.peerId)
    if (key === undefined || key === s.localPeer || s.peers.has(key) || s.dials.has(key)) { continue }
    if (s.dials.size >= s.config.maxPendingDials) {
      s.counters.pxDialsDropped++
      continue
    }
    s.dials.add(key, now)
    s.out.emit({ type: 'dial', peer: key, signedPeerRecord: info.signedPeerRecord, reason: 'px' })
  }
}
