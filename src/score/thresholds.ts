// Score thresholds (docs/protocol.md §6): the score levels at which the router withholds gossip, publishing,
// all processing, and PX. Shared by the core (which acts on them) and the score module.

import { InvalidPeerScoreThresholdsError } from './errors.ts'

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

/** Defaults of `@libp2p/gossipsub` (the spec sets none). */
export const defaultPeerScoreThresholds: Readonly<PeerScoreThresholds> = Object.freeze({
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 20
})

/** Thresholds from defaults and overrides. */
export function createPeerScoreThresholds (p: Partial<PeerScoreThresholds> = {}): PeerScoreThresholds {
  return { ...defaultPeerScoreThresholds, ...p }
}

/**
 * Checks the spec's constraints (gossipsub v1.1): gossip < 0, publish ≤ gossip, graylist < publish,
 * acceptPX ≥ 0, opportunisticGraft ≥ 0 (go's checks are looser: gossip ≤ 0, graylist ≤ publish).
 */
export function validatePeerScoreThresholds (p: PeerScoreThresholds): void {
  const bad = (param: keyof PeerScoreThresholds, rule: string): never => {
    throw new InvalidPeerScoreThresholdsError(param, p[param], rule)
  }
  for (const k of ['gossipThreshold', 'publishThreshold', 'graylistThreshold', 'acceptPXThreshold', 'opportunisticGraftThreshold'] as const) {
    if (typeof p[k] !== 'number' || !Number.isFinite(p[k])) { bad(k, 'must be a finite number') }
  }
  if (p.gossipThreshold >= 0) { bad('gossipThreshold', 'must be < 0') }
  if (p.publishThreshold > p.gossipThreshold) { bad('publishThreshold', `must be ≤ gossipThreshold=${p.gossipThreshold}`) }
  if (p.graylistThreshold >= p.publishThreshold) { bad('graylistThreshold', `must be < publishThreshold=${p.publishThreshold}`) }
  if (p.acceptPXThreshold < 0) { bad('acceptPXThreshold', 'must be ≥ 0') }
  if (p.opportunisticGraftThreshold < 0) { bad('opportunisticGraftThreshold', 'must be ≥ 0') }
}
