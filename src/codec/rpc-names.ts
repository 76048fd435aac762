// The RPC types and codec under `@libp2p/gossipsub/message`'s names (protobuf field names: topicID,
// messageIDs, peerID), converted to and from this codec's domain types. For `meshsub/message`.

import { decodeRpc } from './decode.ts'
import { encodeMessage, encodeRpc } from './encode.ts'
import type { ControlMessage as WireControl, Rpc, WireMessage } from '../types.ts'

/** The whole RPC (this interface is `RPC` itself in `meshsub/message`). */
export interface RpcShape {
  subscriptions: SubOpts[]
  messages: Message[]
  control?: ControlMessage
}

export interface SubOpts { subscribe?: boolean, topic?: string }
export interface Message { from?: Uint8Array, data?: Uint8Array, seqno?: Uint8Array, topic: string, signature?: Uint8Array, key?: Uint8Array }
export interface ControlMessage {
  ihave: ControlIHave[]
  iwant: ControlIWant[]
  graft: ControlGraft[]
  prune: ControlPrune[]
  idontwant: ControlIDontWant[]
}
export interface ControlIHave { topicID?: string, messageIDs: Uint8Array[] }
export interface ControlIWant { messageIDs: Uint8Array[] }
export interface ControlGraft { topicID?: string }
export interface ControlPrune { topicID?: string, peers: PeerInfo[], backoff?: number }
export interface PeerInfo { peerID?: Uint8Array, signedPeerRecord?: Uint8Array }
export interface ControlIDontWant { messageIDs: Uint8Array[] }

/** generous limits: this is an app's own decode, not a remote peer's frame on the hot path */
const LIMITS = { maxSubscriptions: 1 << 18, maxMessages: 1 << 18, maxControlEntries: 1 << 18, maxIHaveIds: 1 << 17, maxIWantIds: 1 << 17, maxIDontWantIds: 1 << 17, maxPeersPerPrune: 1024 }

function toWireControl (c: ControlMessage): WireControl {
  return {
    ihave: (c.ihave ?? []).map(x => ({ topic: x.topicID ?? '', messageIds: x.messageIDs ?? [] })),
    iwant: (c.iwant ?? []).map(x => ({ messageIds: x.messageIDs ?? [] })),
    graft: (c.graft ?? []).map(x => ({ topic: x.topicID ?? '' })),
    prune: (c.prune ?? []).map(x => ({ topic: x.topicID ?? '', backoff: x.backoff, peers: (x.peers ?? []).map(p => ({ peerId: p.peerID, signedPeerRecord: p.signedPeerRecord })) })),
    idontwant: (c.idontwant ?? []).map(x => ({ messageIds: x.messageIDs ?? [] }))
  }
}

function fromWireControl (c: WireControl): ControlMessage {
  return {
    ihave: c.ihave.map(x => ({ topicID: x.topic, messageIDs: x.messageIds })),
    iwant: c.iwant.map(x => ({ messageIDs: x.messageIds })),
    graft: c.graft.map(x => ({ topicID: x.topic })),
    prune: c.prune.map(x => ({ topicID: x.topic, backoff: x.backoff, peers: x.peers.map(p => ({ peerID: p.peerId, signedPeerRecord: p.signedPeerRecord })) })),
    idontwant: c.idontwant.map(x => ({ messageIDs: x.messageIds }))
  }
}

function plainMessage (m: WireMessage): Message {
  return { from: m.from, data: m.data, seqno: m.seqno, topic: m.topic, signature: m.signature, key: m.key }
}

/** Encodes an RPC (protobuf, no length prefix). */
export function encode (obj: Partial<RpcShape>): Uint8Array {
  const rpc: Rpc = { subscriptions: obj.subscriptions ?? [], messages: (obj.messages ?? []).map(plainMessage) }
  if (obj.control !== undefined) { rpc.control = toWireControl(obj.control) }
  return encodeRpc(rpc)
}

/** Decodes an RPC (protobuf, no length prefix); throws a CodecError on malformed bytes. */
export function decode (buf: Uint8Array): RpcShape {
  const { rpc } = decodeRpc(buf, LIMITS)
  const out: RpcShape = {
    subscriptions: rpc.subscriptions.map(s => ({ subscribe: s.subscribe, topic: s.topic })),
    messages: rpc.messages.map(plainMessage)
  }
  if (rpc.control !== undefined) { out.control = fromWireControl(rpc.control) }
  return out
}

/** One Message's codec, as `RPC.Message.encode/decode`. */
// eslint-disable-next-line @typescript-eslint/no-redeclare -- the codec and its type share the name, as in protons output
export const Message = {
  encode: (obj: Partial<Message>): Uint8Array => encodeMessage(plainMessage({ topic: '', ...obj })),
  decode: (buf: Uint8Array): Message => {
    // a Message is field 2 of an RPC: decode it as a one-message RPC
    const frame = new Uint8Array(buf.length + 11)
    frame[0] = 0x12
    let n = 1
    for (let len = buf.length; ; len = Math.floor(len / 128)) {
      frame[n++] = len >= 128 ? (len % 128) | 0x80 : len
      if (len < 128) { break }
    }
    frame.set(buf, n)
    const m = decode(frame.subarray(0, n + buf.length)).messages[0]
    if (m === undefined) { throw new TypeError('not a pubsub Message') }
    return m
  }
}
