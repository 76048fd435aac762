// Measurement probes of one trial process: bytes and write calls at the TCP socket (a counting
// wrapper on net.Socket.prototype.write), process and main-thread CPU, event-loop activity, heap.

import net from 'node:net'
import { performance } from 'node:perf_hooks'

export const wire = { bytes: 0, writes: 0 }

let hooked = false

/** Counts every write a node:net socket receives (what the TCP transport hands to the kernel). */
export function hookSocketWrites (): void {
  if (hooked) { return }
  hooked = true
  const original = net.Socket.prototype.write
  net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]): boolean {
    wire.writes++
    if (chunk instanceof Uint8Array) { wire.bytes += chunk.byteLength } else if (typeof chunk === 'string') { wire.bytes += Buffer.byteLength(chunk) }
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
  } as typeof original
}

export interface Window {
  wallMs: number
  /** whole-process CPU (all threads: main, GC helpers, libuv pool) — the primary metric */
  cpuMs: number
  /** main (event-loop) thread CPU */
  threadCpuMs: number
  /** ms the event loop was not waiting in epoll */
  activeMs: number
  /** main-thread CPU over event-loop active time: below ~0.9 means the thread was descheduled */
  cpuPerActive: number
  /** event-loop utilisation over the window */
  elu: number
  wireBytes: number
  wireWrites: number
}

/** Starts a measurement window; the returned function closes it. */
export function openWindow (): () => Window {
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const th0 = process.threadCpuUsage()
  const elu0 = performance.eventLoopUtilization()
  const b0 = wire.bytes
  const w0 = wire.writes
  return () => {
    const wallMs = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    const th = process.threadCpuUsage(th0)
    const elu = performance.eventLoopUtilization(elu0)
    const cpuMs = (cpu.user + cpu.system) / 1000
    const threadCpuMs = (th.user + th.system) / 1000
    const activeMs = elu.active
    return {
      wallMs,
      cpuMs,
      threadCpuMs,
      activeMs,
      cpuPerActive: activeMs > 0 ? threadCpuMs / activeMs : 0,
      elu: elu.utilization,
      wireBytes: wire.bytes - b0,
      wireWrites: wire.writes - w0
    }
  }
}

const gc = (globalThis as { gc?(): void }).gc

/** Heap used after full collections (needs --expose-gc; throws without it). */
export async function settledHeap (): Promise<number> {
  if (gc === undefined) { throw new Error('run the trial with --expose-gc') }
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise(resolve => setImmediate(resolve))
  }
  return process.memoryUsage().heapUsed
}

export async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}
