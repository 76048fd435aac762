// Frame → DecodedRpc: one pass over the bytes with soft caps (skip and count) and hard caps
// (reject). State: a per-call read position and tallies; ids and bytes are views into the frame.

import { CodecError, malformed, overLimit } from './errors.ts'
import { resolveLimits, zeroSkips } from './limits.ts'
import {
  Cursor, WIRE_LEN, WIRE_VARINT, expectWire, readBool, readBytes, readLenEnd, readString, readTag, readVarint,
  skipField, view
} from './read.ts'
import type { DecodeLimits, SkipCounts } from './limits.ts'
import type {
  ControlExtensions, ControlIHave, ControlMessage, ControlPrune, DecodedMessage, DecodedRpc, PartialMessagesExtension, PeerInfo, SubOpts
} from '../types.ts'

export interface DecodeResult {
  rpc: DecodedRpc
  /** entries skipped over the soft caps; a shared all-zero object when nothing was skipped */
  skipped: Readonly<SkipCounts>
}

const TEST_EXTENSION_FIELD = 6492434
const NO_SKIPS: Readonly<SkipCounts> = Object.freeze(zeroSkips())

/** The read position plus running totals over one frame, for the per-RPC caps. One per call. */
class State extends Cursor {
  readonly lim: Readonly<DecodeLimits>
  skips: SkipCounts | undefined
  subscriptions = 0
  messages = 0
  ihave = 0
  iwant = 0
  graft = 0
  prune = 0
  idontwant = 0
  ids = 0
  idontwantIds = 0

  constructor (frame: Uint8Array, lim: Readonly<DecodeLimits>) {
    super(frame)
    this.lim = lim
    this.skips = undefined
  }

  skip (kind: keyof SkipCounts): void {
    this.skips ??= zeroSkips()
    this.skips[kind]++
  }
}

/**
 * Decodes one RPC body (without its length prefix). Never throws anything but CodecError.
 * Returned ids, bytes fields and each message's `raw` are views into `frame`: they keep it alive
 * and change if the caller reuses the buffer (a message small against a buffer over 64 KiB is
 * decoded from its own copy instead; see pinsLargeBuffer).
 */
export function decodeRpc (frame: Uint8Array, limits?: Partial<DecodeLimits>): DecodeResult {
  const s = new State(frame, resolveLimits(limits))
  try {
    const rpc = decodeBody(s, frame.length)
    return { rpc, skipped: s.skips ?? NO_SKIPS }
  } catch (err) {
    if (err instanceof CodecError) { throw err }
    // defensive: a bug in this decoder must not surface as a foreign exception
    throw malformed('internal', 0, String(err))
  }
}

function decodeBody (c: State, end: number): DecodedRpc {
  const rpc: DecodedRpc = {
    subscriptions: [],
    messages: [],
    control: undefined,
    partial: undefined,
    testExtension: undefined
  }
  const lim = c.lim
  while (c.pos < end) {
    readTag(c, end)
    switch (c.field) {
      case 1: {
        expectWire(c, WIRE_LEN)
        const stop = readLenEnd(c, end)
        if (++c.subscriptions > lim.hardMaxEntries) { throw overLimit('hardMaxEntries', c.subscriptions, lim.hardMaxEntries) }
        if (c.subscriptions > lim.maxSubscriptions) {
          c.skip('subscriptions')
        } else {
          rpc.subscriptions.push(decodeSubOpts(c, stop, lim))
        }
        c.pos = stop
        break
      }
      case 2: {
        expectWire(c, WIRE_LEN)
        const stop = readLenEnd(c, end)
        if (++c.messages > lim.hardMaxEntries) { throw overLimit('hardMaxEntries', c.messages, lim.hardMaxEntries) }
        if (c.messages > lim.maxMessages) {
          c.skip('messages')
        } else if (pinsLargeBuffer(c, stop)) {
          // the message outlives the frame (mcache, validation): a view would pin the whole buffer
          rpc.messages.push(decodeMessage(new Cursor(c.buf.slice(c.pos, stop)), stop - c.pos, lim))
        } else {
          rpc.messages.push(decodeMessage(c, stop, lim))
        }
        c.pos = stop
        break
      }
      case 3:
        expectWire(c, WIRE_LEN)
        rpc.control ??= { ihave: [], iwant: [], graft: [], prune: [], idontwant: [], extensions: undefined }
        decodeControl(c, readLenEnd(c, end), rpc.control)
        break
      case 10:
        expectWire(c, WIRE_LEN)
        rpc.partial = decodePartial(c, readLenEnd(c, end), lim, rpc.partial)
        break
      case TEST_EXTENSION_FIELD:
        // TestExtension is an empty message: its content (unknown fields) is skipped
        expectWire(c, WIRE_LEN)
        c.pos = readLenEnd(c, end)
        rpc.testExtension = true
        break
      default:
        skipField(c, end, lim.maxGroupDepth)
    }
  }
  return rpc
}

function decodeSubOpts (c: Cursor, end: number, lim: Readonly<DecodeLimits>): SubOpts {
  const s: SubOpts = { subscribe: undefined, topic: undefined, requestsPartial: undefined, supportsSendingPartial: undefined }
  while (c.pos < end) {
    readTag(c, end)
    switch (c.field) {
      case 1: s.subscribe = readBool(c, end); break
      case 2: s.topic = readString(c, end); break
      case 3: s.requestsPartial = readBool(c, end); break
      case 4: s.supportsSendingPartial = readBool(c, end); break
      default: skipField(c, end, lim.maxGroupDepth)
    }
  }
  return s
}

/** Buffers up to this size may be shared by the messages viewing them (a socket read is ≤ 64 KiB). */
const SHARED_BUFFER_MAX = 64 * 1024

/**
 * True when the message at [c.pos, stop) is under a quarter of a buffer larger than 64 KiB: its
 * views would keep up to 1 MiB alive per message, so it gets its own copy instead.
 */
function pinsLargeBuffer (c: Cursor, stop: number): boolean {
  const size = c.ab.byteLength
  return size > SHARED_BUFFER_MAX && (stop - c.pos) * 4 < size
}

/** A message's `raw` is its exact encoding, unknown fields included (the signature covers them). */
function decodeMessage (c: Cursor, end: number, lim: Readonly<DecodeLimits>): DecodedMessage {
  const m: DecodedMessage = {
    from: undefined,
    data: undefined,
    seqno: undefined,
    topic: '',
    signature: undefined,
    key: undefined,
    raw: view(c, c.pos, end)
  }
  while (c.pos < end) {
    readTag(c, end)
    switch (c.field) {
      case 1: m.from = readBytes(c, end); break
      case 2: m.data = readBytes(c, end); break
      case 3: m.seqno = readBytes(c, end); break
      case 4: m.topic = readString(c, end); break
      case 5: m.signature = readBytes(c, end); break
      case 6: m.key = readBytes(c, end); break
      default: skipField(c, end, lim.maxGroupDepth)
    }
  }
  return m
}

/** Repeated occurrences of the control field merge into one ControlMessage, as protobuf requires. */
function decodeControl (c: State, end: number, ctrl: ControlMessage): void {
  const lim = c.lim
  while (c.pos < end) {
    readTag(c, end)
    const field = c.field
    if (field < 1 || field > 6) {
      skipField(c, end, lim.maxGroupDepth)
      continue
    }
    expectWire(c, WIRE_LEN)
    const stop = readLenEnd(c, end)
    switch (field) {
      case 1:
        if (keepEntry(c, 'ihave')) { ctrl.ihave.push(decodeIHave(c, stop)) }
        break
      case 2:
        if (keepEntry(c, 'iwant')) { ctrl.iwant.push({ messageIds: decodeIds(c, stop, lim.maxIWantIds, 'iwantIds') }) }
        break
      case 3:
        if (keepEntry(c, 'graft')) { ctrl.graft.push({ topic: decodeTopicOnly(c, stop, lim) }) }
        break
      case 4:
        if (keepEntry(c, 'prune')) { ctrl.prune.push(decodePrune(c, stop)) }
        break
      case 5:
        if (keepEntry(c, 'idontwant')) {
          const ids = decodeIds(c, stop, lim.maxIDontWantIds - c.idontwantIds, 'idontwantIds')
          c.idontwantIds += ids.length
          ctrl.idontwant.push({ messageIds: ids })
        }
        break
      default:
        ctrl.extensions = decodeExtensions(c, stop, lim, ctrl.extensions)
    }
    c.pos = stop
  }
}

type EntryKind = 'ihave' | 'iwant' | 'graft' | 'prune' | 'idontwant'

/** Counts one control entry of a kind; false (and counted as skipped) when over the soft cap. */
function keepEntry (c: State, kind: EntryKind): boolean {
  const n = ++c[kind]
  if (n > c.lim.hardMaxEntries) { throw overLimit('hardMaxEntries', n, c.lim.hardMaxEntries) }
  if (n > c.lim.maxControlEntries) {
    c.skip(kind)
    return false
  }
  return true
}

function decodeIHave (c: State, end: number): ControlIHave {
  const entry: ControlIHave = { topic: '', messageIds: [] }
  entry.topic = decodeIdList(c, end, 2, entry.messageIds, c.lim.maxIHaveIds, 'ihaveIds')
  return entry
}

/** IWANT / IDONTWANT bodies: field 1 is the repeated id; ids past `keep` are skipped and counted. */
function decodeIds (c: State, end: number, keep: number, kind: 'iwantIds' | 'idontwantIds'): Uint8Array[] {
  const ids: Uint8Array[] = []
  decodeIdList(c, end, 1, ids, keep, kind)
  return ids
}

/**
 * Reads a body of repeated ids in `field` (IHAVE: 2, IWANT and IDONTWANT: 1) into `ids`, keeping
 * at most `keep`. Returns field 1 as a string when it is not the id field (the IHAVE topic).
 */
function decodeIdList (c: State, end: number, field: number, ids: Uint8Array[], keep: number, kind: 'ihaveIds' | 'iwantIds' | 'idontwantIds'): string {
  const buf = c.buf
  const tag = (field << 3) | WIRE_LEN
  let topic = ''
  while (c.pos < end) {
    const p = c.pos
    const len = buf[p + 1]
    let id: Uint8Array
    if (buf[p] === tag && len < 0x80 && p + 2 + len <= end) {
      // fast path for the common case: the id tag and a one-byte length
      c.pos = p + 2 + len
      id = view(c, p + 2, c.pos)
    } else {
      readTag(c, end)
      if (c.field !== field) {
        if (c.field === 1) {
          topic = readString(c, end)
        } else {
          skipField(c, end, c.lim.maxGroupDepth)
        }
        continue
      }
      id = readBytes(c, end)
    }
    if (++c.ids > c.lim.hardMaxIds) { throw overLimit('hardMaxIds', c.ids, c.lim.hardMaxIds) }
    if (id.length > c.lim.maxIdLength) {
      c.skip('longIds')
    } else if (ids.length < keep) {
      ids.push(id)
    } else {
      c.skip(kind)
    }
  }
  return topic
}

function decodeTopicOnly (c: Cursor, end: number, lim: Readonly<DecodeLimits>): string {
  let topic = ''
  while (c.pos < end) {
    readTag(c, end)
    if (c.field === 1) {
      topic = readString(c, end)
    } else {
      skipField(c, end, lim.maxGroupDepth)
    }
  }
  return topic
}

function decodePrune (c: State, end: number): ControlPrune {
  const lim = c.lim
  const prune: ControlPrune = { topic: '', peers: [], backoff: undefined }
  let seen = 0
  while (c.pos < end) {
    readTag(c, end)
    if (c.field === 1) {
      prune.topic = readString(c, end)
    } else if (c.field === 2) {
      expectWire(c, WIRE_LEN)
      const stop = readLenEnd(c, end)
      if (++seen > lim.hardMaxPeersPerPrune) { throw overLimit('hardMaxPeersPerPrune', seen, lim.hardMaxPeersPerPrune) }
      if (prune.peers.length < lim.maxPeersPerPrune) {
        prune.peers.push(decodePeerInfo(c, stop, lim))
      } else {
        c.skip('peers')
      }
      c.pos = stop
    } else if (c.field === 3) {
      expectWire(c, WIRE_VARINT)
      prune.backoff = readVarint(c, end)
    } else {
      skipField(c, end, lim.maxGroupDepth)
    }
  }
  return prune
}

function decodePeerInfo (c: Cursor, end: number, lim: Readonly<DecodeLimits>): PeerInfo {
  const p: PeerInfo = { peerId: undefined, signedPeerRecord: undefined }
  while (c.pos < end) {
    readTag(c, end)
    if (c.field === 1) {
      p.peerId = readBytes(c, end)
    } else if (c.field === 2) {
      p.signedPeerRecord = readBytes(c, end)
    } else {
      skipField(c, end, lim.maxGroupDepth)
    }
  }
  return p
}

function decodeExtensions (c: Cursor, end: number, lim: Readonly<DecodeLimits>, prev?: ControlExtensions): ControlExtensions {
  const x: ControlExtensions = prev ?? { partialMessages: undefined, testExtension: undefined }
  while (c.pos < end) {
    readTag(c, end)
    if (c.field === 10) {
      x.partialMessages = readBool(c, end)
    } else if (c.field === TEST_EXTENSION_FIELD) {
      x.testExtension = readBool(c, end)
    } else {
      skipField(c, end, lim.maxGroupDepth)
    }
  }
  return x
}

function decodePartial (c: Cursor, end: number, lim: Readonly<DecodeLimits>, prev?: PartialMessagesExtension): PartialMessagesExtension {
  const p: PartialMessagesExtension = prev ?? { topicId: undefined, groupId: undefined, partialMessage: undefined, partsMetadata: undefined }
  while (c.pos < end) {
    readTag(c, end)
    switch (c.field) {
      case 1: p.topicId = readBytes(c, end); break
      case 2: p.groupId = readBytes(c, end); break
      case 3: p.partialMessage = readBytes(c, end); break
      case 4: p.partsMetadata = readBytes(c, end); break
      default: skipField(c, end, lim.maxGroupDepth)
    }
  }
  return p
}
