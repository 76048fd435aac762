// The bound of every router structure a remote peer can grow, as a formula of the config (the
// executable form of docs/bounds.md), keyed like Router.stats().

import type { RouterConfig } from '../../src/config.ts'

export interface BoundContext {
  /** peers connected now (the connection manager's limit bounds it) */
  peers: number
  /** peer sessions (connections) begun within iwantFollowupTime + 2 heartbeats, plus those connected */
  peerSessionsInPromiseWindow: number
  /** distinct peers connected within the backoff horizon (here: ever) */
  peersEver: number
  /** topics we joined within the backoff horizon (here: ever) */
  topicsJoinedEver: number
  myTopics: number
  fanoutTopics: number
}

/** The largest mesh degree of any topic (global or per-topic override). */
function maxDegree (cfg: RouterConfig, k: 'D' | 'Dhi'): number {
  let d = cfg[k]
  for (const t of Object.values(cfg.topics)) { d = Math.max(d, t[k]) }
  return d
}

/** stats() key → its bound. Mesh sizes between heartbeats may exceed Dhi by outbound GRAFTs: see meshPeers. */
export function stateBounds (cfg: RouterConfig, c: BoundContext): Record<string, number> {
  const hbPerFollowup = Math.ceil(cfg.iwantFollowupTime / cfg.heartbeatInterval) + 2
  return {
    maxPeerTopics: cfg.maxPeerTopics,
    peerTopics: c.peers * cfg.maxPeerTopics,
    knownTopics: c.peers * cfg.maxPeerTopics,
    meshTopics: c.myTopics,
    // inbound GRAFTs stop at Dhi; outbound peers may GRAFT past it until the next heartbeat
    meshPeers: c.myTopics * Math.max(maxDegree(cfg, 'Dhi'), c.peers),
    fanoutPeers: c.fanoutTopics * maxDegree(cfg, 'D'),
    backoff: c.topicsJoinedEver * c.peersEver,
    seen: cfg.seenMaxEntries,
    mcache: cfg.mcacheMaxMessages,
    promises: c.peerSessionsInPromiseWindow * Math.min(cfg.maxIHaveMessages, cfg.maxIHaveLength) * hbPerFollowup,
    iwantAsked: c.peers * cfg.maxIHaveLength,
    maxIdontwantPerPeer: Math.min(cfg.idontwantMaxStored, cfg.idontwantMaxIds * cfg.idontwantMaxMessages * (cfg.idontwantRetentionTicks + 1)),
    idontwant: c.peers * Math.min(cfg.idontwantMaxStored, cfg.idontwantMaxIds * cfg.idontwantMaxMessages * (cfg.idontwantRetentionTicks + 1)),
    pendingValidations: cfg.maxPendingValidations,
    pendingDials: cfg.maxPendingDials
  }
}

/** mcacheBytes ≤ mcacheMaxBytes unless a single message is larger than the whole budget. */
export function mcacheBytesOk (cfg: RouterConfig, mcache: number, mcacheBytes: number): boolean {
  return mcacheBytes <= cfg.mcacheMaxBytes || mcache <= 1
}
