// Gossip promises: after we IWANT ids a peer advertised, the peer owes us one of them before
// iwantFollowupTime; each broken promise is a behaviour penalty (P7, docs/protocol.md §5, §6).

import type { MsgIdKey, PeerKey } from './types.ts'

export class GossipPromises {
  /**
   * id → peer → deadline. Bound: one id per IWANT we send, i.e. peers × maxIHaveMessages per
   * iwantFollowupTime. Pruned: when the message arrives (`fulfil`) and by `takeBroken` at deadline.
   */
  private readonly promises = new Map<MsgIdKey, Map<PeerKey, number>>()

  add (peer: PeerKey, idKey: MsgIdKey, deadline: number): void {
    let m = this.promises.get(idKey)
    if (m === undefined) {
      m = new Map()
      this.promises.set(idKey, m)
    }
    if (!m.has(peer)) { m.set(peer, deadline) }
  }

  /** The message arrived (from anyone): every promise for it is kept. Returns them (see `restore`). */
  fulfil (idKey: MsgIdKey): Map<PeerKey, number> | undefined {
    if (this.promises.size === 0) { return undefined }
    const m = this.promises.get(idKey)
    if (m !== undefined) { this.promises.delete(idKey) }
    return m
  }

  /** Reinstates promises `fulfil` took: the copy that arrived was not the message after all (go). */
  restore (idKey: MsgIdKey, kept: Map<PeerKey, number>): void {
    for (const [peer, deadline] of kept) { this.add(peer, idKey, deadline) }
  }

  /** Removes expired promises and returns how many each peer broke. */
  takeBroken (now: number): Map<PeerKey, number> {
    const broken = new Map<PeerKey, number>()
    for (const [idKey, m] of this.promises) {
      for (const [peer, deadline] of m) {
        if (deadline <= now) {
          m.delete(peer)
          broken.set(peer, (broken.get(peer) ?? 0) + 1)
        }
      }
      if (m.size === 0) { this.promises.delete(idKey) }
    }
    return broken
  }

  get size (): number {
    let n = 0
    for (const m of this.promises.values()) { n += m.size }
    return n
  }
}
