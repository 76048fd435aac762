// IHAVE: emitting gossip about recent messages to peers outside the mesh, and answering a peer's
// IHAVE with an IWANT for unseen ids within the per-heartbeat caps, tracking a gossip promise.

import { topicDegrees } from '../../config.ts'
import { msgIdKey } from '../msgid.ts'
import { sample, shuffle } from '../rng.ts'
import type { ControlIHave } from '../../types.ts'
import type { PeerState } from '../peers.ts'
import type { RouterState } from '../state.ts'
import type { MsgIdKey, PeerKey } from '../types.ts'

type EmitState = Pick<RouterState, 'config' | 'peers' | 'topics' | 'score' | 'out' | 'rng'>

/**
 * Sends IHAVE with `ids` for `topic` to max(Dlazy, gossipFactor × eligible) peers chosen at random
 * among topic peers that are not in `exclude`, not direct, speak meshsub and score ≥ gossipThreshold.
 */
export function emitGossip (s: EmitState, topic: string, ids: Uint8Array[], exclude: ReadonlySet<PeerKey>): void {
  if (ids.length === 0) { return }
  const threshold = s.config.scoreThresholds.gossipThreshold
  const eligible: PeerKey[] = []
  for (const key of s.topics.subscribersOf(topic)) {
    if (exclude.has(key)) { continue }
    const p = s.peers.get(key)
    if (p === undefined || p.direct || !p.features.mesh || s.score.score(key) < threshold) { continue }
    eligible.push(key)
  }
  if (eligible.length === 0) { return }
  const target = Math.max(topicDegrees(s.config, topic).Dlazy, Math.floor(s.config.gossipFactor * eligible.length))
  const chosen = target >= eligible.length ? eligible : sample(s.rng, eligible, target)
  const max = s.config.maxIHaveLength
  for (const key of chosen) {
    // the common case shares one id list among all recipients
    const messageIds = ids.length > max ? sample(s.rng, ids, max) : ids
    s.out.control(key).ihave.push({ topic, messageIds })
  }
}

type HandleState = Pick<RouterState, 'config' | 'mesh' | 'seen' | 'score' | 'out' | 'rng' | 'promises' | 'counters'>

/** Handles the IHAVEs of one RPC: IWANT unseen ids of joined topics, within the caps. */
export function handleIHave (s: HandleState, peer: PeerState, ihaves: ControlIHave[], now: number): void {
  if (s.score.score(peer.key) < s.config.scoreThresholds.gossipThreshold) { return }
  const { maxIHaveMessages, maxIHaveLength } = s.config
  peer.ihaveRpcs++
  if (peer.ihaveRpcs > maxIHaveMessages || peer.iasked >= maxIHaveLength) {
    s.counters.ihaveThrottled++
    s.out.trace({ type: 'throttled', peer: peer.key, what: 'ihave', count: peer.ihaveRpcs })
    return
  }
  let wanted: Map<MsgIdKey, Uint8Array> | undefined
  for (const ihave of ihaves) {
    if (!s.mesh.isJoined(ihave.topic)) { continue }
    const ids = ihave.messageIds
    const n = Math.min(ids.length, maxIHaveLength)
    for (let i = 0; i < n; i++) {
      const key = msgIdKey(ids[i])
      if (s.seen.has(key) || wanted?.has(key) === true) { continue }
      (wanted ??= new Map()).set(key, ids[i])
    }
  }
  if (wanted === undefined) { return }
  let keys = [...wanted.keys()]
  const room = maxIHaveLength - peer.iasked
  if (keys.length > room) { keys = shuffle(s.rng, keys).slice(0, room) }
  peer.iasked += keys.length
  s.out.control(peer.key).iwant.push({ messageIds: keys.map(k => wanted.get(k) as Uint8Array) })
  // one random id of the request stands for the whole promise (spec)
  s.promises.add(peer.key, keys[s.rng.int(keys.length)], now + s.config.iwantFollowupTime)
}
