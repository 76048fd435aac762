// The simulator's event queue: a binary min-heap ordered by virtual time, then by insertion order,
// so events at the same instant run first-in first-out and every run is reproducible.

export interface Timed {
  at: number
  seq: number
}

function less (a: Timed, b: Timed): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

export class EventHeap<E extends Timed> {
  private readonly h: E[] = []
  private seq = 0

  get size (): number { return this.h.length }

  peek (): E | undefined { return this.h[0] }

  /** Adds `e`, stamping its tie-break sequence number. */
  push (e: E): void {
    e.seq = this.seq++
    const h = this.h
    let i = h.length
    h.push(e)
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = h[parent]
      if (!less(e, p)) { break }
      h[i] = p
      i = parent
    }
    h[i] = e
  }

  pop (): E | undefined {
    const h = this.h
    const top = h[0]
    const last = h.pop()
    const n = h.length
    if (n === 0 || last === undefined) { return top }
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) { break }
      const r = l + 1
      const c = r < n && less(h[r], h[l]) ? r : l
      if (!less(h[c], last)) { break }
      h[i] = h[c]
      i = c
    }
    h[i] = last
    return top
  }
}
