// Backpressure for the app's own publishes: one publish's frames held in its recipients' send
// queues, the wait for them (bounded by publishTtl) and which recipients got none.

import type { HeldFrame, HoldWaiter, SendQueue } from './send-queue.ts'
import type { PeerKey } from '../core/types.ts'

/**
 * One publish() call's hand-over to its recipients' queues. A frame that finds no room is held
 * in the peer's queue; `settled` resolves once every held frame is queued, or after `ttl` ms, when
 * the frames still held are given up (their peers reported slow). Peers that got nothing are in
 * `failed`. Created per publish; costs nothing more when every frame fits at once.
 */
export class PublishWait implements HoldWaiter {
  /** recipients whose queue did not take the message */
  failed: Set<PeerKey> | undefined
  private held: Array<{ queue: SendQueue, h: HeldFrame }> | undefined
  private pending = 0
  private done: PromiseWithResolvers<void> | undefined

  /** Hands one frame to `peer`'s queue. */
  push (queue: SendQueue, peer: PeerKey, frame: Uint8Array, now: number): void {
    const r = queue.pushOwn(frame, now, this, peer)
    if (r === true) { return }
    if (r === false) {
      this.fail(peer)
      return
    }
    (this.held ??= []).push({ queue, h: r })
    this.pending++
  }

  /** A recipient without a send queue (gone while the message was built). */
  fail (peer: PeerKey): void {
    (this.failed ??= new Set()).add(peer)
  }

  settle (h: HeldFrame, ok: boolean): void {
    if (!ok) { this.fail(h.peer) }
    if (--this.pending === 0) { this.done?.resolve() }
  }

  /** some frame is held: `settled` has to be awaited */
  get waiting (): boolean { return this.pending > 0 }

  /** Resolves when every held frame is queued; after `ttl` ms the rest are given up. */
  async settled (ttl: number): Promise<void> {
    if (this.pending === 0) { return }
    this.done = Promise.withResolvers<void>()
    const timer = setTimeout(() => { this.giveUp() }, ttl)
    try {
      await this.done.promise
    } finally {
      clearTimeout(timer)
    }
  }

  private giveUp (): void {
    for (const { queue, h } of this.held ?? []) {
      if (queue.giveUp(h)) {
        this.fail(h.peer)
        this.pending--
      }
    }
    this.done?.resolve()
  }
}
