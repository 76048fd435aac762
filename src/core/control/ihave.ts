// IHAVE: emitting gossip about recent messages to peers outside the mesh, and answering a peer's
// IHAVE with an IWANT for unseen ids within the per-heartbeat caps, tracking a gossip promise.

import { topicDegrees } from '../../config.ts'
import { msgIdKey } from '../msgid.ts'
import { scoreOf } from '../peers.ts'
import { sample, shuffle } from '../rng.ts'
import type { ControlIHave } from '../../types.ts'
import type { PeerState } from '../peers.ts'
import type { RouterState } from '../state.ts'
import type { MsgIdKey, PeerKey } from '../types.ts'

type EmitState = Pick<RouterState, 'config' | 'topics' | 'peers' | 'score' | 'rng' | 'scratch' | 'epoch' | 'gossipOut' | 'scoreSnapshot' | 'mcache'>

/**
 * Gathers IHAVE with the advertised mcache ids of `topic` for max(Dlazy, gossipFactor × eligible)
 * peers chosen at random among topic peers that are not in `exclude`, not direct, speak meshsub
 * and score ≥ gossipThreshold. `flushGossip` moves what was gathered into each peer's control.
 */
export function emitGossip (s: EmitState, topic: string, exclude: ReadonlySet<PeerKey>): void {
  if (!s.mcache.hasGossip(topic)) { return }
  const threshold = s.config.scoreThresholds.gossipThreshold
  // hot path (every topic, every heartbeat): marks instead of set lookups, a reused buffer
  const epoch = ++s.epoch
  for (const key of exclude) {
    const p = s.peers.get(key)
    if (p !== undefined) { p.mark = epoch }
  }
  const eligible = s.scratch
  let n = 0
  const subscribers = s.topics.subscriberList(topic)
  // during a heartbeat the per-peer tests were done once for all topics (snapshotScores)
  const snapshot = s.scoreSnapshot
  for (let i = 0; i < subscribers.length; i++) {
    const p = subscribers[i]
    if (p.mark === epoch || !(snapshot ? p.hbGossip : (!p.direct && p.features.mesh && scoreOf(s, p) >= threshold))) { continue }
    eligible[n++] = p
  }
  const target = Math.min(n, Math.max(topicDegrees(s.config, topic).Dlazy, Math.floor(s.config.gossipFactor * n)))
  // the id list is built only when someone will get it (small meshes often leave nobody eligible)
  if (target === 0) { return }
  const ids = s.mcache.gossipIds(topic)
  if (ids.length === 0) { return }
  const max = s.config.maxIHaveLength
  // one entry shared by every recipient unless the ids must be cut per peer
  const shared = ids.length > max ? undefined : { topic, messageIds: ids }
  for (let i = 0; i < target; i++) {
    // partial Fisher–Yates: position i takes a random one of the remaining candidates
    const j = i + s.rng.int(n - i)
    const p = eligible[j]
    eligible[j] = eligible[i]
    eligible[i] = p
    const entry = shared ?? { topic, messageIds: sample(s.rng, ids, max) }
    if (p.ihaveOut === undefined) {
      p.ihaveOut = [entry]
      s.gossipOut.push(p)
    } else {
      p.ihaveOut.push(entry)
    }
  }
}

/** Moves the IHAVE gathered during the heartbeat into each peer's control message. */
export function flushGossip (s: Pick<RouterState, 'gossipOut' | 'out' | 'peers' | 'scratch'>): void {
  for (const p of s.gossipOut) {
    // a peer removed meanwhile gets nothing
    if (p.ihaveOut !== undefined && s.peers.get(p.key) === p) {
      const control = s.out.control(p.key)
      if (control.ihave.length === 0) { control.ihave = p.ihaveOut } else { control.ihave.push(...p.ihaveOut) }
    }
    p.ihaveOut = undefined
  }
  s.gossipOut.length = 0
  // drop references to peer states that may since have left
  s.scratch.length = 0
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
