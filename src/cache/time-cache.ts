// A bounded set of string keys that expire a fixed time after insertion (the seen cache, pending
// dials). A FIFO of insertions gives expiry order, so pruning pops from its front and stops early.

/**
 * A set of keys, each forgotten `ttl` ms after it was added, holding at most `maxEntries`. Built
 * `withValues`, each insertion also has a value slot (unset until `setValueAt`), found from the key
 * with one Map lookup: the message cache keeps its entries in the seen cache's slots instead of in
 * a Map of its own. The other caches (per-peer IDONTWANT ids, pending dials) carry no slots.
 */
export class TimeCache<V = never> {
  readonly ttl: number
  readonly maxEntries: number
  /**
   * key → serial of the insertion that holds it. Bound: maxEntries (the oldest key is evicted on
   * overflow, counted in `evicted`). Pruned: `prune(now)` (the router calls it every heartbeat) and
   * `delete`.
   */
  private readonly entries = new Map<string, number>()
  /**
   * Insertions in order from `head` on (key, expiry, serial); an insertion whose key was since
   * deleted is stale and skipped. Asking the Map for its oldest key instead would walk the holes
   * that deletions from its front leave behind, a cost that grows until the Map rehashes.
   * Bound: live entries plus stale ones not yet popped (≤ insertions within one ttl). Compacted
   * once the consumed prefix is at least half of it.
   */
  private keyQueue: string[] = []
  private expiryQueue: number[] = []
  private serialQueue: number[] = []
  /** the value slots (`withValues` only), cleared when their insertion leaves the queue or its key is deleted */
  private valueQueue: Array<V | undefined> | undefined
  private head = 0
  private serial = 0
  /** insertions in the queue whose key was deleted since (see `isLive`) */
  private stale = 0
  /** keys dropped before expiry because the cache was full */
  evicted = 0
  /** called with the value of a key that leaves (expiry, eviction, delete) while holding one */
  onDropValue: ((value: V) => void) | undefined

  constructor (ttl: number, maxEntries: number, withValues = false) {
    this.valueQueue = withValues ? [] : undefined
    this.ttl = ttl
    this.maxEntries = maxEntries
  }

  /** Adds `key` unless present; returns false when it was already there. */
  add (key: string, now: number): boolean {
    if (this.entries.has(key)) { return false }
    this.insert(key, now)
    return true
  }

  /**
   * Adds `key`, which the caller has just found absent (`has`): one Map lookup less than `add`.
   * Returns the insertion's serial (see `serialOf`).
   */
  insert (key: string, now: number): number {
    if (this.entries.size >= this.maxEntries && this.dropOldestLive()) { this.evicted++ }
    const serial = ++this.serial
    this.entries.set(key, serial)
    this.keyQueue.push(key)
    this.expiryQueue.push(now + this.ttl)
    this.serialQueue.push(serial)
    this.valueQueue?.push(undefined)
    return serial
  }

  has (key: string): boolean {
    return this.entries.has(key)
  }

  delete (key: string): boolean {
    const serial = this.entries.get(key)
    if (serial === undefined) { return false }
    this.entries.delete(key)
    this.stale++
    this.dropValue(this.indexOf(serial))
    return true
  }

  /** whether insertions have value slots (built `withValues`) */
  get holdsValues (): boolean { return this.valueQueue !== undefined }

  /** The serial of the insertion holding `key` (a handle to its value slot), if present. */
  serialOf (key: string): number | undefined {
    return this.entries.get(key)
  }

  /** The value of the insertion holding `key`, if present and set. */
  getValue (key: string): V | undefined {
    const serial = this.entries.get(key)
    return serial === undefined ? undefined : this.valueAt(serial)
  }

  /** The value in the slot of insertion `serial`; undefined once it left the queue. */
  valueAt (serial: number): V | undefined {
    const i = this.indexOf(serial)
    return i < 0 ? undefined : this.valueQueue?.[i]
  }

  /** Sets (or with undefined, clears) the slot of insertion `serial`; no effect once it left the queue. */
  setValueAt (serial: number, value: V | undefined): void {
    const i = this.indexOf(serial)
    if (i >= 0 && this.valueQueue !== undefined) { this.valueQueue[i] = value }
  }

  /** Drops every key whose expiry is ≤ now (in insertion order, stopping at the first that is not). */
  prune (now: number): void {
    while (this.head < this.keyQueue.length) {
      const i = this.head
      if (this.isLive(i)) {
        if (this.expiryQueue[i] > now) { break }
        this.entries.delete(this.keyQueue[i])
      }
      this.pop()
    }
  }

  get size (): number {
    return this.entries.size
  }

  keys (): IterableIterator<string> {
    return this.entries.keys()
  }

  /** Removes the oldest live key; false when there is none. */
  private dropOldestLive (): boolean {
    while (this.head < this.keyQueue.length) {
      const i = this.head
      const live = this.isLive(i)
      if (live) { this.entries.delete(this.keyQueue[i]) }
      this.pop()
      if (live) { return true }
    }
    return false
  }

  /**
   * Whether the insertion at queue position i still holds its key. Only a `delete` makes an
   * insertion stale (its key gone, or re-added by a later insertion), so while none is pending
   * the answer needs no Map lookup.
   */
  private isLive (i: number): boolean {
    if (this.stale === 0) { return true }
    if (this.entries.get(this.keyQueue[i]) === this.serialQueue[i]) { return true }
    this.stale--
    return false
  }

  /**
   * Queue position of insertion `serial`, or -1 once it left the queue. Serials go up by one per
   * insertion and the queue holds consecutive insertions, so no lookup is needed.
   */
  private indexOf (serial: number): number {
    if (this.head >= this.serialQueue.length) { return -1 }
    const i = this.head + (serial - this.serialQueue[this.head])
    return i >= this.head && i < this.serialQueue.length && this.serialQueue[i] === serial ? i : -1
  }

  private dropValue (i: number): void {
    const values = this.valueQueue
    if (i < 0 || values === undefined) { return }
    const value = values[i]
    if (value === undefined) { return }
    values[i] = undefined
    this.onDropValue?.(value)
  }

  private pop (): void {
    this.dropValue(this.head)
    this.head++
    if (this.head >= 1024 && this.head * 2 >= this.keyQueue.length) {
      this.keyQueue = this.keyQueue.slice(this.head)
      this.expiryQueue = this.expiryQueue.slice(this.head)
      this.serialQueue = this.serialQueue.slice(this.head)
      this.valueQueue = this.valueQueue?.slice(this.head)
      this.head = 0
    }
  }
}
