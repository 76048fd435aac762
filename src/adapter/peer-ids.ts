// PeerId ↔ PeerKey (the core's string form) and ↔ id bytes. The PeerIds of connected peers come
// from their stream entries and those of direct peers are kept here, so the hot paths never
// re-parse them. Bound: the configured direct peers.

import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import type { PeerIdCodec, PeerKey } from '../core/types.ts'
import type { PeerId } from '@libp2p/interface'

export class PeerIds implements PeerIdCodec {
  /** the connected peers' PeerIds (a second map of every connected peer would cost ≈ 30 bytes each) */
  private readonly connected: (key: PeerKey) => PeerId | undefined
  /** the direct peers (set once at start) */
  private readonly direct = new Map<PeerKey, PeerId>()

  constructor (connected: (key: PeerKey) => PeerId | undefined) {
    this.connected = connected
  }

  /** Keeps the PeerId of a direct peer, connected or not. */
  rememberDirect (id: PeerId): void { this.direct.set(id.toString(), id) }

  /** the PeerId of a key (parsed when not a known peer) */
  get (key: PeerKey): PeerId {
    return this.ifKnown(key) ?? peerIdFromString(key)
  }

  /** the PeerId of a key, only if it is a connected or a direct peer */
  ifKnown (key: PeerKey): PeerId | undefined { return this.connected(key) ?? this.direct.get(key) }

  all (keys: PeerKey[]): PeerId[] { return keys.map(k => this.get(k)) }

  readonly toKey = (bytes: Uint8Array): PeerKey | undefined => {
    try {
      return peerIdFromMultihash(Digest.decode(bytes)).toString()
    } catch {
      return undefined
    }
  }

  readonly toBytes = (key: PeerKey): Uint8Array => this.get(key).toMultihash().bytes
}
