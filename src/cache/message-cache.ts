// The message cache (mcache): recent messages in heartbeat windows, served to IWANT and advertised
// in IHAVE, with per-(peer, id) serve counters. Bounded by message count and data bytes.

import { Fifo } from './fifo.ts'
import type { MsgIdKey, PeerKey, RouterMessage } from '../core/types.ts'

interface Entry {
  msg: RouterMessage
  /** data bytes charged to the byte bound */
  bytes: number
  /**
   * times served to each peer via IWANT, created on first serve. Bound: peers that asked for this
   * message (≤ connected peers). Pruned: with the entry (window shift or eviction).
   */
  served: Map<PeerKey, number> | undefined
  /** still in `entries` (a window may hold an entry already evicted; its id may be cached again) */
  live: boolean
}

/** One heartbeat window: the entries put in it, by topic (for IHAVE). */
type Window = Map<string, Entry[]>

function sizeOf (msg: RouterMessage): number {
  return msg.raw?.length ?? ((msg.data?.length ?? 0) + msg.topic.length + 64)
}

export class MessageCache {
  readonly length: number
  readonly gossip: number
  readonly maxMessages: number
  readonly maxBytes: number
  /** newest first; `length` windows */
  private readonly windows: Window[] = []
  /**
   * id → entry, in insertion (= age) order. Bound: maxMessages and maxBytes (oldest evicted
   * first, counted in `evicted`). Pruned: `shift()` each heartbeat drops the oldest window.
   */
  private readonly entries = new Map<MsgIdKey, Entry>()
  /**
   * Entries in insertion order, for eviction; entries no longer live are skipped. (Asking `entries`
   * for its oldest key walked the holes its deletions leave: at a full cache every put was O(holes).)
   * Bound: live entries plus dead ones not yet shifted (≤ entries put within `length` windows).
   * Shifted by eviction and `shift()`.
   */
  private readonly order = new Fifo<Entry>()
  private byteCount = 0
  /** messages dropped before their window expired because a bound was hit */
  evicted = 0

  constructor (length: number, gossip: number, maxMessages: number, maxBytes: number) {
    this.length = length
    this.gossip = gossip
    this.maxMessages = maxMessages
    this.maxBytes = maxBytes
    for (let i = 0; i < length; i++) { this.windows.push(new Map()) }
  }

  /** Caches `msg` in the current window; returns false if its id is already cached. */
  put (msg: RouterMessage): boolean {
    if (this.entries.has(msg.idKey)) { return false }
    const entry: Entry = { msg, bytes: sizeOf(msg), served: undefined, live: true }
    this.entries.set(msg.idKey, entry)
    this.order.push(entry)
    this.byteCount += entry.bytes
    const w = this.windows[0]
    const list = w.get(msg.topic)
    if (list === undefined) { w.set(msg.topic, [entry]) } else { list.push(entry) }
    while (this.entries.size > this.maxMessages || (this.byteCount > this.maxBytes && this.entries.size > 1)) {
      this.evictOldest()
    }
    return true
  }

  private evictOldest (): void {
    this.shiftDead()
    const oldest = this.order.shift()
    if (oldest === undefined) { return }
    this.remove(oldest)
    this.evicted++
  }

  private remove (entry: Entry): void {
    this.entries.delete(entry.msg.idKey)
    this.byteCount -= entry.bytes
    entry.live = false
  }

  /** Drops the entries no longer live from the front of `order`. */
  private shiftDead (): void {
    while (this.order.peek()?.live === false) { this.order.shift() }
  }

  has (idKey: MsgIdKey): boolean {
    return this.entries.has(idKey)
  }

  /**
   * Fetches a message for an IWANT from `peer` and counts the serve. Returns the message and how
   * many times it has now been served to that peer, or undefined if not cached.
   */
  getForPeer (idKey: MsgIdKey, peer: PeerKey): { msg: RouterMessage, count: number } | undefined {
    const entry = this.entries.get(idKey)
    if (entry === undefined) { return undefined }
    entry.served ??= new Map()
    const count = (entry.served.get(peer) ?? 0) + 1
    entry.served.set(peer, count)
    return { msg: entry.msg, count }
  }

  /** How many times `idKey` was served to `peer` via IWANT (0 if never or not cached). */
  servedCount (idKey: MsgIdKey, peer: PeerKey): number {
    return this.entries.get(idKey)?.served?.get(peer) ?? 0
  }

  /** Ids of `topic` in the `gossip` most recent windows, newest first (for IHAVE). */
  gossipIds (topic: string): Uint8Array[] {
    const out: Uint8Array[] = []
    for (let i = 0; i < this.gossip; i++) {
      const list = this.windows[i].get(topic)
      if (list === undefined) { continue }
      for (const entry of list) {
        // skip entries evicted early (their id may even have been cached again since)
        if (entry.live) { out.push(entry.msg.id) }
      }
    }
    return out
  }

  /** True when the advertised windows hold any entry of `topic` (no list is built). */
  hasGossip (topic: string): boolean {
    for (let i = 0; i < this.gossip; i++) {
      if ((this.windows[i].get(topic)?.length ?? 0) > 0) { return true }
    }
    return false
  }

  /** Starts a new window and forgets the oldest one (called once per heartbeat). */
  shift (): void {
    const last = this.windows.pop()
    if (last !== undefined) {
      for (const list of last.values()) {
        for (const entry of list) {
          if (entry.live) { this.remove(entry) }
        }
      }
      this.shiftDead()
    }
    this.windows.unshift(new Map())
  }

  get size (): number {
    return this.entries.size
  }

  get bytes (): number {
    return this.byteCount
  }
}
