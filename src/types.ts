// Wire domain types: the plain-object form of every RPC that crosses the wire (docs/protocol.md §2).
// The codec converts frames to and from these; the core and adapter never see protobuf classes.

/** SubOpts: one subscription change. */
export interface SubOpts {
  subscribe?: boolean
  topic?: string
  /** draft partial-messages extension (field 3) */
  requestsPartial?: boolean
  /** draft partial-messages extension (field 4) */
  supportsSendingPartial?: boolean
}

/** Message as it appears on the wire. Absent optional fields are `undefined`. */
export interface WireMessage {
  from?: Uint8Array
  data?: Uint8Array
  seqno?: Uint8Array
  topic: string
  signature?: Uint8Array
  key?: Uint8Array
}

/**
 * A message decoded from a frame. `raw` is the exact encoded Message (a view into the frame):
 * it keeps unknown fields, which the signature covers, and is spliced as-is when forwarding.
 */
export interface DecodedMessage extends WireMessage {
  raw: Uint8Array
}

export interface ControlIHave {
  topic: string
  messageIds: Uint8Array[]
}

export interface ControlIWant {
  messageIds: Uint8Array[]
}

export interface ControlGraft {
  topic: string
}

export interface PeerInfo {
  /** raw peer id bytes */
  peerId?: Uint8Array
  /** a libp2p signed envelope holding a peer record */
  signedPeerRecord?: Uint8Array
}

export interface ControlPrune {
  topic: string
  peers: PeerInfo[]
  /**
   * Seconds. Decoded from a uint64: values beyond 2^53 lose precision, which is harmless because
   * the core clamps remote backoffs to one hour.
   */
  backoff?: number
}

export interface ControlIDontWant {
  messageIds: Uint8Array[]
}

export interface ControlExtensions {
  /** draft partial-messages extension (field 10) */
  partialMessages?: boolean
  /** interop test extension (field 6492434) */
  testExtension?: boolean
}

export interface ControlMessage {
  ihave: ControlIHave[]
  iwant: ControlIWant[]
  graft: ControlGraft[]
  prune: ControlPrune[]
  idontwant: ControlIDontWant[]
  extensions?: ControlExtensions
}

/** Draft partial-messages extension payload (RPC field 10). */
export interface PartialMessagesExtension {
  topicId?: Uint8Array
  groupId?: Uint8Array
  partialMessage?: Uint8Array
  partsMetadata?: Uint8Array
}

/** An RPC to encode. Messages may be plain wire messages or decoded ones (whose `raw` is spliced). */
export interface Rpc {
  subscriptions: SubOpts[]
  messages: WireMessage[]
  control?: ControlMessage
  partial?: PartialMessagesExtension
  /** present (true) when the RPC carries the empty TestExtension message (field 6492434) */
  testExtension?: boolean
}

/** An RPC as decoded from a frame. */
export interface DecodedRpc extends Rpc {
  messages: DecodedMessage[]
}

/** Creates an empty control message. */
export function emptyControl (): ControlMessage {
  return { ihave: [], iwant: [], graft: [], prune: [], idontwant: [] }
}
