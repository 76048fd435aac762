// Choosing recipients: our own publishes (flood publish, mesh with top-up, fanout, direct and
// floodsub peers) and forwarding of validated messages (mesh, direct, floodsub minus exclusions).

import { topicDegrees } from '../config.ts'
import { bytesEqual, hasTopic } from './peers.ts'
import { sample } from './rng.ts'
import { Priority } from './types.ts'
import type { PeerState } from './peers.ts'
import type { RouterState } from './state.ts'
import type { OutRpc, PeerKey, RouterMessage } from './types.ts'

type ForwardState = Pick<RouterState, 'mesh' | 'peers' | 'topics' | 'out'>

/** True unless `p` is the source, the author, sent us a copy, or said it does not want `msg`. */
function wantsForward (p: PeerState, msg: RouterMessage, source: PeerKey | null, dups: readonly PeerKey[] | undefined): boolean {
  return p.key !== source && !bytesEqual(msg.from, p.idBytes) && dups?.includes(p.key) !== true && p.dontWant?.has(msg.idKey) !== true
}

/**
 * Forwards a validated message to the mesh of its topic, direct peers and floodsub peers subscribed
 * to it, except the source, the author, peers that sent us a copy and IDONTWANT senders.
 * Returns the number of recipients.
 */
export function forwardMessage (s: ForwardState, msg: RouterMessage, source: PeerKey | null, dups: readonly PeerKey[] | undefined): number {
  const rpc: OutRpc = { messages: [msg] }
  const topic = msg.topic
  const mesh = s.mesh.meshOf(topic)
  let n = 0
  if (mesh !== undefined) {
    for (const key of mesh) {
      const p = s.peers.get(key)
      if (p !== undefined && wantsForward(p, msg, source, dups)) {
        s.out.send(key, rpc, Priority.Forward)
        n++
      }
    }
  }
  n += forwardExtra(s, s.peers.directPeers(), msg, source, dups, rpc, mesh)
  n += forwardExtra(s, s.peers.floodsubPeers(), msg, source, dups, rpc, mesh)
  return n
}

/** Forwards to the peers of `keys` (direct or floodsub) that subscribe to the topic and are not in the mesh. */
function forwardExtra (s: ForwardState, keys: ReadonlySet<PeerKey>, msg: RouterMessage, source: PeerKey | null,
  dups: readonly PeerKey[] | undefined, rpc: OutRpc, mesh: ReadonlySet<PeerKey> | undefined): number {
  if (keys.size === 0) { return 0 }
  let n = 0
  for (const key of keys) {
    const p = s.peers.get(key)
    if (p === undefined || mesh?.has(key) === true || !hasTopic(p.topics, msg.topic) || !wantsForward(p, msg, source, dups)) { continue }
    s.out.send(key, rpc, Priority.Forward)
    n++
  }
  return n
}

type PublishState = Pick<RouterState, 'config' | 'mesh' | 'peers' | 'topics' | 'score' | 'out' | 'rng'>

/** Topic peers that speak meshsub, are not direct, not in `exclude`, and score ≥ publishThreshold. */
function publishCandidates (s: PublishState, topic: string, exclude: ReadonlySet<PeerKey>): PeerKey[] {
  const threshold = s.config.scoreThresholds.publishThreshold
  const out: PeerKey[] = []
  for (const [key, p] of s.topics.subscribersOf(topic)) {
    if (!p.features.mesh || p.direct || exclude.has(key) || s.score.score(key) < threshold) { continue }
    out.push(key)
  }
  return out
}

/** Chooses the recipients of our own message (docs/protocol.md §5, Publish); `flood` overrides floodPublish. */
export function selectPublishRecipients (s: PublishState, topic: string, now: number, flood = s.config.floodPublish): Set<PeerKey> {
  const threshold = s.config.scoreThresholds.publishThreshold
  const recipients = new Set<PeerKey>()
  const subscribers = s.topics.subscribersOf(topic)
  if (flood) {
    for (const key of subscribers.keys()) {
      if (s.peers.isDirect(key) || s.score.score(key) >= threshold) { recipients.add(key) }
    }
    return recipients
  }
  const D = topicDegrees(s.config, topic).D
  const mesh = s.mesh.meshOf(topic)
  if (mesh !== undefined) {
    for (const key of mesh) { recipients.add(key) }
    // ours: a thin mesh is topped up so a publish right after joining still reaches D peers
    if (mesh.size < D) {
      for (const key of sample(s.rng, publishCandidates(s, topic, mesh), D - mesh.size)) { recipients.add(key) }
    }
  } else {
    const fanout = s.mesh.touchFanout(topic, now)
    if (fanout.size < D) {
      for (const key of sample(s.rng, publishCandidates(s, topic, fanout), D - fanout.size)) { fanout.add(key) }
    }
    for (const key of fanout) { recipients.add(key) }
  }
  for (const key of s.peers.directPeers()) {
    if (subscribers.has(key)) { recipients.add(key) }
  }
  for (const key of s.peers.floodsubPeers()) {
    if (subscribers.has(key) && s.score.score(key) >= threshold) { recipients.add(key) }
  }
  return recipients
}

/** Sends our own message to `recipients` with publish priority. */
export function sendPublish (s: Pick<RouterState, 'out'>, msg: RouterMessage, recipients: Iterable<PeerKey>): void {
  const rpc: OutRpc = { messages: [msg] }
  for (const key of recipients) { s.out.send(key, rpc, Priority.Publish) }
}
