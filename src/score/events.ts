// Threshold-crossing events: when a peer's score moves across one of the levels the router acts on,
// an event with old and new score, the breakdown and the last penalty goes into a bounded queue.

import type { ScoreSnapshot } from './compute.ts'
import type { PenaltyCause } from './counters.ts'
import type { PeerScoreThresholds } from './thresholds.ts'
import type { PeerKey } from '../core/types.ts'

/** The levels a score is watched against; `zero` is where mesh membership is lost (score < 0). */
export type ThresholdName = 'graylist' | 'publish' | 'gossip' | 'zero' | 'acceptPX' | 'opportunisticGraft'

export interface ScoreThresholdEvent {
  peer: PeerKey
  threshold: ThresholdName
  /** the threshold's value */
  level: number
  /** down: from ≥ level to < level; up: the reverse */
  direction: 'down' | 'up'
  oldScore: number
  newScore: number
  /** time of the update that caused it (ms; the latest time the score module was given) */
  at: number
  snapshot: ScoreSnapshot
  lastPenalty?: PenaltyCause
}

/** The watched levels, lowest first. */
export function thresholdLevels (t: PeerScoreThresholds): Array<[ThresholdName, number]> {
  return [
    ['graylist', t.graylistThreshold],
    ['publish', t.publishThreshold],
    ['gossip', t.gossipThreshold],
    ['zero', 0],
    ['acceptPX', t.acceptPXThreshold],
    ['opportunisticGraft', t.opportunisticGraftThreshold]
  ]
}

/** True when moving from old to next crosses any level (cheap pre-check before building events). */
export function crossesAny (levels: ReadonlyArray<[ThresholdName, number]>, old: number, next: number): boolean {
  for (const [, level] of levels) {
    if ((old >= level) !== (next >= level)) { return true }
  }
  return false
}

/** the empty result of `take`, shared (frozen, so a caller cannot fill it) */
const NONE: ScoreThresholdEvent[] = Object.freeze([]) as unknown as ScoreThresholdEvent[]

/**
 * Bounded FIFO of events. Bound: `max` events; when full the oldest is dropped and counted in
 * `dropped`. Emptied by `take` (the adapter drains it after each input).
 */
export class ThresholdEventQueue {
  private events: ScoreThresholdEvent[] = []
  private readonly max: number
  dropped = 0

  constructor (max: number) {
    this.max = max
  }

  get length (): number { return this.events.length }

  push (e: ScoreThresholdEvent): void {
    if (this.events.length >= this.max) {
      this.events.shift()
      this.dropped++
    }
    this.events.push(e)
  }

  take (): ScoreThresholdEvent[] {
    // polled after every input: no fresh array when there is nothing to hand over
    if (this.events.length === 0) { return NONE }
    const out = this.events
    this.events = []
    return out
  }
}
