// The portable primitives behind `#platform` (browsers, workers, any runtime without the `node`
// condition): sha256 from @noble/hashes, base64 by btoa. Twin of platform.node.ts, same exports.

import { sha256 } from '@noble/hashes/sha2.js'
import { msgIdKey } from '../core/msgid.ts'

/**
 * sha256 of `data` as a binary string, one char per byte (the core's map key form). Synchronous,
 * unlike WebCrypto's digest: content ids are computed on the receive path for every message, and
 * a promise per message there costs more than hashing 1 KiB in JS (see README, Browser and dApps).
 */
export function sha256Key (data: Uint8Array): string {
  return msgIdKey(sha256(data))
}

/** Standard base64 with padding. */
export function toBase64 (bytes: Uint8Array): string {
  return btoa(msgIdKey(bytes))
}

/** A slab for the codec's pools. */
export function allocSlab (size: number): ArrayBuffer {
  return new ArrayBuffer(size)
}

// No faster Ed25519 path than the key classes of @libp2p/crypto, which already pick WebCrypto or
// @noble/curves in browsers: callers fall back to PrivateKey.sign and PublicKey.verify.

/** None here (see above). */
export function ed25519Signer (seed: Uint8Array): ((data: Uint8Array) => Uint8Array) | undefined {
  return undefined
}

/** None here (see above). */
export function ed25519Verifier (publicKey: Uint8Array): ((data: Uint8Array, signature: Uint8Array) => boolean) | undefined {
  return undefined
}
