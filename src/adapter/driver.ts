// The driver: the router core's clock and its one timer. Every input runs through `run`, after
// which every output is drained to the adapter and the timer is re-armed at the core's next deadline.

import type { RouterOutput } from '../core/types.ts'

/** The part of the router core the driver needs. */
export interface DrivenRouter {
  nextDeadline(): number
  handleTimeout(now: number): void
  takeOutputs(): RouterOutput[]
}

/**
 * Owns time for the core: a monotonic integer-millisecond clock (performance.now) and a single
 * timer. Re-entrant: an input fed while outputs are being handled (e.g. a listener that subscribes)
 * is processed and its outputs drained by the outer loop.
 */
export class Driver {
  private router: DrivenRouter | undefined
  private readonly handle: (out: RouterOutput) => void
  private readonly reportError: (err: unknown) => void
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt = Infinity
  private draining = false
  private running = false
  /** errors routed to onError: failed outputs, inputs fed through tryRun, failed async callbacks */
  errors = 0

  /** called after each timer input with the time the core took (heartbeat duration metric) */
  onTimeout?: (ms: number) => void
  /** called after each drain (the score's threshold events are collected there) */
  private readonly afterDrain: (() => void) | undefined

  constructor (handle: (out: RouterOutput) => void, onError: (err: unknown) => void, afterDrain?: () => void) {
    this.handle = handle
    this.reportError = onError
    this.afterDrain = afterDrain
  }

  /** Counts an error and hands it to the service's error log. */
  onError (err: unknown): void {
    this.errors++
    this.reportError(err)
  }

  /** monotonic milliseconds (integer) */
  now (): number {
    return Math.floor(performance.now())
  }

  /**
   * Date.now() minus now(), taken once: reading both clocks per conversion would map one router
   * time to wall times a millisecond apart from one read to the next (the two clocks' ticks do
   * not line up, and browsers coarsen both).
   */
  private readonly wallOffset = Date.now() - Math.floor(performance.now())

  /** A router time (from now()) as Date.now() time, the same for the same input every time. */
  wallClock (t: number): number {
    return t + this.wallOffset
  }

  start (router: DrivenRouter): void {
    this.router = router
    this.running = true
    this.drain()
  }

  stop (): void {
    this.running = false
    this.disarm()
  }

  /** Feeds one input to the core, then drains its outputs and re-arms the timer. */
  run<T>(input: (now: number) => T): T {
    const result = input(this.now())
    this.drain()
    return result
  }

  /**
   * `run` for callers with nobody to throw to (promise callbacks, timers): an input that throws is
   * counted and reported to onError instead of becoming an unhandled rejection or exception.
   */
  tryRun (input: (now: number) => void): void {
    try {
      this.run(input)
    } catch (err) {
      this.onError(err)
      this.drain()
    }
  }

  private drain (): void {
    const router = this.router
    if (this.draining || router === undefined) { return }
    this.draining = true
    try {
      for (let outs = router.takeOutputs(); outs.length > 0; outs = router.takeOutputs()) {
        for (const out of outs) {
          try {
            this.handle(out)
          } catch (err) {
            this.onError(err)
          }
        }
      }
    } finally {
      this.draining = false
    }
    try {
      this.afterDrain?.()
    } catch (err) {
      this.onError(err)
    }
    this.arm()
  }

  private arm (): void {
    if (!this.running || this.router === undefined) { return }
    const at = this.router.nextDeadline()
    if (at === this.timerAt && this.timer !== undefined) { return }
    this.disarm()
    if (!Number.isFinite(at)) { return }
    this.timerAt = at
    this.timer = setTimeout(this.fire, Math.max(0, at - this.now()))
  }

  private disarm (): void {
    if (this.timer !== undefined) { clearTimeout(this.timer) }
    this.timer = undefined
    this.timerAt = Infinity
  }

  private readonly fire = (): void => {
    this.timer = undefined
    this.timerAt = Infinity
    if (!this.running || this.router === undefined) { return }
    const router = this.router
    try {
      let ms = 0
      this.run(now => {
        const t0 = performance.now()
        router.handleTimeout(now)
        ms = performance.now() - t0
      })
      this.onTimeout?.(ms)
    } catch (err) {
      this.onError(err)
      this.arm()
    }
  }
}
