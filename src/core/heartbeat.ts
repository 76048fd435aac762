// The heartbeat as a composition of spec-named phases (docs/protocol.md §5, go order): housekeeping,
// penalties, direct peer reconnects, per-topic mesh and fanout maintenance, mcache shift.

import { ageDontWant } from './control/idontwant.ts'
import { flushGossip } from './control/ihave.ts'
import { maintainFanout, maintainMesh } from './mesh-maintenance.ts'
import type { RouterState } from './state.ts'

/** Forgets backoffs past their expiry plus slack. */
function sweepBackoff (s: Pick<RouterState, 'backoff'>, now: number): void {
  s.backoff.sweep(now)
}

/** Resets per-heartbeat IHAVE/IWANT/IDONTWANT counters and ages IDONTWANT ids. */
function resetPeerCounters (s: Pick<RouterState, 'peers' | 'config' | 'tick'>): void {
  for (const p of s.peers.values()) {
    p.ihaveRpcs = 0
    p.iasked = 0
    p.idontwantRpcs = 0
    if (p.dontWant !== undefined) { ageDontWant(p, s.tick) }
  }
}

/** A behaviour penalty (P7) for each broken gossip promise of a still connected peer. */
function applyBrokenPromises (s: Pick<RouterState, 'promises' | 'peers' | 'score' | 'out'>, now: number): void {
  for (const [peer, count] of s.promises.takeBroken(now)) {
    if (!s.peers.has(peer)) { continue }
    s.score.addPenalty(peer, count, 'broken-promise')
    s.out.trace({ type: 'promise-broken', peer, count })
  }
}

/** Dials disconnected direct peers on the first heartbeat and every directConnectTicks. */
function reconnectDirectPeers (s: Pick<RouterState, 'peers' | 'config' | 'out' | 'tick'>): void {
  if (s.tick !== 1 && s.tick % s.config.directConnectTicks !== 0) { return }
  for (const key of s.peers.directPeers()) {
    if (!s.peers.has(key)) { s.out.emit({ type: 'dial', peer: key, reason: 'direct' }) }
  }
}

/** Expires seen ids, stale pending validations (as ignored) and unanswered PX dials. */
function expireState (s: Pick<RouterState, 'seen' | 'validation' | 'dials' | 'score' | 'config' | 'out'>, now: number): void {
  s.seen.prune(now)
  s.dials.prune(now)
  for (const p of s.validation.expire(now - s.config.seenTTL)) {
    s.score.ignoreMessage(p.source, p.msg, now)
    s.out.trace({ type: 'reject', peer: p.source, topic: p.msg.topic, idKey: p.msg.idKey, reason: 'ignored' })
  }
}

type HeartbeatState = Pick<RouterState, 'config' | 'topics' | 'mesh' | 'peers' | 'backoff' | 'score' | 'out' | 'rng' |
'mcache' | 'tick' | 'promises' | 'seen' | 'validation' | 'dials' | 'scratch' | 'epoch' | 'gossipOut' | 'scoreSnapshot'>

/** Reads every peer's score once for the mesh and fanout phases, and whether it may get gossip. */
function snapshotScores (s: Pick<RouterState, 'peers' | 'score' | 'scoreSnapshot' | 'config'>): void {
  const threshold = s.config.scoreThresholds.gossipThreshold
  for (const p of s.peers.values()) {
    p.hbScore = s.score.score(p.key)
    p.hbGossip = p.features.mesh && !p.direct && p.hbScore >= threshold
  }
  s.scoreSnapshot = true
}

/** Runs one heartbeat. The caller flushes the gathered control afterwards. */
export function runHeartbeat (s: HeartbeatState, now: number): void {
  s.tick++
  sweepBackoff(s, now)
  resetPeerCounters(s)
  applyBrokenPromises(s, now)
  reconnectDirectPeers(s)
  expireState(s, now)
  snapshotScores(s)
  try {
    for (const topic of s.mesh.meshTopics()) { maintainMesh(s, topic, now) }
    maintainFanout(s, now)
  } finally {
    s.scoreSnapshot = false
  }
  flushGossip(s)
  s.mcache.shift()
  s.out.trace({ type: 'heartbeat', tick: s.tick })
}
