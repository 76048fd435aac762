// Splitting an outgoing RPC into frames of at most maxSize bytes that together carry all of it.
// State: one packer per call (the frame being filled and its size so far).

import { emptyControl } from '../types.ts'
import {
  TEST_EXTENSION_FIELD_SIZE, encodeRpc, encodeRpcFrame, measure, sizeExtensions, sizeGraft, sizeMessage, sizePartial,
  sizePeerInfo, sizeRpc, sizeSubOpts
} from './encode.ts'
import { overLimit } from './errors.ts'
import { ldSize, utf8Length, varintSize } from './write.ts'
import type { ControlMessage, ControlPrune, PeerInfo, Rpc, WireMessage } from '../types.ts'

export interface SplitOptions {
  /** return whole frames (varint length prefix ‖ body) instead of bodies; the bound stays on the body */
  lengthPrefixed?: boolean
}

export interface SplitResult {
  /** frame bodies (no length prefix unless asked for), each body at most maxSize bytes, in sending order */
  frames: Uint8Array[]
  /** messages that cannot fit in any frame on their own: not sent */
  oversized: WireMessage[]
}

/**
 * Splits `rpc` into frames ≤ maxSize. The first frame carries the extensions (ControlExtensions,
 * partial, testExtension: a peer reads extensions from the first RPC only), then come the
 * subscriptions, the control entries and the messages, in order. IHAVE, IWANT and IDONTWANT id lists
 * and PRUNE peer lists too long for one frame are split into several entries (same topic and
 * backoff). Throws CodecError('ERR_LIMIT', 'maxSize') only for a non-message entry that cannot fit
 * in a frame by itself (e.g. a topic string longer than maxSize).
 */
export function splitRpc (rpc: Rpc, maxSize: number, opts: SplitOptions = {}): SplitResult {
  const encode = opts.lengthPrefixed === true ? encodeRpcFrame : encodeRpc
  if (measure(sizeRpc, rpc) <= maxSize) {
    return { frames: [encode(rpc)], oversized: [] }
  }
  const p = new Packer(maxSize, encode)
  const ctrl = rpc.control
  if (ctrl?.extensions !== undefined) {
    p.addControl(measure(sizeExtensions, ctrl.extensions), c => { c.extensions = ctrl.extensions })
  }
  if (rpc.partial !== undefined) {
    const partial = rpc.partial
    p.addTop(measure(sizePartial, partial), r => { r.partial = partial })
  }
  if (rpc.testExtension === true) {
    p.addTop(TEST_EXTENSION_FIELD_SIZE, r => { r.testExtension = true })
  }
  for (const s of rpc.subscriptions) {
    p.addTop(measure(sizeSubOpts, s), r => { r.subscriptions.push(s) })
  }
  if (ctrl !== undefined) { addControlEntries(p, ctrl) }
  const oversized: WireMessage[] = []
  for (const m of rpc.messages) {
    const size = measure(sizeMessage, m)
    if (size > maxSize) {
      oversized.push(m)
    } else {
      p.addTop(size, r => { r.messages.push(m) })
    }
  }
  return { frames: p.finish(), oversized }
}

function addControlEntries (p: Packer, ctrl: ControlMessage): void {
  for (const e of ctrl.ihave) {
    p.addList(stringFieldSize(e.topic), e.messageIds, idFieldSize, (c, ids) => { c.ihave.push({ topic: e.topic, messageIds: ids }) })
  }
  for (const e of ctrl.iwant) {
    p.addList(0, e.messageIds, idFieldSize, (c, ids) => { c.iwant.push({ messageIds: ids }) })
  }
  for (const e of ctrl.graft) {
    p.addControl(measure(sizeGraft, e.topic), c => { c.graft.push(e) })
  }
  for (const e of ctrl.prune) {
    const base = stringFieldSize(e.topic) + (e.backoff === undefined ? 0 : 1 + varintSize(Math.max(0, Math.floor(e.backoff))))
    p.addList(base, e.peers, peerFieldSize, (c, peers) => { c.prune.push(pruneWith(e, peers)) })
  }
  for (const e of ctrl.idontwant) {
    p.addList(0, e.messageIds, idFieldSize, (c, ids) => { c.idontwant.push({ messageIds: ids }) })
  }
}

function pruneWith (e: ControlPrune, peers: PeerInfo[]): ControlPrune {
  return { topic: e.topic, peers, backoff: e.backoff }
}

function stringFieldSize (s: string): number {
  return ldSize(1, utf8Length(s))
}

function idFieldSize (id: Uint8Array): number {
  return ldSize(1, id.length)
}

function peerFieldSize (p: PeerInfo): number {
  return measure(sizePeerInfo, p)
}

/** Fills frames greedily, flushing when the next entry would push the frame past maxSize. */
class Packer {
  private readonly maxSize: number
  private readonly encode: (rpc: Rpc) => Uint8Array
  private readonly frames: Uint8Array[] = []
  private cur: Rpc = { subscriptions: [], messages: [] }
  private empty = true
  /** size of the top-level fields other than control */
  private top = 0
  /** size of the control message's body, when the frame has one */
  private ctrl = 0

  constructor (maxSize: number, encode: (rpc: Rpc) => Uint8Array) {
    this.maxSize = maxSize
    this.encode = encode
  }

  private size (extraTop: number, extraCtrl: number): number {
    const body = this.ctrl + extraCtrl
    const hasCtrl = this.cur.control !== undefined || extraCtrl > 0
    return this.top + extraTop + (hasCtrl ? ldSize(1, body) : 0)
  }

  /** Makes room for an entry of this size, or throws if it cannot fit even in an empty frame. */
  private room (extraTop: number, extraCtrl: number): void {
    if (this.size(extraTop, extraCtrl) <= this.maxSize) { return }
    if (!this.empty) { this.flush() }
    if (this.size(extraTop, extraCtrl) > this.maxSize) {
      throw overLimit('maxSize', extraTop + extraCtrl, this.maxSize)
    }
  }

  addTop (size: number, put: (r: Rpc) => void): void {
    this.room(size, 0)
    put(this.cur)
    this.top += size
    this.empty = false
  }

  addControl (size: number, put: (c: ControlMessage) => void): void {
    this.room(0, size)
    this.cur.control ??= emptyControl()
    put(this.cur.control)
    this.ctrl += size
    this.empty = false
  }

  /**
   * Adds a control entry made of a fixed part (`base`) and a list, splitting the list over as
   * many frames (and entries) as it needs. An empty list still yields one entry.
   */
  addList<T> (base: number, items: T[], itemSize: (x: T) => number, put: (c: ControlMessage, items: T[]) => void): void {
    let i = 0
    do {
      this.room(0, ldSize(1, base + (i < items.length ? itemSize(items[i]) : 0)))
      let body = base
      let j = i
      while (j < items.length) {
        const next = body + itemSize(items[j])
        if (j > i && this.size(0, ldSize(1, next)) > this.maxSize) { break }
        body = next
        j++
      }
      this.cur.control ??= emptyControl()
      put(this.cur.control, i === 0 && j === items.length ? items : items.slice(i, j))
      this.ctrl += ldSize(1, body)
      this.empty = false
      i = j
    } while (i < items.length)
  }

  private flush (): void {
    this.frames.push(this.encode(this.cur))
    this.cur = { subscriptions: [], messages: [] }
    this.empty = true
    this.top = 0
    this.ctrl = 0
  }

  finish (): Uint8Array[] {
    if (!this.empty) { this.flush() }
    return this.frames
  }
}
