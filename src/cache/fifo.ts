// A FIFO over an array with an advancing head: O(1) push and shift, and the eviction order kept
// beside a Map (asking a Map for its oldest key walks the holes its deletions left behind).

/**
 * Consumed slots are cleared (so the FIFO does not keep what it handed out alive), the array is
 * reset when emptied and compacted once the consumed prefix is over half of it.
 * Bound: the items pushed and not yet shifted, plus a consumed prefix of at most as many slots.
 */
export class Fifo<T> {
  private items: Array<T | undefined> = []
  private head = 0

  get size (): number { return this.items.length - this.head }

  push (item: T): void { this.items.push(item) }

  /** the oldest item, left in place */
  peek (): T | undefined { return this.items[this.head] }

  shift (): T | undefined {
    const item = this.items[this.head]
    if (item === undefined) { return undefined }
    this.items[this.head++] = undefined
    if (this.head === this.items.length) {
      // emptied (the usual case for a send queue after a flush)
      this.items.length = 0
      this.head = 0
    } else if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }

  /** removes the newest item */
  pop (): T | undefined {
    if (this.size === 0) { return undefined }
    return this.items.pop()
  }
}
