// Per-peer send queue: encoded frames waiting for one peer's stream, in four priority classes,
// bounded by count and bytes, with stale expiry, IWANT-reply cancellation, drop counters and a slow flag.

import { Fifo } from '../cache/fifo.ts'
import { Priority } from '../core/types.ts'
import type { MsgIdKey, PriorityClass } from '../core/types.ts'

export interface SendQueueOptions {
  /** max frames queued (all classes together); default 4096 */
  maxCount?: number
  /** max bytes queued (all classes together); default 16 MiB */
  maxBytes?: number
  /** own publishes older than this (ms) are dropped instead of sent; default 5000 */
  publishTtl?: number
  /** forwarded messages older than this (ms) are dropped; default 1000 */
  forwardTtl?: number
  /**
   * IWANT replies older than this (ms) are dropped; default 3000, the requester's promise deadline
   * (iwantFollowupTime): a reply dropped earlier is a broken promise, a P7 penalty on us
   */
  gossipTtl?: number
}

export const defaultSendQueueOptions = Object.freeze({
  maxCount: 4096,
  maxBytes: 16 * 1024 * 1024,
  publishTtl: 5000,
  forwardTtl: 1000,
  gossipTtl: 3000
})

/** Why frames were dropped, counted per peer. */
export interface SendQueueDrops {
  /** no room, even after evicting lower classes */
  overflow: number
  /** older than the class's ttl when their turn came */
  stale: number
  /** IWANT replies withdrawn because the peer sent IDONTWANT */
  cancelled: number
  /** evicted to make room for a more urgent frame */
  evicted: number
}

interface Entry {
  frame: Uint8Array | undefined
  at: number
  idKey: MsgIdKey | undefined
}

const NO_DROPS: Readonly<SendQueueDrops> = Object.freeze({ overflow: 0, stale: 0, cancelled: 0, evicted: 0 })

const CLASSES = [Priority.Control, Priority.Publish, Priority.Forward, Priority.Gossip] as const

/** Resolved options per options object: every peer's queue built from one object shares one copy. */
const resolved = new WeakMap<SendQueueOptions, Required<SendQueueOptions>>()

function resolveOptions (opts: SendQueueOptions): Required<SendQueueOptions> {
  let r = resolved.get(opts)
  if (r === undefined) {
    r = Object.freeze({ ...defaultSendQueueOptions, ...opts })
    resolved.set(opts, r)
  }
  return r
}

/**
 * One peer's outgoing frames. Control is never dropped for data: when the queue is full, a frame
 * evicts the newest frames of strictly less urgent classes, and is itself dropped (counted) only if
 * that is not enough. The peer is "slow" from its first overflow until the queue empties (see
 * `slowChanged`).
 *
 * The writer extends the queue, and a connected peer's stream entry extends the writer: one object
 * per peer instead of three that point at each other (≈ 100 bytes per connected peer).
 */
export class SendQueue {
  /**
   * one FIFO per priority class, created on the class's first frame (most peers use one or two);
   * the array itself is created with the first frame and dropped when a drain empties the queue
   * (the queue exists for every connected peer, most of them idle most of the time)
   */
  private classes: Array<Fifo<Entry> | undefined> | undefined
  /**
   * queued IWANT replies by message id: up to gossipRetransmission of one id can wait at once.
   * Created on the first IWANT reply: most peers never have one queued, and a Map per peer adds up.
   */
  private gossipByKey: Map<MsgIdKey, Entry[]> | undefined
  private readonly limits: Required<SendQueueOptions>
  private count = 0
  private byteCount = 0
  private isSlow = false
  /** created on the first drop */
  private dropCounts: SendQueueDrops | undefined

  constructor (opts: SendQueueOptions = {}) {
    this.limits = resolveOptions(opts)
  }

  /** Called when the slow flag changes; a subclass that cares overrides it. */
  slowChanged (slow: boolean): void {}

  /** frames dropped so far, by cause */
  get drops (): Readonly<SendQueueDrops> { return this.dropCounts ?? NO_DROPS }

  /** frames queued */
  get length (): number { return this.count }
  /** bytes queued */
  get bytes (): number { return this.byteCount }
  get slow (): boolean { return this.isSlow }

  /**
   * Queues a frame. `idKey` marks an IWANT reply that `cancel` may withdraw. Returns false when
   * the frame was dropped for lack of room.
   */
  push (frame: Uint8Array, priority: PriorityClass, now: number, idKey?: MsgIdKey): boolean {
    if (!this.fits(frame.length)) {
      this.expire(now)
      this.evictBelow(priority, frame.length)
      if (!this.fits(frame.length)) {
        this.dropped('overflow')
        this.setSlow(true)
        return false
      }
    }
    const e: Entry = { frame, at: now, idKey }
    ;((this.classes ??= [undefined, undefined, undefined, undefined])[priority] ??= new Fifo<Entry>()).push(e)
    if (idKey !== undefined && priority === Priority.Gossip) {
      this.gossipByKey ??= new Map()
      const same = this.gossipByKey.get(idKey)
      if (same === undefined) { this.gossipByKey.set(idKey, [e]) } else { same.push(e) }
    }
    this.count++
    this.byteCount += frame.length
    return true
  }

  /** Withdraws every queued IWANT reply carrying the message `idKey`. */
  cancel (idKey: MsgIdKey): boolean {
    const same = this.gossipByKey?.get(idKey)
    if (same === undefined) { return false }
    this.gossipByKey?.delete(idKey)
    for (const e of same) {
      // unlinked from the map already: remove() only accounts for it
      e.idKey = undefined
      this.remove(e)
      this.dropped('cancelled')
    }
    return true
  }

  /**
   * Takes every frame that is due, most urgent class first and FIFO within a class, skipping (and
   * counting) stale data. At most `maxBytes` are taken (at least one frame), so one write stays bounded.
   */
  drain (now: number, maxBytes = Infinity): Uint8Array[] {
    const out: Uint8Array[] = []
    let taken = 0
    const classes = this.classes
    for (const c of CLASSES) {
      const q = classes?.[c]
      if (q === undefined) { continue }
      const ttl = this.ttl(c)
      while (q.size > 0) {
        const e = q.peek() as Entry
        if (e.frame === undefined) { q.shift(); continue }
        if (now - e.at > ttl) {
          this.dropped('stale')
          this.remove(e)
          q.shift()
          continue
        }
        if (out.length > 0 && taken + e.frame.length > maxBytes) { return out }
        out.push(e.frame)
        taken += e.frame.length
        this.remove(e)
        q.shift()
      }
    }
    if (this.count === 0) {
      // emptied (what a flush usually leaves): an idle peer keeps no class FIFOs, only the queue
      this.classes = undefined
      this.gossipByKey = undefined
      this.setSlow(false)
    }
    return out
  }

  /** Drops everything (the stream is gone). */
  clear (): void {
    this.classes = undefined
    this.gossipByKey = undefined
    this.count = 0
    this.byteCount = 0
    this.setSlow(false)
  }

  private fits (len: number): boolean {
    return this.count < this.limits.maxCount && this.byteCount + len <= this.limits.maxBytes
  }

  private ttl (c: PriorityClass): number {
    switch (c) {
      case Priority.Control: return Infinity
      case Priority.Publish: return this.limits.publishTtl
      case Priority.Forward: return this.limits.forwardTtl
      default: return this.limits.gossipTtl
    }
  }

  /** drops stale frames from the head of each data class */
  private expire (now: number): void {
    const classes = this.classes
    if (classes === undefined) { return }
    for (const c of CLASSES) {
      const q = classes[c]
      if (q === undefined) { continue }
      const ttl = this.ttl(c)
      for (let e = q.peek(); e !== undefined && (e.frame === undefined || now - e.at > ttl); e = q.peek()) {
        if (e.frame !== undefined) {
          this.dropped('stale')
          this.remove(e)
        }
        q.shift()
      }
    }
  }

  /** evicts the newest frames of classes less urgent than `priority` until `len` more bytes fit */
  private evictBelow (priority: PriorityClass, len: number): void {
    for (let c = Priority.Gossip as number; c > priority && !this.fits(len); c--) {
      const q = this.classes?.[c]
      if (q === undefined) { continue }
      while (q.size > 0 && !this.fits(len)) {
        // the newest go first: the oldest are closest to being sent
        const e = q.pop() as Entry
        if (e.frame !== undefined) {
          this.dropped('evicted')
          this.remove(e)
        }
      }
    }
  }

  /** accounts an entry as gone; the caller unlinks it from its fifo (or leaves a tombstone) */
  private remove (e: Entry): void {
    if (e.frame === undefined) { return }
    this.count--
    this.byteCount -= e.frame.length
    e.frame = undefined
    if (e.idKey !== undefined) { this.unlink(e.idKey, e) }
  }

  private unlink (idKey: MsgIdKey, e: Entry): void {
    const same = this.gossipByKey?.get(idKey)
    if (same === undefined) { return }
    const i = same.indexOf(e)
    if (i >= 0) { same.splice(i, 1) }
    if (same.length === 0) { this.gossipByKey?.delete(idKey) }
  }

  private setSlow (slow: boolean): void {
    if (slow === this.isSlow) { return }
    this.isSlow = slow
    this.slowChanged(slow)
  }

  private dropped (cause: keyof SendQueueDrops): void {
    (this.dropCounts ??= { overflow: 0, stale: 0, cancelled: 0, evicted: 0 })[cause]++
  }
}
