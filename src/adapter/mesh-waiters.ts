// Callers of waitForMesh(topic, { min, signal }) waiting for a topic's mesh to reach a size.
// Bound: one entry per pending call; pruned when resolved, aborted, or the service stops.

interface Waiter {
  topic: string
  min: number
  resolve(): void
  reject(err: Error): void
}

export class MeshWaiters {
  private readonly waiters = new Set<Waiter>()

  get size (): number { return this.waiters.size }

  async wait (topic: string, min: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted()
    const { promise, resolve, reject } = Promise.withResolvers<void>()
    const w: Waiter = { topic, min, resolve, reject }
    const onAbort = (): void => {
      this.waiters.delete(w)
      reject(signal?.reason instanceof Error ? signal.reason : new Error('waitForMesh aborted'))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    this.waiters.add(w)
    try {
      await promise
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** The mesh of `topic` now has `size` peers: resolve the waiters it satisfies. */
  check (topic: string, size: number): void {
    for (const w of this.waiters) {
      if (w.topic === topic && size >= w.min) {
        this.waiters.delete(w)
        w.resolve()
      }
    }
  }

  abortAll (err: Error): void {
    for (const w of this.waiters) { w.reject(err) }
    this.waiters.clear()
  }
}
