// A bounded set of string keys that expire a fixed time after insertion (the seen cache, pending
// dials). Insertion order is expiry order, so pruning walks from the oldest and stops early.

/** A set of keys, each forgotten `ttl` ms after it was added, holding at most `maxEntries`. */
export class TimeCache {
  readonly ttl: number
  readonly maxEntries: number
  /**
   * key → expiry (ms). Bound: maxEntries (the oldest key is evicted on overflow, counted in
   * `evicted`). Pruned: `prune(now)` (the router calls it every heartbeat) and `delete`.
   */
  private readonly entries = new Map<string, number>()
  /** keys dropped before expiry because the cache was full */
  evicted = 0

  constructor (ttl: number, maxEntries: number) {
    this.ttl = ttl
    this.maxEntries = maxEntries
  }

  /** Adds `key` unless present; returns false when it was already there. */
  add (key: string, now: number): boolean {
    if (this.entries.has(key)) { return false }
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) {
        this.entries.delete(oldest.value)
        this.evicted++
      }
    }
    this.entries.set(key, now + this.ttl)
    return true
  }

  has (key: string): boolean {
    return this.entries.has(key)
  }

  delete (key: string): boolean {
    return this.entries.delete(key)
  }

  /** Drops every key whose expiry is ≤ now. */
  prune (now: number): void {
    for (const [key, expiry] of this.entries) {
      if (expiry > now) { break }
      this.entries.delete(key)
    }
  }

  get size (): number {
    return this.entries.size
  }

  keys (): IterableIterator<string> {
    return this.entries.keys()
  }
}
