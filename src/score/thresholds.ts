// Score thresholds (SPEC.md §6): the score levels at which the router withholds gossip, publishing,
// all processing, and PX. Shared by the core (which acts on them) and the score module.

export interface PeerScoreThresholds {
  /** below this, no IHAVE/IWANT is emitted to or accepted from the peer; < 0 */
  gossipThreshold: number
  /** below this, own messages are not (flood-)published to the peer; ≤ gossipThreshold */
  publishThreshold: number
  /** below this, every RPC from the peer is ignored; < publishThreshold */
  graylistThreshold: number
  /** PX in a PRUNE is accepted only from peers scoring at least this; ≥ 0 */
  acceptPXThreshold: number
  /** opportunistic grafting runs when the median mesh score is below this; ≥ 0 */
  opportunisticGraftThreshold: number
}

/** Defaults of @libp2p/gossipsub (the spec sets none). */
export const defaultPeerScoreThresholds: Readonly<PeerScoreThresholds> = Object.freeze({
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 20
})
