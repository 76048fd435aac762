// Connected pubsub peers: protocol features, direction, topics, extension state, the per-heartbeat
// IHAVE/IWANT/IDONTWANT counters and the IDONTWANT ids each peer sent us.

import { protocolFeatures } from './features.ts'
import type { ProtocolFeatures } from './features.ts'
import type { TimeCache } from '../cache/time-cache.ts'
import type { ControlExtensions, ControlIHave } from '../types.ts'
import type { ConnectInfo, PeerKey, ScoreProvider } from './types.ts'

export interface PeerState {
  readonly key: PeerKey
  /** what the peer's protocol supports, and the protocol id itself (`features.protocol`) */
  readonly features: ProtocolFeatures
  readonly outbound: boolean
  /** the peer id bytes (author comparison, PX entries) */
  readonly idBytes: Uint8Array
  readonly direct: boolean
  /**
   * Topics the peer subscribed to (see PeerTopics). Bound: maxPeerTopics entries and
   * maxPeerTopicBytes name bytes (excess subscriptions ignored). Pruned: on UNSUBSCRIBE and when
   * the peer is removed.
   */
  topics: PeerTopics
  topicBytes: number
  /** an RPC from this peer has been handled (extensions are read from the first one only) */
  firstRpcSeen: boolean
  /** the extensions the peer advertised in its first RPC */
  extensions: ControlExtensions | undefined
  /** the peer sent us the test extension */
  testExtensionReceived: boolean
  /** IHAVE-bearing RPCs this heartbeat (cap maxIHaveMessages); reset each heartbeat */
  ihaveRpcs: number
  /** ids asked of this peer via IWANT this heartbeat (cap maxIHaveLength); reset each heartbeat */
  iasked: number
  /** IDONTWANT-bearing RPCs this heartbeat (cap idontwantMaxMessages); reset each heartbeat */
  idontwantRpcs: number
  /**
   * ids the peer does not want, expiring idontwantRetentionTicks heartbeats after receipt (the
   * cache's clock is the heartbeat tick). Bound: idontwantMaxStored (oldest dropped). Pruned: each
   * heartbeat, and with the peer. Created on the peer's first IDONTWANT, dropped once empty again.
   */
  dontWant: TimeCache | undefined
  /** scratch mark for set-free exclusion in hot loops (compared against RouterState.epoch) */
  mark: number
  /** the peer's score as read once at the start of the current heartbeat (go does the same) */
  hbScore: number
  /** meshsub, not direct and hbScore ≥ gossipThreshold: may get IHAVE in the current heartbeat */
  hbGossip: boolean
  /**
   * IHAVE gathered for this peer during the current heartbeat (≤ one per gossiped topic); moved
   * into its control message, and cleared, at the end of that heartbeat.
   */
  ihaveOut: ControlIHave[] | undefined
}

/**
 * A peer's topics: an array of exactly its length, replaced on change, while the peer has at most
 * SMALL_TOPICS of them; a Set beyond. Most peers announce one or a few topics, and a Set costs
 * ≈ 150 bytes however few it holds (an array of one topic ≈ 56) — per connected peer.
 */
export type PeerTopics = readonly string[] | ReadonlySet<string>

const NO_TOPICS: readonly string[] = Object.freeze([])
const SMALL_TOPICS = 8

export function hasTopic (topics: PeerTopics, topic: string): boolean {
  return topics instanceof Set ? topics.has(topic) : (topics as readonly string[]).includes(topic)
}

export function topicCount (topics: PeerTopics): number {
  return topics instanceof Set ? topics.size : (topics as readonly string[]).length
}

/** `topics` with `topic` added (the caller checked it is absent); a Set is changed in place. */
export function withTopic (topics: PeerTopics, topic: string): PeerTopics {
  if (topics instanceof Set) { return (topics as Set<string>).add(topic) }
  const list = topics as readonly string[]
  if (list.length >= SMALL_TOPICS) { return new Set(list).add(topic) }
  const next = new Array<string>(list.length + 1)
  for (let i = 0; i < list.length; i++) { next[i] = list[i] }
  next[list.length] = topic
  return next
}

/** `topics` without `topic`, or undefined when it was not there; a Set is changed in place. */
export function withoutTopic (topics: PeerTopics, topic: string): PeerTopics | undefined {
  if (topics instanceof Set) { return (topics as Set<string>).delete(topic) ? topics : undefined }
  const list = topics as readonly string[]
  const at = list.indexOf(topic)
  if (at < 0) { return undefined }
  if (list.length === 1) { return NO_TOPICS }
  const next = new Array<string>(list.length - 1)
  for (let i = 0, j = 0; i < list.length; i++) { if (i !== at) { next[j++] = list[i] } }
  return next
}

/** A peer without topics. */
export function noTopics (): PeerTopics { return NO_TOPICS }

/** The table of connected peers. */
export class PeerTable {
  /** Bound: connected peers (the connection manager's limit). Pruned: removePeer. */
  private readonly peers = new Map<PeerKey, PeerState>()
  private readonly directKeys: ReadonlySet<PeerKey>
  /** connected floodsub peers (they get every message of their topics); a subset of `peers` */
  private readonly flood = new Set<PeerKey>()

  constructor (directPeers: readonly PeerKey[]) {
    this.directKeys = new Set(directPeers)
  }

  /** Adds a peer; undefined when its protocol is not one we speak. */
  add (key: PeerKey, info: ConnectInfo, idBytes: Uint8Array): PeerState | undefined {
    const features = protocolFeatures(info.protocol)
    if (features === undefined) { return undefined }
    const state: PeerState = {
      key,
      features,
      outbound: info.outbound,
      idBytes,
      direct: this.directKeys.has(key),
      topics: NO_TOPICS,
      topicBytes: 0,
      firstRpcSeen: false,
      extensions: undefined,
      testExtensionReceived: false,
      ihaveRpcs: 0,
      iasked: 0,
      idontwantRpcs: 0,
      dontWant: undefined,
      mark: 0,
      hbScore: 0,
      hbGossip: false,
      ihaveOut: undefined
    }
    this.peers.set(key, state)
    if (!features.mesh) { this.flood.add(key) }
    return state
  }

  remove (key: PeerKey): PeerState | undefined {
    const state = this.peers.get(key)
    this.peers.delete(key)
    this.flood.delete(key)
    return state
  }

  get (key: PeerKey): PeerState | undefined {
    return this.peers.get(key)
  }

  has (key: PeerKey): boolean {
    return this.peers.has(key)
  }

  isDirect (key: PeerKey): boolean {
    return this.directKeys.has(key)
  }

  directPeers (): ReadonlySet<PeerKey> {
    return this.directKeys
  }

  floodsubPeers (): ReadonlySet<PeerKey> {
    return this.flood
  }

  values (): IterableIterator<PeerState> {
    return this.peers.values()
  }

  keys (): IterableIterator<PeerKey> {
    return this.peers.keys()
  }

  get size (): number {
    return this.peers.size
  }
}

/**
 * A peer's score: during a heartbeat, the snapshot taken at its start (so per-topic loops over all
 * subscribers do not ask the provider again for every topic); otherwise the provider's value.
 */
export function scoreOf (s: { readonly score: ScoreProvider, readonly scoreSnapshot: boolean }, p: PeerState): number {
  return s.scoreSnapshot ? p.hbScore : s.score.score(p.key)
}

/** True when `a` and `b` hold the same bytes. */
export function bytesEqual (a: Uint8Array | undefined, b: Uint8Array): boolean {
  if (a === undefined || a.length !== b.length) { return false }
  for (let i = a.length - 1; i >= 0; i--) {
    if (a[i] !== b[i]) { return false }
  }
  return true
}
