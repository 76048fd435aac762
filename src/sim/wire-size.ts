// Wire-size estimate of an RPC for the simulator's bandwidth model: protobuf field overheads
// added to the lengths of topics, ids and payloads. Nothing is encoded.

import type { InRpc, RouterMessage } from '../core/types.ts'

/** Field tags and length prefixes of a Message around its data (signature excluded). */
const MESSAGE_OVERHEAD = 12

function messageBytes (m: RouterMessage): number {
  return MESSAGE_OVERHEAD + (m.data?.length ?? 0) + m.topic.length + (m.from?.length ?? 0) + (m.seqno?.length ?? 0) +
    (m.signature?.length ?? 0) + (m.key?.length ?? 0)
}

function idsBytes (ids: Uint8Array[]): number {
  let b = 0
  for (const id of ids) { b += id.length + 2 }
  return b
}

/** Estimated encoded length of `rpc` including its 4-byte length prefix. */
export function rpcBytes (rpc: InRpc): number {
  let b = 4
  for (const s of rpc.subscriptions) { b += 6 + (s.topic?.length ?? 0) }
  for (const m of rpc.messages) { b += 3 + messageBytes(m) }
  const c = rpc.control
  if (c !== undefined) {
    b += 3
    for (const x of c.ihave) { b += 6 + x.topic.length + idsBytes(x.messageIds) }
    for (const x of c.iwant) { b += 3 + idsBytes(x.messageIds) }
    for (const x of c.graft) { b += 4 + x.topic.length }
    for (const x of c.prune) {
      b += 14 + x.topic.length
      for (const p of x.peers) { b += 4 + (p.peerId?.length ?? 0) + (p.signedPeerRecord?.length ?? 0) }
    }
    for (const x of c.idontwant) { b += 3 + idsBytes(x.messageIds) }
  }
  return b
}
