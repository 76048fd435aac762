// Delivery records: per message id, its validation status, when it validated and which peers sent
// it, so near-first copies earn P3 and copies of invalid messages earn P4 exactly once per peer.

import { Fifo } from '../cache/fifo.ts'
import type { MsgIdKey, PeerKey } from '../core/types.ts'

export const DeliveryStatus = {
  /** first copy is being validated; copies arriving now are credited or penalised at the verdict */
  Validating: 0,
  Valid: 1,
  Invalid: 2,
  /** validation said Ignore: copies cost and earn nothing */
  Ignored: 3
} as const
export type DeliveryStatusValue = typeof DeliveryStatus[keyof typeof DeliveryStatus]

export interface DeliveryRecord {
  status: DeliveryStatusValue
  /** when the record was created (ms); drives expiry */
  firstSeen: number
  /** when the first copy validated (ms); the near-first window is measured from here */
  validated: number
  /** the peer whose copy was validated first */
  first: PeerKey | undefined
  /** other peers that sent a copy; allocated on the first duplicate only */
  others: PeerKey[] | undefined
}

/**
 * Bounded map of delivery records. Bound: at most `maxRecords` entries, and none older than `ttl`
 * (the seen-cache TTL: after it a copy is no longer a duplicate for the router either). Pruned in
 * `getOrCreate` (count: the oldest record goes) and in `expire` (age), which the score's decay step
 * calls. A FIFO of ids gives the oldest in O(1): deleting from the front of a large Map and asking
 * it for its first key again costs time proportional to the holes left behind.
 */
export class DeliveryRecords {
  private readonly records = new Map<MsgIdKey, DeliveryRecord>()
  /** ids in creation order */
  private readonly order = new Fifo<MsgIdKey>()
  private readonly ttl: number
  private readonly maxRecords: number

  constructor (ttl: number, maxRecords: number) {
    this.ttl = ttl
    this.maxRecords = maxRecords
  }

  get size (): number { return this.records.size }

  get (id: MsgIdKey): DeliveryRecord | undefined {
    return this.records.get(id)
  }

  /** The record of id, created (status Validating) when missing. */
  getOrCreate (id: MsgIdKey, now: number): DeliveryRecord {
    let rec = this.records.get(id)
    if (rec == null) {
      if (this.records.size >= this.maxRecords) { this.dropOldest() }
      rec = { status: DeliveryStatus.Validating, firstSeen: now, validated: 0, first: undefined, others: undefined }
      this.records.set(id, rec)
      this.order.push(id)
    }
    return rec
  }

  /** Drops records older than the TTL. */
  expire (now: number): void {
    for (let id = this.order.peek(); id !== undefined; id = this.order.peek()) {
      const rec = this.records.get(id)
      if (rec != null && rec.firstSeen + this.ttl > now) { break }
      this.dropOldest()
    }
  }

  private dropOldest (): void {
    const id = this.order.shift()
    if (id !== undefined) { this.records.delete(id) }
  }
}

/** True when peer already sent a copy recorded here. */
export function hasSender (rec: DeliveryRecord, peer: PeerKey): boolean {
  return rec.first === peer || (rec.others?.includes(peer) ?? false)
}

/** Records peer as a sender of another copy. */
export function addSender (rec: DeliveryRecord, peer: PeerKey): void {
  if (rec.first === undefined) {
    rec.first = peer
  } else if (rec.others == null) {
    rec.others = [peer]
  } else {
    rec.others.push(peer)
  }
}
