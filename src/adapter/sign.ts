// Message authorship: seqno generation, signing own messages and checking received ones against
// the topic's signature policy (docs/protocol.md §3). Owns a bounded cache of authors' peer ids and keys.

import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromMultihash, peerIdFromPublicKey } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import { msgIdKey } from '../core/msgid.ts'
import { StrictSign } from './message.ts'
import type { SignaturePolicy } from './message.ts'
import type { RejectReason } from '../core/types.ts'
import type { WireMessage } from '../types.ts'
import type { PeerId, PrivateKey, PublicKey } from '@libp2p/interface'
import { ed25519Signer, ed25519Verifier } from '#platform'

/** Returns 'libp2p-pubsub:' ‖ the encoded message without `signature` and `key` (the codec's). */
export type SigningBytesFn = (msg: WireMessage) => Uint8Array

/** Increasing 8-byte big-endian sequence numbers, seeded from the clock in ns so restarts don't reuse. */
export class SeqnoGenerator {
  private next: bigint

  constructor (nowNs: bigint = BigInt(Date.now()) * 1_000_000n) {
    this.next = nowNs
  }

  take (): Uint8Array {
    const out = new Uint8Array(8)
    new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, this.next++))
    return out
  }
}

/** Reads an 8-byte big-endian seqno (shorter ones are read as they are). */
export function seqnoToBigInt (seqno: Uint8Array): bigint {
  let n = 0n
  for (const b of seqno) { n = (n << 8n) | BigInt(b) }
  return n
}

// Ed25519 (the usual libp2p identity) is signed and verified through the platform's native path
// where it has one (#platform: node:crypto keys made once per key); other key types, and Ed25519
// where there is none, use the key classes of @libp2p/crypto.

export type SignFn = (data: Uint8Array) => Uint8Array
export type VerifyFn = (data: Uint8Array, signature: Uint8Array) => boolean

/** The native signer for an Ed25519 private key (raw: seed ‖ public key); undefined otherwise. */
export function ed25519SigningKey (key: PrivateKey): SignFn | undefined {
  if (key.type !== 'Ed25519' || key.raw.length < 32) { return undefined }
  return ed25519Signer(key.raw.subarray(0, 32))
}

/** The native verifier for an Ed25519 public key; undefined otherwise. */
export function ed25519VerifyingKey (key: PublicKey): VerifyFn | undefined {
  if (key.type !== 'Ed25519' || key.raw.length !== 32) { return undefined }
  return ed25519Verifier(key.raw)
}

/** Signs this node's own messages. */
export class Signer {
  readonly peerId: PeerId
  readonly publicKey: PublicKey
  private readonly privateKey: PrivateKey
  /** the native Ed25519 signer, if any (see above) */
  private readonly fastSign: SignFn | undefined
  private readonly signingBytes: SigningBytesFn
  private readonly from: Uint8Array
  /** the protobuf public key, only for key types a peer id cannot inline (RSA, ECDSA) */
  private readonly key: Uint8Array | undefined

  constructor (privateKey: PrivateKey, signingBytes: SigningBytesFn) {
    this.privateKey = privateKey
    this.fastSign = ed25519SigningKey(privateKey)
    this.signingBytes = signingBytes
    this.publicKey = privateKey.publicKey
    this.peerId = peerIdFromPublicKey(privateKey.publicKey)
    this.from = this.peerId.toMultihash().bytes
    const inlined = this.peerId.type === 'Ed25519' || this.peerId.type === 'secp256k1'
    this.key = inlined ? undefined : publicKeyToProtobuf(privateKey.publicKey)
  }

  /** Sets from and seqno and signs the message in place. */
  async sign (msg: WireMessage, seqno: Uint8Array): Promise<WireMessage> {
    msg.from = this.from
    msg.seqno = seqno
    const bytes = this.signingBytes(msg)
    msg.signature = this.fastSign === undefined ? await this.privateKey.sign(bytes) : this.fastSign(bytes)
    if (this.key !== undefined) { msg.key = this.key }
    return msg
  }
}

/** A verified author: kept so repeat authors cost one map lookup instead of parsing ids and keys. */
export interface Author {
  peerId: PeerId
  publicKey: PublicKey
  /** the native Ed25519 verifier, if any, made once per cached author */
  fastVerify: VerifyFn | undefined
}

export type VerifyResult =
  | { ok: true, author?: Author }
  | { ok: false, reason: RejectReason }

const AUTHOR_CACHE_SIZE = 1024

/** Checks received messages against a signature policy; only called for messages not seen before. */
export class Verifier {
  private readonly signingBytes: SigningBytesFn
  /** from-bytes (binary string) → author; bound AUTHOR_CACHE_SIZE, oldest evicted on insert */
  private readonly authors = new Map<string, Author>()

  constructor (signingBytes: SigningBytesFn) {
    this.signingBytes = signingBytes
  }

  /**
   * Checks the message's fields (and signature, under StrictSign). Synchronous when the key's
   * verification is (ed25519 and secp256k1 in Node), so the common path needs no promise.
   */
  verify (msg: WireMessage, policy: SignaturePolicy): VerifyResult | Promise<VerifyResult> {
    if (policy !== StrictSign) {
      const stray = msg.signature !== undefined || msg.key !== undefined || msg.from !== undefined || msg.seqno !== undefined
      return stray ? { ok: false, reason: 'unexpected-signature' } : { ok: true }
    }
    if (msg.signature === undefined || msg.from === undefined || msg.seqno === undefined || msg.seqno.length !== 8) {
      return { ok: false, reason: 'missing-signature' }
    }
    const author = this.author(msg.from, msg.key)
    if (author === undefined) { return { ok: false, reason: 'invalid-signature' } }
    const result = (valid: boolean): VerifyResult => valid ? { ok: true, author } : { ok: false, reason: 'invalid-signature' }
    let valid: boolean | Promise<boolean>
    try {
      const bytes = this.signingBytes(msg)
      valid = author.fastVerify === undefined ? author.publicKey.verify(bytes, msg.signature) : author.fastVerify(bytes, msg.signature)
    } catch {
      return result(false)
    }
    return valid instanceof Promise ? valid.then(result, () => result(false)) : result(valid)
  }

  /** The author of `from`, its key taken from `key` (which must match) or inlined in the peer id. */
  author (from: Uint8Array, key?: Uint8Array): Author | undefined {
    const cacheKey = key === undefined ? msgIdKey(from) : undefined
    if (cacheKey !== undefined) {
      const hit = this.authors.get(cacheKey)
      if (hit !== undefined) { return hit }
    }
    let author: Author | undefined
    try {
      const peerId = peerIdFromMultihash(Digest.decode(from))
      if (key !== undefined) {
        const publicKey = publicKeyFromProtobuf(key)
        author = peerIdFromPublicKey(publicKey).equals(peerId) ? { peerId, publicKey, fastVerify: ed25519VerifyingKey(publicKey) } : undefined
      } else if (peerId.publicKey !== undefined) {
        author = { peerId, publicKey: peerId.publicKey, fastVerify: ed25519VerifyingKey(peerId.publicKey) }
      }
    } catch {
      return undefined
    }
    if (author !== undefined && cacheKey !== undefined) {
      if (this.authors.size >= AUTHOR_CACHE_SIZE) { this.authors.delete(this.authors.keys().next().value as string) }
      this.authors.set(cacheKey, author)
    }
    return author
  }
}
