// The overlay: mesh[topic] for the topics we joined and fanout[topic] (with its last publish time)
// for topics we publish to without joining.

import type { PeerKey } from './types.ts'

export class MeshTable {
  /**
   * Joined topic → mesh peers. Keys: our subscriptions only (local input). Each set is bounded by
   * connected peers and kept ≤ Dhi by the heartbeat. Pruned: LEAVE, PRUNE, peer removal, heartbeat.
   */
  private readonly mesh = new Map<string, Set<PeerKey>>()
  /**
   * Topic we publish to without joining → fanout peers. Keys: our own publishes only. Pruned: by
   * the heartbeat fanoutTTL after the last publish, on JOIN (folded into the mesh), peer removal.
   */
  private readonly fanout = new Map<string, Set<PeerKey>>()
  /** fanout topic → time of our last publish; same keys as `fanout` */
  private readonly lastPub = new Map<string, number>()
  private static readonly none: ReadonlySet<PeerKey> = new Set()

  join (topic: string): Set<PeerKey> {
    let set = this.mesh.get(topic)
    if (set === undefined) {
      set = new Set()
      this.mesh.set(topic, set)
    }
    return set
  }

  /** Drops the mesh of `topic`, returning its former peers. */
  leave (topic: string): Set<PeerKey> | undefined {
    const set = this.mesh.get(topic)
    this.mesh.delete(topic)
    return set
  }

  /** The mesh of a joined topic, undefined if not joined (live; mutate only through this table). */
  meshOf (topic: string): ReadonlySet<PeerKey> | undefined {
    return this.mesh.get(topic)
  }

  isJoined (topic: string): boolean {
    return this.mesh.has(topic)
  }

  addToMesh (topic: string, peer: PeerKey): boolean {
    const set = this.mesh.get(topic)
    if (set === undefined || set.has(peer)) { return false }
    set.add(peer)
    return true
  }

  removeFromMesh (topic: string, peer: PeerKey): boolean {
    return this.mesh.get(topic)?.delete(peer) ?? false
  }

  meshTopics (): IterableIterator<string> {
    return this.mesh.keys()
  }

  fanoutOf (topic: string): ReadonlySet<PeerKey> {
    return this.fanout.get(topic) ?? MeshTable.none
  }

  /** The fanout set of `topic`, created if missing; records `now` as the last publish. */
  touchFanout (topic: string, now: number): Set<PeerKey> {
    let set = this.fanout.get(topic)
    if (set === undefined) {
      set = new Set()
      this.fanout.set(topic, set)
    }
    this.lastPub.set(topic, now)
    return set
  }

  /** Removes and returns the fanout set of `topic`. */
  dropFanout (topic: string): Set<PeerKey> | undefined {
    const set = this.fanout.get(topic)
    this.fanout.delete(topic)
    this.lastPub.delete(topic)
    return set
  }

  fanoutSet (topic: string): Set<PeerKey> | undefined {
    return this.fanout.get(topic)
  }

  fanoutTopics (): IterableIterator<string> {
    return this.fanout.keys()
  }

  lastPublish (topic: string): number | undefined {
    return this.lastPub.get(topic)
  }

  /** Removes a departing peer from every mesh and fanout; returns the mesh topics it was in. */
  removePeer (peer: PeerKey): string[] {
    const left: string[] = []
    for (const [topic, set] of this.mesh) {
      if (set.delete(peer)) { left.push(topic) }
    }
    for (const set of this.fanout.values()) { set.delete(peer) }
    return left
  }

  sizes (): { meshTopics: number, meshPeers: number, fanoutTopics: number, fanoutPeers: number } {
    let meshPeers = 0
    let fanoutPeers = 0
    for (const s of this.mesh.values()) { meshPeers += s.size }
    for (const s of this.fanout.values()) { fanoutPeers += s.size }
    return { meshTopics: this.mesh.size, meshPeers, fanoutTopics: this.fanout.size, fanoutPeers }
  }
}
