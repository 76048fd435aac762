// Peer exchange and dialling: signed peer records attached to our PRUNEs (a bounded cache filled
// from the peerStore) and PX/direct dials with verified records and a bound on dials in flight.

import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { PeerRecord, RecordEnvelope } from '@libp2p/peer-record'
import type { PeerKey } from '../core/types.ts'
import type { ControlMessage } from '../types.ts'
import type { Logger, PeerId, PeerStore } from '@libp2p/interface'
import type { ConnectionManager } from '@libp2p/interface-internal'

export interface PxCounters {
  /** PX records refused (bad envelope, wrong domain or another peer's record) */
  invalidRecords: number
  /** dials skipped because maxDials were in flight */
  dialsSkipped: number
  dialsStarted: number
  dialsFailed: number
}

/** Signed peer records of peers we may offer in PX; bound `max`, oldest evicted. */
export class RecordCache {
  private readonly records = new Map<PeerKey, Uint8Array>()
  private readonly max: number
  /** looks a peer's record up (undefined: none, or the peer is gone by then) */
  private readonly load: ((peer: PeerKey) => Promise<Uint8Array | undefined>) | undefined

  constructor (max: number, load?: (peer: PeerKey) => Promise<Uint8Array | undefined>) {
    this.max = max
    this.load = load
  }

  get (peer: PeerKey): Uint8Array | undefined { return this.records.get(peer) }

  /** Looks `peer`'s record up in the background and caches it if there is one. */
  fetch (peer: PeerKey): void {
    this.load?.(peer).then(envelope => {
      if (envelope !== undefined) { this.set(peer, envelope) }
    }, () => {})
  }

  set (peer: PeerKey, envelope: Uint8Array): void {
    this.records.delete(peer)
    if (this.records.size >= this.max) { this.records.delete(this.records.keys().next().value as PeerKey) }
    this.records.set(peer, envelope)
  }

  delete (peer: PeerKey): void { this.records.delete(peer) }

  /** Fills in the records of the PX entries of outgoing PRUNEs that we hold one for. */
  attach (control: ControlMessage | undefined, toKey: (bytes: Uint8Array) => PeerKey | undefined): void {
    if (control === undefined) { return }
    for (const prune of control.prune) {
      for (const info of prune.peers) {
        if (info.signedPeerRecord !== undefined || info.peerId === undefined) { continue }
        const key = toKey(info.peerId)
        if (key === undefined) { continue }
        const rec = this.records.get(key)
        if (rec !== undefined) {
          info.signedPeerRecord = rec
        } else {
          // looked up for the next PRUNE; this one goes without
          this.fetch(key)
        }
      }
    }
  }
}

export interface DialerComponents {
  peerStore: PeerStore
  connectionManager: ConnectionManager
}

/** Dials PX candidates and direct peers, at most `maxDials` at once. */
export class Dialer {
  private readonly components: DialerComponents
  private readonly log: Logger
  private readonly maxDials: number
  private inFlight = 0
  private readonly signal: AbortSignal
  readonly counters: PxCounters = { invalidRecords: 0, dialsSkipped: 0, dialsStarted: 0, dialsFailed: 0 }

  constructor (components: DialerComponents, log: Logger, maxDials: number, signal: AbortSignal) {
    this.components = components
    this.log = log
    this.maxDials = maxDials
    this.signal = signal
  }

  /** Verifies a PX record (when given), stores its addresses, then dials the peer. */
  dial (peer: PeerKey, signedPeerRecord?: Uint8Array): void {
    if (this.inFlight >= this.maxDials) {
      this.counters.dialsSkipped++
      return
    }
    this.inFlight++
    this.counters.dialsStarted++
    this.dialNow(peer, signedPeerRecord)
      .catch(err => {
        this.counters.dialsFailed++
        this.log.trace('dial %s failed: %s', peer, (err as Error).message)
      })
      .finally(() => { this.inFlight-- })
  }

  private async dialNow (peer: PeerKey, signedPeerRecord: Uint8Array | undefined): Promise<void> {
    const peerId = peerIdFromString(peer)
    if (signedPeerRecord !== undefined && !await this.storeRecord(peerId, signedPeerRecord)) { return }
    await this.components.connectionManager.openConnection(peerId, { signal: this.signal })
  }

  /** Checks the envelope (peer-record domain, signed by `peerId`, naming `peerId`) and stores it. */
  private async storeRecord (peerId: PeerId, envelopeBytes: Uint8Array): Promise<boolean> {
    try {
      const envelope = await RecordEnvelope.openAndCertify(envelopeBytes, PeerRecord.DOMAIN)
      const record = PeerRecord.createFromProtobuf(envelope.payload)
      if (!peerIdFromPublicKey(envelope.publicKey).equals(peerId) || !record.peerId.equals(peerId)) {
        throw new Error('record of another peer')
      }
      await this.components.peerStore.consumePeerRecord(envelopeBytes, { expectedPeer: peerId, signal: this.signal })
      return true
    } catch (err) {
      this.counters.invalidRecords++
      this.log.trace('invalid PX record for %p: %s', peerId, (err as Error).message)
      return false
    }
  }
}
