// Messages waiting for the adapter's validation result: the first deliverer, the peers that sent
// copies meanwhile (not forwarded to), bounded in number and in age.

import type { MsgIdKey, PeerKey, RejectReason, RouterMessage } from './types.ts'

/**
 * Rejections decided from one copy's signature fields, not from the content its id stands for:
 * another copy under the same id (e.g. from‖seqno) may still be genuine, so the id is not kept seen.
 */
export const copyRejects: ReadonlySet<RejectReason> = new Set<RejectReason>(['invalid-signature', 'missing-signature', 'unexpected-signature', 'self-origin'])

export interface PendingValidation {
  readonly msg: RouterMessage
  /** the first peer that delivered it */
  readonly source: PeerKey
  readonly received: number
  /** peers that sent a copy while it was validating; bounded by connected peers */
  dups: PeerKey[] | undefined
  /** gossip promises this copy fulfilled (peer → deadline), reinstated if it fails its signature check */
  readonly promised: Map<PeerKey, number> | undefined
}

export class PendingValidations {
  readonly max: number
  /**
   * id → pending entry, in arrival order. Bound: maxPendingValidations (excess messages dropped
   * as ignored, counted in `dropped`). Pruned: by reportValidation and by `expire` (entries older
   * than seenTTL, whose result can no longer matter).
   */
  private readonly pending = new Map<MsgIdKey, PendingValidation>()
  dropped = 0

  constructor (max: number) {
    this.max = max
  }

  get full (): boolean {
    return this.pending.size >= this.max
  }

  add (msg: RouterMessage, source: PeerKey, now: number, promised?: Map<PeerKey, number>): void {
    this.pending.set(msg.idKey, { msg, source, received: now, dups: undefined, promised })
  }

  /** Notes that `peer` sent a copy of a message still validating. */
  addDuplicate (idKey: MsgIdKey, peer: PeerKey): void {
    const p = this.pending.get(idKey)
    if (p === undefined || p.source === peer) { return }
    if (p.dups === undefined) { p.dups = [peer] } else if (!p.dups.includes(peer)) { p.dups.push(peer) }
  }

  take (idKey: MsgIdKey): PendingValidation | undefined {
    const p = this.pending.get(idKey)
    if (p !== undefined) { this.pending.delete(idKey) }
    return p
  }

  /** Removes and returns entries received at or before `cutoff`. */
  expire (cutoff: number): PendingValidation[] {
    const out: PendingValidation[] = []
    for (const [key, p] of this.pending) {
      if (p.received > cutoff) { break }
      this.pending.delete(key)
      out.push(p)
    }
    return out
  }

  get size (): number {
    return this.pending.size
  }
}
