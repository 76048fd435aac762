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

/**
 * A peer's colocation groups: NO_KEYS, the one key itself (nearly every peer has one address; an
 * array of one costs ≈ 56 bytes per peer), or an array of several. Never iterate it directly (a
 * string iterates by character): use `keyList` or `forEachKey`.
 */
export type GroupKeys = string | readonly string[]

/** The keys as an array (allocates for a single key: for reports, not hot paths). */
export function keyList (keys: GroupKeys): readonly string[] {
  return typeof keys === 'string' ? [keys] : keys
}

/** P6's raw value for a peer in the groups `keys`: each group's squared surplus over `threshold`, summed. */
export function colocationSurplus (groups: GroupSizes, keys: GroupKeys, threshold: number): number {
  if (typeof keys === 'string') { return surplusOf(groups, keys, threshold) }
  let sum = 0
  for (const key of keys) { sum += surplusOf(groups, key, threshold) }
  return sum
}

function surplusOf (groups: GroupSizes, key: string, threshold: number): number {
  const n = groups.sizeOf(key)
  return n > threshold ? (n - threshold) * (n - threshold) : 0
}

function forEachKey (keys: GroupKeys, fn: (key: string) => void): void {
  if (typeof keys === 'string') {
    fn(keys)
  } else {
    for (const key of keys) { fn(key) }
  }
}

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
  keysOf (ips: Iterable<string>): GroupKeys {
    const keys: string[] = []
    for (const ip of ips) {
      const bytes = parseIp(ip)
      if (bytes == null || this.whitelist.some(range => cidrContains(range, bytes))) { continue }
      const key = colocationKey(bytes)
      if (key != null && !keys.includes(key)) { keys.push(key) }
    }
    if (keys.length === 0) { return NO_KEYS }
    return keys.length === 1 ? keys[0] : keys.slice()
  }

  /** Adds peer to each group; `touched` sees every peer of each group whose size changed. */
  join (peer: PeerKey, keys: GroupKeys, touched: (peer: PeerKey) => void): void {
    forEachKey(keys, key => {
      const g = this.groups.get(key)
      if (g === undefined) {
        this.groups.set(key, peer)
      } else if (typeof g === 'string') {
        if (g === peer) { return }
        this.groups.set(key, new Set([g, peer]))
        touched(g)
      } else {
        if (g.has(peer)) { return }
        for (const p of g) { touched(p) }
        g.add(peer)
      }
      touched(peer)
    })
  }

  /** Removes peer from each group, dropping groups left empty; `touched` as in `join`. */
  leave (peer: PeerKey, keys: GroupKeys, touched: (peer: PeerKey) => void): void {
    forEachKey(keys, key => {
      const g = this.groups.get(key)
      if (g === undefined) { return }
      if (typeof g === 'string') {
        if (g !== peer) { return }
        this.groups.delete(key)
      } else {
        if (!g.delete(peer)) { return }
        for (const p of g) { touched(p) }
        if (g.size === 1) { this.groups.set(key, g.values().next().value as PeerKey) }
      }
      touched(peer)
    })
  }
}
