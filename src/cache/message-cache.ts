// The message cache (mcache): recent messages in heartbeat windows, served to IWANT and advertised
// in IHAVE, with per-(peer, id) serve counters. Bounded by message count and data bytes.
// Entries live in the value slots of the seen cache (every cached id is a seen id), found from an
// id with the seen cache's one Map lookup: the cache has no Map of its own to insert into and
// delete from for every message.

import { Fifo } from './fifo.ts'
import type { TimeCache } from './time-cache.ts'
import type { MsgIdKey, PeerKey, RouterMessage } from '../core/types.ts'

export interface CacheEntry {
  msg: RouterMessage
  /** data bytes charged to the byte bound */
  bytes: number
  /**
   * times served to each peer via IWANT, created on first serve. Bound: peers that asked for this
   * message (≤ connected peers). Pruned: with the entry (window shift or eviction).
   */
  served: Map<PeerKey, number> | undefined
  /** still cached (a window may hold an entry already evicted; its id may be cached again) */
  live: boolean
  /** the seen cache's insertion whose value slot holds this entry */
  serial: number
}

/** The seen cache, whose value slots hold the cache's entries. */
export type SeenIndex = TimeCache<CacheEntry>

/** One heartbeat window: the entries put in it, by topic (for IHAVE). */
type Window = Map<string, CacheEntry[]>

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
   * id → entry: the seen cache's value slots. Bound: maxMessages and maxBytes (oldest evicted
   * first, counted in `evicted`). Pruned: `shift()` each heartbeat drops the oldest window; an id
   * leaving the seen cache takes its entry along.
   */
  private readonly index: SeenIndex
  /**
   * Entries in insertion order, for eviction; entries no longer live are skipped.
   * Bound: live entries plus dead ones not yet shifted (≤ entries put within `length` windows).
   * Shifted by eviction and `shift()`.
   */
  private readonly order = new Fifo<CacheEntry>()
  private count = 0
  private byteCount = 0
  /** messages dropped before their window expired because a bound was hit or the seen cache forgot them */
  evicted = 0

  constructor (length: number, gossip: number, maxMessages: number, maxBytes: number, index: SeenIndex) {
    this.length = length
    this.gossip = gossip
    this.maxMessages = maxMessages
    this.maxBytes = maxBytes
    if (!index.holdsValues) { throw new Error('the message cache needs a seen cache built withValues') }
    this.index = index
    // the seen cache forgot a cached id (its bound or ttl is shorter than this cache's): the entry
    // goes too, so every cached id stays servable
    index.onDropValue = (entry) => {
      if (!entry.live) { return }
      this.account(entry)
      this.evicted++
    }
    for (let i = 0; i < length; i++) { this.windows.push(new Map()) }
  }

  /**
   * Caches `msg` in the current window; returns false if its id is already cached. Its id is
   * normally in the seen cache already (the router adds it on receipt or publish); if the seen
   * cache forgot it meanwhile (a long asynchronous validation under a flood), it is seen again now.
   */
  put (msg: RouterMessage, now: number): boolean {
    let serial = this.index.serialOf(msg.idKey)
    if (serial === undefined) {
      serial = this.index.insert(msg.idKey, now)
    } else if (this.index.valueAt(serial) !== undefined) {
      return false
    }
    const entry: CacheEntry = { msg, bytes: sizeOf(msg), served: undefined, live: true, serial }
    this.index.setValueAt(serial, entry)
    this.order.push(entry)
    this.count++
    this.byteCount += entry.bytes
    const w = this.windows[0]
    const list = w.get(msg.topic)
    if (list === undefined) { w.set(msg.topic, [entry]) } else { list.push(entry) }
    while (this.count > this.maxMessages || (this.byteCount > this.maxBytes && this.count > 1)) {
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

  private remove (entry: CacheEntry): void {
    if (this.index.valueAt(entry.serial) === entry) { this.index.setValueAt(entry.serial, undefined) }
    this.account(entry)
  }

  /** an entry leaves: the bounds' counts and its liveness */
  private account (entry: CacheEntry): void {
    this.count--
    this.byteCount -= entry.bytes
    entry.live = false
  }

  /** Drops the entries no longer live from the front of `order`. */
  private shiftDead (): void {
    while (this.order.peek()?.live === false) { this.order.shift() }
  }

  has (idKey: MsgIdKey): boolean {
    return this.index.getValue(idKey) !== undefined
  }

  /** Uncaches `idKey` (not counted as evicted): an own publish that reached nobody. */
  withdraw (idKey: MsgIdKey): void {
    const entry = this.index.getValue(idKey)
    if (entry !== undefined) { this.remove(entry) }
  }

  /**
   * Fetches a message for an IWANT from `peer` and counts the serve. Returns the message and how
   * many times it has now been served to that peer, or undefined if not cached.
   */
  getForPeer (idKey: MsgIdKey, peer: PeerKey): { msg: RouterMessage, count: number } | undefined {
    const entry = this.index.getValue(idKey)
    if (entry === undefined) { return undefined }
    entry.served ??= new Map()
    const count = (entry.served.get(peer) ?? 0) + 1
    entry.served.set(peer, count)
    return { msg: entry.msg, count }
  }

  /** How many times `idKey` was served to `peer` via IWANT (0 if never or not cached). */
  servedCount (idKey: MsgIdKey, peer: PeerKey): number {
    return this.index.getValue(idKey)?.served?.get(peer) ?? 0
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
    return this.count
  }

  get bytes (): number {
    return this.byteCount
  }
}
