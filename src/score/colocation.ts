// IP colocation groups for P6: which connected peers share an IPv4 address or IPv6 /64, minus
// whitelisted ranges. Bound: one entry per distinct group of connected peers; a group leaves with its last peer.

import { cidrContains, colocationKey, parseCidr, parseIp } from './ip.ts'
import type { Cidr } from './ip.ts'
import type { PeerKey } from '../core/types.ts'

/** How many connected peers share a colocation group (what P6 needs of the groups). */
export interface GroupSizes {
  sizeOf(key: string): number
}

/** the groups of a peer without any (shared) */
export const NO_KEYS: readonly string[] = Object.freeze([])

export class ColocationGroups implements GroupSizes {
  /**
   * group key → its connected peers: the peer key itself while it is alone there (most addresses
   * hold one peer; a Set each would cost ≈ 150 B per peer), a Set from the second peer on
   */
  private readonly groups = new Map<string, PeerKey | Set<PeerKey>>()
  private readonly whitelist: Cidr[]

  /** `whitelist` holds CIDR strings that validatePeerScoreParams accepted */
  constructor (whitelist: Iterable<string>) {
    this.whitelist = [...whitelist].map(c => parseCidr(c) as Cidr)
  }

  /** number of groups with at least one peer */
  get size (): number { return this.groups.size }

  sizeOf (key: string): number {
    const g = this.groups.get(key)
    if (g === undefined) { return 0 }
    return typeof g === 'string' ? 1 : g.size
  }

  /**
   * The distinct groups of addresses; unparsable, loopback and whitelisted ones have none. The
   * result is kept per peer, so it is sized to fit (a pushed-to array reserves room for 17).
   */
  keysOf (ips: Iterable<string>): readonly string[] {
    const keys: string[] = []
    for (const ip of ips) {
      const bytes = parseIp(ip)
      if (bytes == null || this.whitelist.some(range => cidrContains(range, bytes))) { continue }
      const key = colocationKey(bytes)
      if (key != null && !keys.includes(key)) { keys.push(key) }
    }
    return keys.length === 0 ? NO_KEYS : keys.slice()
  }

  /** Adds peer to each group; `touched` sees every peer of each group whose size changed. */
  join (peer: PeerKey, keys: readonly string[], touched: (peer: PeerKey) => void): void {
    for (const key of keys) {
      const g = this.groups.get(key)
      if (g === undefined) {
        this.groups.set(key, peer)
      } else if (typeof g === 'string') {
        if (g === peer) { continue }
        this.groups.set(key, new Set([g, peer]))
        touched(g)
      } else {
        if (g.has(peer)) { continue }
        for (const p of g) { touched(p) }
        g.add(peer)
      }
      touched(peer)
    }
  }

  /** Removes peer from each group, dropping groups left empty; `touched` as in `join`. */
  leave (peer: PeerKey, keys: readonly string[], touched: (peer: PeerKey) => void): void {
    for (const key of keys) {
      const g = this.groups.get(key)
      if (g === undefined) { continue }
      if (typeof g === 'string') {
        if (g !== peer) { continue }
        this.groups.delete(key)
      } else {
        if (!g.delete(peer)) { continue }
        for (const p of g) { touched(p) }
        if (g.size === 1) { this.groups.set(key, g.values().next().value as PeerKey) }
      }
      touched(peer)
    }
  }
}
