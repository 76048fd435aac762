// Per-peer send queue: encoded frames waiting for one peer's stream, in four priority classes,
// bounded by count and bytes, with stale expiry, IWANT-reply cancellation, drop counters, a slow
// flag, and the app's own publishes held back (not dropped) while there is no room.

import { Fifo } from '../cache/fifo.ts'
import { Priority } from '../core/types.ts'
import type { MsgIdKey, PriorityClass } from '../core/types.ts'

export interface SendQueueOptions {
  /** max frames queued (all classes together); default 4096 */
  maxCount?: number
  /** max bytes queued (all classes together); default 16 MiB */
  maxBytes?: number
  /**
   * ms an own publish waits for room (then its waiter gives up on the peer), and the age past which
   * other frames of the publish class (forwards of 'high' priority topics) are dropped; default 5000.
   * Own publishes, once queued, are not dropped for age.
   */
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

/** Told when a held frame of an own publish is queued (`ok`) or given up (the queue was cleared). */
export interface HoldWaiter {
  settle(held: HeldFrame, ok: boolean): void
}

/** A frame of the app's own publish waiting for room in the queue; `frame` is unset once settled. */
export interface HeldFrame {
  frame: Uint8Array | undefined
  readonly waiter: HoldWaiter
  /** the waiter's label for the queue (its peer) */
  readonly peer: string
}

const NO_DROPS: Readonly<SendQueueDrops> = Object.freeze({ overflow: 0, stale: 0, cancelled: 0, evicted: 0 })

const CLASSES = [Priority.Control, Priority.Publish, Priority.Forward, Priority.Gossip] as const

/** the share of the queue's bounds own publishes may fill (see `inOwnShare`) */
const OWN_SHARE = 0.75

/** the queue time of an own publish: never stale (`now - OWN` is never above a ttl) */
const OWN = Infinity

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
  /** own publishes queued (a part of count and byteCount) */
  private ownCount = 0
  private ownBytes = 0
  private isSlow = false
  /**
   * a held own publish waited its whole publishTtl: until the queue empties, own publishes that
   * find no room are dropped at once (the peer is reported slow) instead of held
   */
  private stalled = false
  /**
   * the app's own publishes waiting for room, in order (backpressure: each publish() waits for its
   * frames). Bound: the app's publish() calls in flight, each held at most publishTtl (then given
   * up by its waiter); created on the first hold.
   */
  private held: Fifo<HeldFrame> | undefined
  /** created on the first drop */
  private dropCounts: SendQueueDrops | undefined

  constructor (opts: SendQueueOptions = {}) {
    this.limits = resolveOptions(opts)
  }

  /** Called when the slow flag changes; a subclass that cares overrides it. */
  slowChanged (slow: boolean): void {}

  /** frames dropped so far, by cause */
  get drops (): Readonly<SendQueueDrops> { return this.dropCounts ?? NO_DROPS }

  /**
   * a quarter or more of the queue is taken (the room kept for control when own publishes fill
   * their share): IDONTWANT, which one owes nobody, is no longer queued (see outbound.ts)
   */
  get backedUp (): boolean {
    return this.count >= this.limits.maxCount * (1 - OWN_SHARE) || this.byteCount >= this.limits.maxBytes * (1 - OWN_SHARE)
  }

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
    if (this.admit(frame, priority, now, idKey)) { return true }
    this.overflowed()
    return false
  }

  /**
   * Queues a frame of the app's own publish. With no room even after evicting less urgent frames
   * (or while earlier own publishes are held, to keep their order), it is held until a drain makes
   * room, and the held entry is returned for its waiter; `waiter.settle` is called when it is
   * queued. Returns true when queued at once, false when dropped: the peer is stalled (see
   * `giveUp`) or the frame is larger than the whole queue.
   */
  pushOwn (frame: Uint8Array, now: number, waiter: HoldWaiter, peer: string): boolean | HeldFrame {
    const held = this.held
    // entries given up leave their slot behind
    if (held !== undefined) {
      while (held.size > 0 && held.peek()?.frame === undefined) { held.shift() }
    }
    if ((held === undefined || held.size === 0) && this.admitOwn(frame, now)) { return true }
    if (this.stalled || frame.length > this.limits.maxBytes) {
      this.overflowed()
      return false
    }
    const h: HeldFrame = { frame, waiter, peer }
    ;(this.held ??= new Fifo<HeldFrame>()).push(h)
    return h
  }

  /**
   * The waiter of `h` stops waiting (its publishTtl passed): the frame is dropped, counted as an
   * overflow, and the peer is reported slow and marked stalled. False if `h` was queued already.
   */
  giveUp (h: HeldFrame): boolean {
    if (h.frame === undefined) { return false }
    h.frame = undefined
    this.stalled = true
    this.overflowed()
    return true
  }

  /** Queues `frame` if there is room, evicting less urgent classes if needed. */
  private admit (frame: Uint8Array, priority: PriorityClass, now: number, idKey?: MsgIdKey): boolean {
    if (!this.fits(frame.length)) {
      this.expire(now)
      this.evictBelow(priority, frame.length)
      if (!this.fits(frame.length)) { return false }
    }
    this.enqueue(frame, priority, now, idKey)
    return true
  }

  /**
   * Queues an own publish if it fits in the own share of the bounds, evicting forwards and IWANT
   * replies if needed. Once queued it never expires: publish() has told the app it is on its way.
   */
  private admitOwn (frame: Uint8Array, now: number): boolean {
    if (!this.inOwnShare(frame.length)) { return false }
    if (!this.fits(frame.length)) {
      this.expire(now)
      this.evictBelow(Priority.Publish, frame.length)
      if (!this.fits(frame.length)) { return false }
    }
    this.enqueue(frame, Priority.Publish, OWN, undefined)
    this.ownCount++
    this.ownBytes += frame.length
    return true
  }

  private enqueue (frame: Uint8Array, priority: PriorityClass, now: number, idKey: MsgIdKey | undefined): void {
    const e: Entry = { frame, at: now, idKey }
    ;((this.classes ??= [undefined, undefined, undefined, undefined])[priority] ??= new Fifo<Entry>()).push(e)
    if (idKey !== undefined && priority === Priority.Gossip) {
      this.gossipByKey ??= new Map()
      const same = this.gossipByKey.get(idKey)
      if (same === undefined) { this.gossipByKey.set(idKey, [e]) } else { same.push(e) }
    }
    this.count++
    this.byteCount += frame.length
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
    this.take(out, now, maxBytes)
    // what was taken made room for own publishes held back
    if (this.held !== undefined) { this.admitHeld(now) }
    if (this.count === 0) {
      // emptied (what a flush usually leaves): an idle peer keeps no class FIFOs, only the queue
      this.classes = undefined
      this.gossipByKey = undefined
      this.held = undefined
      this.stalled = false
      this.setSlow(false)
    }
    return out
  }

  private take (out: Uint8Array[], now: number, maxBytes: number): void {
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
        if (out.length > 0 && taken + e.frame.length > maxBytes) { return }
        out.push(e.frame)
        taken += e.frame.length
        this.remove(e)
        q.shift()
      }
    }
  }

  /** Queues held own publishes, oldest first, while they fit. */
  private admitHeld (now: number): void {
    const held = this.held as Fifo<HeldFrame>
    for (let h = held.peek(); h !== undefined; h = held.peek()) {
      if (h.frame !== undefined) {
        if (!this.admitOwn(h.frame, now)) { return }
        h.frame = undefined
        h.waiter.settle(h, true)
      }
      held.shift()
    }
  }

  /** Drops everything (the stream is gone); held own publishes are settled as not sent. */
  clear (): void {
    const held = this.held
    this.classes = undefined
    this.gossipByKey = undefined
    this.held = undefined
    this.stalled = false
    this.count = 0
    this.byteCount = 0
    this.ownCount = 0
    this.ownBytes = 0
    this.setSlow(false)
    for (let h = held?.shift(); h !== undefined; h = held?.shift()) {
      if (h.frame === undefined) { continue }
      h.frame = undefined
      h.waiter.settle(h, false)
    }
  }

  private fits (len: number): boolean {
    return this.count < this.limits.maxCount && this.byteCount + len <= this.limits.maxBytes
  }

  /**
   * Own publishes fill at most OWN_SHARE of each bound (one larger frame alone excepted): the rest
   * keeps room for control frames, which then never evict a publish the app was told is on its way
   * (forwards may use it too, and are evicted when own publishes or control need it).
   */
  private inOwnShare (len: number): boolean {
    const { maxCount, maxBytes } = this.limits
    return this.ownCount === 0 || (this.ownCount < maxCount * OWN_SHARE && this.ownBytes + len <= maxBytes * OWN_SHARE)
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

  /**
   * evicts the newest frames of classes less urgent than `priority` until `len` more bytes fit.
   * Evicting a publish (only control does, past its share) reports the peer slow.
   */
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
          if (c === Priority.Publish) { this.setSlow(true) }
        }
      }
    }
  }

  /** accounts an entry as gone; the caller unlinks it from its fifo (or leaves a tombstone) */
  private remove (e: Entry): void {
    if (e.frame === undefined) { return }
    this.count--
    this.byteCount -= e.frame.length
    if (e.at === OWN) {
      this.ownCount--
      this.ownBytes -= e.frame.length
    }
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

  private overflowed (): void {
    this.dropped('overflow')
    this.setSlow(true)
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
