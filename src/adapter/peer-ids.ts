// PeerId ↔ PeerKey (the core's string form) and ↔ id bytes, with the PeerIds of connected and
// direct peers kept so the hot paths never re-parse them. Bound: connected + direct peers.

import { peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import type { PeerIdCodec, PeerKey } from '../core/types.ts'
import type { PeerId } from '@libp2p/interface'

export class PeerIds implements PeerIdCodec {
  /** pruned by `forget` when a peer disconnects */
  private readonly known = new Map<PeerKey, PeerId>()

  remember (id: PeerId): void { this.known.set(id.toString(), id) }

  forget (key: PeerKey): void { this.known.delete(key) }

  /** the PeerId of a key (parsed when not a known peer) */
  get (key: PeerKey): PeerId {
    return this.known.get(key) ?? peerIdFromString(key)
  }

  /** the PeerId of a key, only if it is a known peer */
  ifKnown (key: PeerKey): PeerId | undefined { return this.known.get(key) }

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
