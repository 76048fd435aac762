// The core's vocabulary: the plain-data inputs it takes and outputs it produces, the score provider
// it consults, and the trace events it emits. Pure types; no behaviour lives here.

import type { ControlMessage, SubOpts, WireMessage } from '../types.ts'

/** A peer as the core knows it: the peer id's string form (as `PeerId.toString()` gives). */
export type PeerKey = string

/** A message id as a map key: its bytes as a binary (latin1) string; see `msgIdKey`. */
export type MsgIdKey = string

/** Protocol ids, newest first (docs/protocol.md §1). */
export const FloodsubID = '/floodsub/1.0.0'
export const GossipsubIDv10 = '/meshsub/1.0.0'
export const GossipsubIDv11 = '/meshsub/1.1.0'
export const GossipsubIDv12 = '/meshsub/1.2.0'
export const GossipsubIDv13 = '/meshsub/1.3.0'

/**
 * A message as the router tracks it: the wire message plus its id. `raw` is the encoded Message
 * when known (decoded from a frame, or encoded once by the adapter for an own publish); the adapter
 * splices it into every frame that carries the message.
 */
export interface RouterMessage extends WireMessage {
  id: Uint8Array
  idKey: MsgIdKey
  raw?: Uint8Array
}

/** Send priority classes, most urgent first; the adapter's send queue serves them in this order. */
export const Priority = {
  /** GRAFT, PRUNE, IHAVE, IWANT, IDONTWANT, subscriptions, extensions */
  Control: 0,
  /** messages this node publishes */
  Publish: 1,
  /** messages forwarded from other peers */
  Forward: 2,
  /** messages served in answer to IWANT */
  Gossip: 3
} as const
export type PriorityClass = typeof Priority[keyof typeof Priority]

/** An RPC the core wants sent. Messages carry `raw` when it is known. */
export interface OutRpc {
  subscriptions?: SubOpts[]
  messages?: RouterMessage[]
  control?: ControlMessage
  testExtension?: boolean
}

/** An RPC handed to the core: decoded, with message ids computed by the adapter. */
export interface InRpc {
  subscriptions: SubOpts[]
  messages: RouterMessage[]
  control?: ControlMessage
  testExtension?: boolean
}

export type ValidationResult = 'accept' | 'reject' | 'ignore'

/** Why a message was rejected; the score counts every reason as an invalid delivery (P4). */
export type RejectReason =
  | 'invalid-signature' | 'missing-signature' | 'unexpected-signature' | 'self-origin'
  | 'validator-reject' | 'invalid-topic' | 'too-large'

export interface ConnectInfo {
  /** the negotiated protocol id */
  protocol: string
  /** true when this node dialled the connection */
  outbound: boolean
  /** remote IP address, if known (for IP colocation scoring) */
  ip?: string
  /**
   * our hello goes out on a stream that already carried our ControlExtensions (the peer reopened
   * only its own stream): leave them out, a stream carries them in its first RPC only (go: P7 +10)
   */
  extensionsSent?: boolean
}

export type RouterOutput =
  | { type: 'send', peer: PeerKey, rpc: OutRpc, priority: PriorityClass }
  | { type: 'deliver', msg: RouterMessage, propagationSource: PeerKey | null }
  | { type: 'validate', msg: RouterMessage, propagationSource: PeerKey }
  | { type: 'dial', peer: PeerKey, signedPeerRecord?: Uint8Array, reason: 'px' | 'direct' }
  /** drop any not-yet-sent IWANT reply of this message to this peer (it sent IDONTWANT) */
  | { type: 'cancel', peer: PeerKey, idKey: MsgIdKey }
  | { type: 'trace', event: TraceEvent }

export type TraceEvent =
  | { type: 'add-peer', peer: PeerKey, protocol: string }
  | { type: 'remove-peer', peer: PeerKey }
  | { type: 'join', topic: string }
  | { type: 'leave', topic: string }
  | { type: 'graft', peer: PeerKey, topic: string, direction: 'in' | 'out' }
  | { type: 'prune', peer: PeerKey, topic: string, direction: 'in' | 'out', backoff: number }
  | { type: 'deliver', peer: PeerKey | null, topic: string, idKey: MsgIdKey }
  | { type: 'duplicate', peer: PeerKey, topic: string, idKey: MsgIdKey }
  | { type: 'reject', peer: PeerKey, topic: string, idKey: MsgIdKey, reason: RejectReason | 'ignored' }
  | { type: 'promise-broken', peer: PeerKey, count: number }
  | { type: 'throttled', peer: PeerKey, what: string, count: number }
  /** the subscription changes of one RPC, once applied; those refused over a cap left out */
  | { type: 'subscriptions', peer: PeerKey, subscriptions: readonly SubOpts[] }
  | { type: 'penalty', peer: PeerKey, cause: string, count: number }
  | { type: 'heartbeat', tick: number }

/**
 * What the core asks of peer scoring (docs/protocol.md §6). The core calls the event methods as things
 * happen and reads `score()` when it decides. A zero provider stands in when scoring is off.
 */
export interface ScoreProvider {
  /** the peer's current score */
  score(peer: PeerKey): number
  /** a pubsub peer connected (ip for P6 colocation, when known) */
  addPeer(peer: PeerKey, now: number, ip?: string): void
  /** a pubsub peer disconnected; its counters may be retained for retainScore */
  removePeer(peer: PeerKey, now: number): void
  /** the peer joined our mesh of topic */
  graft(peer: PeerKey, topic: string, now: number): void
  /** the peer left our mesh of topic (a P3 deficit becomes a P3b penalty) */
  prune(peer: PeerKey, topic: string, now: number): void
  /** first copy of a message received from peer; validation is starting */
  validateMessage(peer: PeerKey, msg: RouterMessage, now: number): void
  /** the message validated (Accept) and was delivered; `peer` was its first deliverer */
  deliverMessage(peer: PeerKey, msg: RouterMessage, now: number): void
  /** the message was rejected (P4); Ignore results never reach here */
  rejectMessage(peer: PeerKey, msg: RouterMessage, reason: RejectReason, now: number): void
  /** the message validation was ignored (no penalty; clears near-first bookkeeping) */
  ignoreMessage(peer: PeerKey, msg: RouterMessage, now: number): void
  /** a later copy of a message already seen arrived from peer */
  duplicateMessage(peer: PeerKey, msg: RouterMessage, now: number): void
  /** behaviour penalty (P7): GRAFT in backoff, broken promise, repeated extensions, … */
  addPenalty(peer: PeerKey, count: number, cause: string): void
  /** the earliest time the provider needs `handleTimeout` (decay), or Infinity */
  nextDeadline(): number
  /** decay counters and refresh cached scores when due */
  handleTimeout(now: number): void
}

/**
 * Converts between peer id bytes (as in PeerInfo.peerID) and the core's PeerKey. Injected so the
 * core stays free of libp2p runtime imports; the adapter passes libp2p's peer-id functions, the
 * simulator a trivial mapping. `toKey` returns undefined for bytes that are not a valid peer id.
 */
export interface PeerIdCodec {
  toKey(bytes: Uint8Array): PeerKey | undefined
  toBytes(peer: PeerKey): Uint8Array
}

/** What `Router.publish` reports: who the message was sent to, or why it was not published. */
export interface PublishResult {
  recipients: PeerKey[]
  /** the id was seen already: nothing was sent or recorded */
  duplicate: boolean
  /** `requireRecipients` and nobody to send it to (nor a local delivery): nothing was sent or recorded */
  noPeers: boolean
  /** delivered locally too (emitSelf, and we subscribe to the topic) */
  self: boolean
}

/** Per-call choices of `Router.publish`. */
export interface PublishOptions {
  /** overrides the config's floodPublish for this message */
  floodPublish?: boolean
  /**
   * publish only if there is a recipient or a local delivery; otherwise leave no trace (not seen,
   * not cached), so the caller can report the failure and a retry is not a duplicate. Default false
   */
  requireRecipients?: boolean
}
