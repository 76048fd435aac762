// Message ids: the default id (from ‖ seqno, as the spec and go define it), the content id for
// unsigned topics, and the bounded fast-id cache that lets repeats skip id computation.

import { keptBytes } from '../codec/write.ts'
import { msgIdFromKey } from '../core/msgid.ts'
import type { MsgIdKey } from '../core/types.ts'
import type { WireMessage } from '../types.ts'
import { sha256Key, sha256KeySync, toBase64 } from '#platform'

/** The spec's default id: raw `from` bytes followed by raw `seqno` bytes (docs/protocol.md §3). */
export function defaultMsgId (msg: WireMessage): Uint8Array {
  const from = msg.from ?? new Uint8Array(0)
  const seqno = msg.seqno ?? new Uint8Array(0)
  const id = new Uint8Array(from.length + seqno.length)
  id.set(from, 0)
  id.set(seqno, from.length)
  return id
}

const EMPTY = new Uint8Array(0)

/** A content id for StrictNoSign topics, which have no from/seqno: sha256 of the data (synchronously). */
export function contentMsgId (data: Uint8Array | undefined): Uint8Array {
  return idFromKey(sha256KeySync(data ?? EMPTY))
}

/**
 * The content id as the core's map key (core/msgid.ts: one char per byte), straight from the hash.
 * Synchronous in Node; a promise where the platform's fastest sha256 is WebCrypto's (browsers).
 */
export function contentIdKey (data: Uint8Array | undefined): MsgIdKey | Promise<MsgIdKey> {
  return sha256Key(data ?? EMPTY)
}

/**
 * The id bytes of a key (one byte per char), from the codec's pool of long-lived bytes (an id
 * larger than its 2 KiB pieces gets a buffer of its own). Its slabs hold our own encoded messages
 * and these ids: both live in the message cache in arrival order, so a slab is kept alive about as
 * long as its pieces. (Views into Node's shared Buffer pool could keep a pool block of unrelated
 * bytes alive per cached id.)
 */
export function idFromKey (key: MsgIdKey): Uint8Array {
  return msgIdFromKey(key, keptBytes(key.length))
}

/** The default public string form of an id (base64, as `@libp2p/gossipsub`). */
export function msgIdToBase64 (id: Uint8Array): string {
  return toBase64(id)
}

export interface KnownId {
  id: Uint8Array
  idKey: MsgIdKey
}

/**
 * fastMsgIdFn result → message id, so a repeat skips data transforms and id hashing. Entries live
 * `ttl` ms (the seen TTL) and at most `max` are kept; both bounds are applied on insert.
 */
export class FastIdCache {
  private readonly entries = new Map<string | number, { known: KnownId, expires: number }>()
  private readonly ttl: number
  private readonly max: number

  constructor (ttl: number, max: number) {
    this.ttl = ttl
    this.max = max
  }

  get size (): number { return this.entries.size }

  get (fastId: string | number, now: number): KnownId | undefined {
    const e = this.entries.get(fastId)
    if (e === undefined || e.expires <= now) { return undefined }
    return e.known
  }

  set (fastId: string | number, known: KnownId, now: number): void {
    this.prune(now)
    if (this.entries.size >= this.max) { this.entries.delete(this.entries.keys().next().value as string | number) }
    this.entries.delete(fastId)
    this.entries.set(fastId, { known, expires: now + this.ttl })
  }

  /** entries are in insertion order with one ttl, so expired ones are at the front */
  private prune (now: number): void {
    for (const [k, e] of this.entries) {
      if (e.expires > now) { return }
      this.entries.delete(k)
    }
  }
}
