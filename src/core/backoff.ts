// GRAFT backoff per (topic, peer): set by PRUNEs in either direction and by LEAVE; remote backoffs
// are clamped so no arithmetic on them can overflow (docs/protocol.md §4, §5).

import type { PeerKey } from './types.ts'

/** Milliseconds of backoff asked by a remote PRUNE (`seconds` from the wire), clamped to `maxMs`. */
export function remoteBackoffMs (seconds: number | undefined, fallbackMs: number, maxMs: number): number {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) { return fallbackMs }
  // compare before multiplying: a uint64 from the wire may be near 2^64
  if (seconds >= maxMs / 1000) { return maxMs }
  return Math.ceil(seconds * 1000)
}

export class BackoffTable {
  /** heartbeats of slack after expiry before we graft the peer again */
  private readonly slackMs: number
  /**
   * topic → peer → expiry (ms). Bound: joined topics (GRAFT/PRUNE for other topics are ignored)
   * × peers pruned within the clamp (maxRemoteBackoff). Pruned: `sweep(now)` every heartbeat.
   */
  private readonly table = new Map<string, Map<PeerKey, number>>()

  constructor (slackMs: number) {
    this.slackMs = slackMs
  }

  /** Records a backoff until `expiry`, keeping a later existing one. */
  set (topic: string, peer: PeerKey, expiry: number): void {
    let m = this.table.get(topic)
    if (m === undefined) {
      m = new Map()
      this.table.set(topic, m)
    }
    const old = m.get(peer)
    if (old === undefined || old < expiry) { m.set(peer, expiry) }
  }

  /** The backoff expiry of (topic, peer), if any. */
  expiry (topic: string, peer: PeerKey): number | undefined {
    return this.table.get(topic)?.get(peer)
  }

  /** True while we must not graft the peer (backoff plus our slack). */
  blocks (topic: string, peer: PeerKey, now: number): boolean {
    const e = this.expiry(topic, peer)
    return e !== undefined && now < e + this.slackMs
  }

  /** Forgets backoffs whose expiry plus slack has passed. */
  sweep (now: number): void {
    for (const [topic, m] of this.table) {
      for (const [peer, e] of m) {
        if (e + this.slackMs <= now) { m.delete(peer) }
      }
      if (m.size === 0) { this.table.delete(topic) }
    }
  }

  get size (): number {
    let n = 0
    for (const m of this.table.values()) { n += m.size }
    return n
  }
}
