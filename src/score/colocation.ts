// IP colocation groups for P6: which connected peers share an IPv4 address or IPv6 /64, minus
// whitelisted ranges. Bound: one entry per distinct group of connected peers; a group leaves with its last peer.

import { cidrContains, colocationKey, parseCidr, parseIp } from './ip.ts'
import type { Cidr } from './ip.ts'
import type { PeerKey } from '../core/types.ts'

export class ColocationGroups {
  /** group key → connected peers in it */
  readonly groups = new Map<string, Set<PeerKey>>()
  private readonly whitelist: Cidr[]

  /** `whitelist` holds CIDR strings that validatePeerScoreParams accepted */
  constructor (whitelist: Iterable<string>) {
    this.whitelist = [...whitelist].map(c => parseCidr(c) as Cidr)
  }

  /** The distinct groups of addresses; unparsable, loopback and whitelisted ones have none. */
  keysOf (ips: Iterable<string>): string[] {
    const keys: string[] = []
    for (const ip of ips) {
      const bytes = parseIp(ip)
      if (bytes == null || this.whitelist.some(range => cidrContains(range, bytes))) { continue }
      const key = colocationKey(bytes)
      if (key != null && !keys.includes(key)) { keys.push(key) }
    }
    return keys
  }

  /** Adds peer to each group; `touched` sees every group whose size changed. */
  join (peer: PeerKey, keys: string[], touched: (group: Set<PeerKey>) => void): void {
    for (const key of keys) {
      let group = this.groups.get(key)
      if (group == null) {
        group = new Set()
        this.groups.set(key, group)
      }
      group.add(peer)
      touched(group)
    }
  }

  /** Removes peer from each group, dropping groups left empty. */
  leave (peer: PeerKey, keys: string[], touched: (group: Set<PeerKey>) => void): void {
    for (const key of keys) {
      const group = this.groups.get(key)
      if (group == null) { continue }
      group.delete(peer)
      touched(group)
      if (group.size === 0) { this.groups.delete(key) }
    }
  }
}
