// Domain RPC → protobuf bytes, in two passes (sizes, then one exact allocation and write).
// State: a module-level slot list carrying nested lengths from the size pass to the write pass.

import { Writer, ldSize, utf8Length, varintSize, writeBytes, writeString, writeTag, writeVarint } from './write.ts'
import type {
  ControlExtensions, ControlIHave, ControlMessage, ControlPrune, PartialMessagesExtension, PeerInfo, Rpc, SubOpts,
  WireMessage
} from '../types.ts'

/** 6492434 << 3 | wire type: the interop test extension's field, in RPC (bytes) and ControlExtensions (bool). */
const TAG_TEST_EXTENSION_LEN = 51939474
const TAG_TEST_EXTENSION_BOOL = 51939472
const TEST_EXTENSION_TAG_SIZE = 4
/** 10 << 3 | wire type */
const TAG_PARTIAL = 0x52
const TAG_PARTIAL_MESSAGES = 0x50

/**
 * Lengths computed by the size pass, in the order the write pass consumes them: each nested
 * message's body length (reserved before its children, filled after) and each string's UTF-8
 * length. Encoding is synchronous and never re-entered, so one list serves every call.
 */
const slots: number[] = []
/** slots filled by the size pass / consumed by the write pass (the list itself is kept and reused) */
let sn = 0
let si = 0

function reset (): void {
  sn = 0
  si = 0
}

function record (n: number): number {
  if (sn === slots.length) {
    slots.push(n)
  } else {
    slots[sn] = n
  }
  return sn++
}

function open (): number {
  return record(0)
}

function close (slot: number, n: number): number {
  slots[slot] = n
  return ldSize(1, n)
}

function strField (s: string): number {
  const n = utf8Length(s)
  record(n)
  return ldSize(1, n)
}

function putStr (w: Writer, tag: number, s: string): void {
  const n = slots[si++]
  w.buf[w.pos++] = tag
  writeVarint(w, n)
  writeString(w, s, n)
}

function bytesField (b: Uint8Array): number {
  return ldSize(1, b.length)
}

function putBytes (w: Writer, tag: number, b: Uint8Array): void {
  w.buf[w.pos++] = tag
  writeVarint(w, b.length)
  writeBytes(w, b)
}

/** Opens a nested message in the write pass: tag and the length the size pass recorded. */
function putOpen (w: Writer, tag: number): void {
  w.buf[w.pos++] = tag
  writeVarint(w, slots[si++])
}

function putBool (w: Writer, tag: number, v: boolean): void {
  w.buf[w.pos++] = tag
  w.buf[w.pos++] = v ? 1 : 0
}

/** Backoff is whole seconds ≥ 0; anything else (negative, NaN) is written as 0. */
function backoffValue (b: number): number {
  return b > 0 ? Math.floor(b) : 0
}

// ---- size pass: each returns the field's full size (tag + length + body) ----

export function sizeSubOpts (s: SubOpts): number {
  const slot = open()
  let n = 0
  if (s.subscribe !== undefined) { n += 2 }
  if (s.topic !== undefined) { n += strField(s.topic) }
  if (s.requestsPartial !== undefined) { n += 2 }
  if (s.supportsSendingPartial !== undefined) { n += 2 }
  return close(slot, n)
}

/** A message that carries `raw` (decoded, or encoded once before) is spliced, not re-encoded. */
export function sizeMessage (m: WireMessage): number {
  const raw = (m as { raw?: Uint8Array }).raw
  if (raw instanceof Uint8Array) { return ldSize(1, raw.length) }
  const slot = open()
  return close(slot, messageBodySize(m, true))
}

function messageBodySize (m: WireMessage, withSignature: boolean): number {
  let n = 0
  if (m.from !== undefined) { n += bytesField(m.from) }
  if (m.data !== undefined) { n += bytesField(m.data) }
  if (m.seqno !== undefined) { n += bytesField(m.seqno) }
  n += strField(m.topic)
  if (withSignature) {
    if (m.signature !== undefined) { n += bytesField(m.signature) }
    if (m.key !== undefined) { n += bytesField(m.key) }
  }
  return n
}

function idsSize (ids: Uint8Array[]): number {
  let n = 0
  for (let i = 0; i < ids.length; i++) { n += ldSize(1, ids[i].length) }
  return n
}

function sizeIHave (e: ControlIHave): number {
  const slot = open()
  return close(slot, strField(e.topic) + idsSize(e.messageIds))
}

function sizeIds (ids: Uint8Array[]): number {
  return close(open(), idsSize(ids))
}

export function sizeGraft (topic: string): number {
  const slot = open()
  return close(slot, strField(topic))
}

export function sizePeerInfo (p: PeerInfo): number {
  const slot = open()
  let n = 0
  if (p.peerId !== undefined) { n += bytesField(p.peerId) }
  if (p.signedPeerRecord !== undefined) { n += bytesField(p.signedPeerRecord) }
  return close(slot, n)
}

function sizePrune (e: ControlPrune): number {
  const slot = open()
  let n = strField(e.topic)
  for (let i = 0; i < e.peers.length; i++) { n += sizePeerInfo(e.peers[i]) }
  if (e.backoff !== undefined) { n += 1 + varintSize(backoffValue(e.backoff)) }
  return close(slot, n)
}

export function sizeExtensions (x: ControlExtensions): number {
  const slot = open()
  let n = 0
  if (x.partialMessages !== undefined) { n += 2 }
  if (x.testExtension !== undefined) { n += TEST_EXTENSION_TAG_SIZE + 1 }
  return close(slot, n)
}

/** Size of the control message's body (without its own tag and length). */
function sizeControlBody (c: ControlMessage): number {
  let n = 0
  for (let i = 0; i < c.ihave.length; i++) { n += sizeIHave(c.ihave[i]) }
  for (let i = 0; i < c.iwant.length; i++) { n += sizeIds(c.iwant[i].messageIds) }
  for (let i = 0; i < c.graft.length; i++) { n += sizeGraft(c.graft[i].topic) }
  for (let i = 0; i < c.prune.length; i++) { n += sizePrune(c.prune[i]) }
  for (let i = 0; i < c.idontwant.length; i++) { n += sizeIds(c.idontwant[i].messageIds) }
  if (c.extensions !== undefined) { n += sizeExtensions(c.extensions) }
  return n
}

export function sizePartial (p: PartialMessagesExtension): number {
  const slot = open()
  let n = 0
  if (p.topicId !== undefined) { n += bytesField(p.topicId) }
  if (p.groupId !== undefined) { n += bytesField(p.groupId) }
  if (p.partialMessage !== undefined) { n += bytesField(p.partialMessage) }
  if (p.partsMetadata !== undefined) { n += bytesField(p.partsMetadata) }
  return close(slot, n)
}

/** RPC field 6492434 carrying an empty TestExtension */
export const TEST_EXTENSION_FIELD_SIZE = TEST_EXTENSION_TAG_SIZE + 1

/** Runs one size-pass function on its own (for the splitter), discarding recorded slots. */
export function measure<T> (size: (x: T) => number, x: T): number {
  reset()
  return size(x)
}

export function sizeRpc (rpc: Rpc): number {
  let n = 0
  for (let i = 0; i < rpc.subscriptions.length; i++) { n += sizeSubOpts(rpc.subscriptions[i]) }
  for (let i = 0; i < rpc.messages.length; i++) { n += sizeMessage(rpc.messages[i]) }
  if (rpc.control !== undefined) {
    const slot = open()
    n += close(slot, sizeControlBody(rpc.control))
  }
  if (rpc.partial !== undefined) { n += sizePartial(rpc.partial) }
  if (rpc.testExtension === true) { n += TEST_EXTENSION_FIELD_SIZE }
  return n
}

// ---- write pass: consumes the slots in the order the size pass filled them ----

function putSubOpts (w: Writer, s: SubOpts): void {
  putOpen(w, 0x0a)
  if (s.subscribe !== undefined) { putBool(w, 0x08, s.subscribe) }
  if (s.topic !== undefined) { putStr(w, 0x12, s.topic) }
  if (s.requestsPartial !== undefined) { putBool(w, 0x18, s.requestsPartial) }
  if (s.supportsSendingPartial !== undefined) { putBool(w, 0x20, s.supportsSendingPartial) }
}

function putMessageBody (w: Writer, m: WireMessage, withSignature: boolean): void {
  if (m.from !== undefined) { putBytes(w, 0x0a, m.from) }
  if (m.data !== undefined) { putBytes(w, 0x12, m.data) }
  if (m.seqno !== undefined) { putBytes(w, 0x1a, m.seqno) }
  putStr(w, 0x22, m.topic)
  if (withSignature) {
    if (m.signature !== undefined) { putBytes(w, 0x2a, m.signature) }
    if (m.key !== undefined) { putBytes(w, 0x32, m.key) }
  }
}

function putMessage (w: Writer, m: WireMessage): void {
  const raw = (m as { raw?: Uint8Array }).raw
  if (raw instanceof Uint8Array) {
    putBytes(w, 0x12, raw)
    return
  }
  putOpen(w, 0x12)
  putMessageBody(w, m, true)
}

function putIds (w: Writer, tag: number, ids: Uint8Array[]): void {
  for (let i = 0; i < ids.length; i++) { putBytes(w, tag, ids[i]) }
}

function putPrune (w: Writer, e: ControlPrune): void {
  putOpen(w, 0x22)
  putStr(w, 0x0a, e.topic)
  for (let i = 0; i < e.peers.length; i++) {
    const p = e.peers[i]
    putOpen(w, 0x12)
    if (p.peerId !== undefined) { putBytes(w, 0x0a, p.peerId) }
    if (p.signedPeerRecord !== undefined) { putBytes(w, 0x12, p.signedPeerRecord) }
  }
  if (e.backoff !== undefined) {
    w.buf[w.pos++] = 0x18
    writeVarint(w, backoffValue(e.backoff))
  }
}

function putControl (w: Writer, c: ControlMessage): void {
  putOpen(w, 0x1a)
  for (let i = 0; i < c.ihave.length; i++) {
    putOpen(w, 0x0a)
    putStr(w, 0x0a, c.ihave[i].topic)
    putIds(w, 0x12, c.ihave[i].messageIds)
  }
  for (let i = 0; i < c.iwant.length; i++) {
    putOpen(w, 0x12)
    putIds(w, 0x0a, c.iwant[i].messageIds)
  }
  for (let i = 0; i < c.graft.length; i++) {
    putOpen(w, 0x1a)
    putStr(w, 0x0a, c.graft[i].topic)
  }
  for (let i = 0; i < c.prune.length; i++) { putPrune(w, c.prune[i]) }
  for (let i = 0; i < c.idontwant.length; i++) {
    putOpen(w, 0x2a)
    putIds(w, 0x0a, c.idontwant[i].messageIds)
  }
  const x = c.extensions
  if (x !== undefined) {
    putOpen(w, 0x32)
    if (x.partialMessages !== undefined) { putBool(w, TAG_PARTIAL_MESSAGES, x.partialMessages) }
    if (x.testExtension !== undefined) {
      writeTag(w, TAG_TEST_EXTENSION_BOOL)
      w.buf[w.pos++] = x.testExtension ? 1 : 0
    }
  }
}

function putPartial (w: Writer, p: PartialMessagesExtension): void {
  putOpen(w, TAG_PARTIAL)
  if (p.topicId !== undefined) { putBytes(w, 0x0a, p.topicId) }
  if (p.groupId !== undefined) { putBytes(w, 0x12, p.groupId) }
  if (p.partialMessage !== undefined) { putBytes(w, 0x1a, p.partialMessage) }
  if (p.partsMetadata !== undefined) { putBytes(w, 0x22, p.partsMetadata) }
}

/** Encodes an RPC body (no length prefix). Fields are written in field-number order. */
export function encodeRpc (rpc: Rpc): Uint8Array {
  return encodeRpcWith(rpc, false)
}

/**
 * Encodes an RPC as a whole frame: varint length prefix ‖ body, in one allocation (saves the
 * copy of encodeFrame(encodeRpc(rpc)) on the send path).
 */
export function encodeRpcFrame (rpc: Rpc): Uint8Array {
  return encodeRpcWith(rpc, true)
}

function encodeRpcWith (rpc: Rpc, lengthPrefixed: boolean): Uint8Array {
  reset()
  const size = sizeRpc(rpc)
  const w = new Writer(lengthPrefixed ? varintSize(size) + size : size)
  if (lengthPrefixed) { writeVarint(w, size) }
  for (let i = 0; i < rpc.subscriptions.length; i++) { putSubOpts(w, rpc.subscriptions[i]) }
  for (let i = 0; i < rpc.messages.length; i++) { putMessage(w, rpc.messages[i]) }
  if (rpc.control !== undefined) { putControl(w, rpc.control) }
  if (rpc.partial !== undefined) { putPartial(w, rpc.partial) }
  if (rpc.testExtension === true) {
    writeTag(w, TAG_TEST_EXTENSION_LEN)
    w.buf[w.pos++] = 0
  }
  return w.done()
}

/**
 * Encodes one Message from its fields (its body, as carried in RPC field 2; any `raw` is ignored).
 * Encode once, then set the result as the message's `raw` so every frame splices these bytes.
 */
export function encodeMessage (msg: WireMessage): Uint8Array {
  reset()
  const w = new Writer(messageBodySize(msg, true), true)
  putMessageBody(w, msg, true)
  return w.done()
}

/**
 * The `data` bytes inside `raw`, an encodeMessage output of `msg`: a message built from its fields
 * can then hold its data as a view of its own encoding instead of keeping the caller's buffer alive.
 */
export function dataInEncoded (raw: Uint8Array, msg: WireMessage): Uint8Array | undefined {
  if (msg.data === undefined) { return undefined }
  // putMessageBody writes from (field 1) first, then data (field 2)
  const start = (msg.from === undefined ? 0 : ldSize(1, msg.from.length)) + 1 + varintSize(msg.data.length)
  return raw.subarray(start, start + msg.data.length)
}

/** The ASCII prefix of the bytes a message signature covers (docs/protocol.md §3). */
export const SIGN_PREFIX = new TextEncoder().encode('libp2p-pubsub:')

/** 'libp2p-pubsub:' ‖ the message encoded from its fields without `signature` and `key`. */
export function signedBytesFromFields (msg: WireMessage): Uint8Array {
  reset()
  const w = new Writer(SIGN_PREFIX.length + messageBodySize(msg, false))
  w.buf.set(SIGN_PREFIX, 0)
  w.pos = SIGN_PREFIX.length
  putMessageBody(w, msg, false)
  return w.done()
}
