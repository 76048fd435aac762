// A delay-and-bandwidth shim for real TCP connections: a local proxy in front of one node whose
// upload and download each share one byte budget (bits per second) and add a one-way delay.

import { createConnection, createServer } from 'node:net'
import type { Server, Socket } from 'node:net'

export interface ShapeOptions {
  /** bits per second, each direction, shared by every connection through the proxy */
  bps: number
  /** one-way delay added to every chunk, ms */
  delayMs: number
}

/**
 * One direction of the link: chunks leave in order, each after the previous one has been serialised
 * at `bps`, and arrive `delayMs` later. The queue is unbounded: the test keeps its load under the
 * budget, and its backlog is reported.
 */
class Pipe {
  private freeAt = 0
  private readonly queue: Array<{ at: number, chunk: Uint8Array, out: Socket }> = []
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly opts: ShapeOptions
  /** the largest wait a chunk had for the link, ms */
  maxBacklogMs = 0
  bytes = 0

  constructor (opts: ShapeOptions) {
    this.opts = opts
  }

  push (chunk: Uint8Array, out: Socket): void {
    const now = performance.now()
    const start = Math.max(now, this.freeAt)
    this.maxBacklogMs = Math.max(this.maxBacklogMs, start - now)
    this.freeAt = start + chunk.byteLength * 8000 / this.opts.bps
    this.bytes += chunk.byteLength
    this.queue.push({ at: this.freeAt + this.opts.delayMs, chunk, out })
    this.pump()
  }

  private pump (): void {
    if (this.timer !== undefined) { return }
    const head = this.queue[0]
    if (head === undefined) { return }
    this.timer = setTimeout(() => {
      this.timer = undefined
      const now = performance.now()
      while (this.queue.length > 0 && this.queue[0].at <= now + 1) {
        const { chunk, out } = this.queue.shift() as { chunk: Uint8Array, out: Socket }
        if (!out.destroyed) { out.write(chunk) }
      }
      this.pump()
    }, Math.max(0, head.at - performance.now()))
  }

  stop (): void {
    if (this.timer !== undefined) { clearTimeout(this.timer) }
    this.queue.length = 0
  }
}

export interface ShapedProxy {
  port: number
  /** traffic towards the shaped node (its download) and from it (its upload) */
  down: Pipe
  up: Pipe
  close(): Promise<void>
}

/** Listens on 127.0.0.1 and relays every connection to `targetPort` through the shaped pipes. */
export async function shapedProxy (targetPort: number, opts: ShapeOptions): Promise<ShapedProxy> {
  const down = new Pipe(opts)
  const up = new Pipe(opts)
  const sockets = new Set<Socket>()
  const server: Server = createServer((outside) => {
    const inside = createConnection({ host: '127.0.0.1', port: targetPort })
    for (const s of [outside, inside]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => {
        sockets.delete(s)
        outside.destroy()
        inside.destroy()
      })
    }
    outside.on('data', (chunk: Buffer) => { down.push(chunk, inside) })
    inside.on('data', (chunk: Buffer) => { up.push(chunk, outside) })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const addr = server.address()
  if (addr === null || typeof addr === 'string') { throw new Error('proxy has no TCP address') }
  return {
    port: addr.port,
    down,
    up,
    close: async () => {
      down.stop()
      up.stop()
      for (const s of sockets) { s.destroy() }
      await new Promise<void>(resolve => server.close(() => { resolve() }))
    }
  }
}
