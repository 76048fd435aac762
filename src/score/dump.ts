// dumpPeerScoreStats: the score counters of every known peer in @libp2p/gossipsub's
// PeerScoreStatsDump shape (a plain copy; nothing in it reaches back into the score).

import { keyList } from './colocation.ts'
import type { PeerStats } from './counters.ts'
import type { PeerKey } from '../core/types.ts'

/** One peer's counters in one topic (`@libp2p/gossipsub`'s TopicStats). */
export interface TopicStatsDump {
  inMesh: boolean
  /** when the peer was grafted (wall clock, ms) */
  graftTime: number
  /** time in mesh (ms) as of the last decay step */
  meshTime: number
  firstMessageDeliveries: number
  meshMessageDeliveries: number
  meshMessageDeliveriesActive: boolean
  meshFailurePenalty: number
  invalidMessageDeliveries: number
}

/** One peer's counters (`@libp2p/gossipsub`'s PeerStats). */
export interface PeerStatsDump {
  connected: boolean
  /** for a disconnected peer, when its record is dropped (wall clock, ms); 0 while connected */
  expire: number
  topics: Record<string, TopicStatsDump>
  /** the peer's IP colocation groups: IPv4 addresses and IPv6 /64 prefixes (P6 counts per group) */
  knownIPs: Set<string>
  behaviourPenalty: number
}

/** peer id string → its counters */
export type PeerScoreStatsDump = Record<string, PeerStatsDump>

/**
 * Copies every peer record. `wallClock` turns the score's clock (the router's monotonic ms) into
 * Date.now() time, the clock `@libp2p/gossipsub` uses in these fields.
 */
export function dumpPeerStats (peers: Iterable<Readonly<PeerStats>>, wallClock: (t: number) => number): PeerScoreStatsDump {
  const out: PeerScoreStatsDump = {}
  for (const ps of peers) {
    const topics: Record<string, TopicStatsDump> = {}
    for (const [topic, ts] of ps.topics) {
      topics[topic] = {
        inMesh: ts.inMesh,
        graftTime: ts.graftTime === 0 ? 0 : wallClock(ts.graftTime),
        meshTime: ts.meshTime,
        firstMessageDeliveries: ts.firstMessageDeliveries,
        meshMessageDeliveries: ts.meshMessageDeliveries,
        meshMessageDeliveriesActive: ts.meshMessageDeliveriesActive,
        meshFailurePenalty: ts.meshFailurePenalty,
        invalidMessageDeliveries: ts.invalidMessageDeliveries
      }
    }
    out[ps.peer as PeerKey] = {
      connected: ps.connected,
      expire: ps.connected ? 0 : wallClock(ps.expire),
      topics,
      knownIPs: new Set(keyList(ps.ipKeys)),
      behaviourPenalty: ps.behaviourPenalty
    }
  }
  return out
}
