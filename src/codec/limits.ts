// Decode limits (docs/protocol.md §7) and the per-frame counts of entries skipped over the soft caps.
// Pure data: defaults, a merge helper, and a zeroed SkipCounts factory.

/**
 * Soft caps (`max*`): entries beyond them are skipped without being decoded and counted in
 * SkipCounts; the rest of the frame is still decoded. Hard caps (`hardMax*`): past them the whole
 * frame is rejected with CodecError('ERR_LIMIT', <key>). The hard caps sit where no conforming
 * peer can reach with frames of at most 1 MiB; in the service's default 4 MiB frames only a frame
 * holding over 25 times a soft cap (a frame `@libp2p/gossipsub` drops whole) reaches them.
 */
export interface DecodeLimits {
  /** SubOpts kept per RPC (docs/protocol.md §7: 5000) */
  maxSubscriptions: number
  /** Messages kept per RPC (docs/protocol.md §7: 5000) */
  maxMessages: number
  /** IHAVE, IWANT, GRAFT, PRUNE and IDONTWANT entries kept per RPC, each kind counted apart (5000, as js) */
  maxControlEntries: number
  /** ids kept per IHAVE entry (docs/protocol.md §7: 5000) */
  maxIHaveIds: number
  /** ids kept per IWANT entry (docs/protocol.md §7: 5000) */
  maxIWantIds: number
  /** IDONTWANT ids kept per RPC, over all its IDONTWANT entries (docs/protocol.md §7: 512) */
  maxIDontWantIds: number
  /** PX PeerInfos kept per PRUNE entry (docs/protocol.md §7: 16 = prunePeers) */
  maxPeersPerPrune: number
  /**
   * bytes of one IHAVE, IWANT or IDONTWANT message id kept; longer ids are skipped (ours: 1 KiB;
   * real ids are 20-~80 bytes, and a kept id is held in the seen, promise and IDONTWANT tables)
   */
  maxIdLength: number
  /**
   * Subscriptions, messages, or control entries of one kind in one RPC, kept or skipped. The
   * smallest conforming entry (a one-character topic) takes 5 bytes, so a 1 MiB frame holds at most
   * 209,715; 2^18 is reached only by padding a frame with empty entries.
   */
  hardMaxEntries: number
  /**
   * Message ids of IHAVE, IWANT and IDONTWANT together in one RPC, kept or skipped. An id of n
   * bytes takes n + 2 on the wire, so 1 MiB holds at most 131,072 ids of 6 bytes or more; real ids
   * are ≥ 20 bytes (Ethereum: 20, sha256: 32, go's default from‖seqno: ~46), i.e. < 48,000.
   */
  hardMaxIds: number
  /** PeerInfos in one PRUNE, kept or skipped: the spec asks for "more than Dhi"; go sends 16 */
  hardMaxPeersPerPrune: number
  /** nesting of unknown group fields (wire types 3/4), which no gossipsub implementation sends */
  maxGroupDepth: number
}

export const defaultDecodeLimits: Readonly<DecodeLimits> = Object.freeze({
  maxSubscriptions: 5000,
  maxMessages: 5000,
  maxControlEntries: 5000,
  maxIHaveIds: 5000,
  maxIWantIds: 5000,
  maxIDontWantIds: 512,
  maxPeersPerPrune: 16,
  maxIdLength: 1024,
  hardMaxEntries: 262_144,
  hardMaxIds: 131_072,
  hardMaxPeersPerPrune: 1024,
  maxGroupDepth: 8
})

/** Entries skipped (not decoded) because a soft cap was reached, per kind. */
export interface SkipCounts {
  subscriptions: number
  messages: number
  ihave: number
  iwant: number
  graft: number
  prune: number
  idontwant: number
  ihaveIds: number
  iwantIds: number
  idontwantIds: number
  /** IHAVE, IWANT and IDONTWANT ids longer than maxIdLength */
  longIds: number
  peers: number
}

export function zeroSkips (): SkipCounts {
  return {
    subscriptions: 0,
    messages: 0,
    ihave: 0,
    iwant: 0,
    graft: 0,
    prune: 0,
    idontwant: 0,
    ihaveIds: 0,
    iwantIds: 0,
    idontwantIds: 0,
    longIds: 0,
    peers: 0
  }
}

/** Total of all skip counts (0 when the frame was decoded whole). */
export function totalSkipped (s: SkipCounts): number {
  return s.subscriptions + s.messages + s.ihave + s.iwant + s.graft + s.prune + s.idontwant +
    s.ihaveIds + s.iwantIds + s.idontwantIds + s.longIds + s.peers
}

let lastPartial: Partial<DecodeLimits> | undefined
let lastResolved: Readonly<DecodeLimits> = defaultDecodeLimits

/**
 * Full limits from a partial override; the defaults object itself when nothing is overridden.
 * The last merge is remembered, so a caller passing the same object every frame merges once
 * (so do not mutate a limits object after passing it).
 */
export function resolveLimits (limits?: Partial<DecodeLimits>): Readonly<DecodeLimits> {
  if (limits === undefined || limits === defaultDecodeLimits) {
    return defaultDecodeLimits
  }
  if (limits !== lastPartial) {
    lastResolved = { ...defaultDecodeLimits, ...limits }
    lastPartial = limits
  }
  return lastResolved
}
