// The portable primitives behind `#platform` (browsers, workers, any runtime without the `node`
// condition): sha256 by WebCrypto or @noble/hashes, base64 by btoa. Twin of platform.node.ts.

import { sha256 } from '@noble/hashes/sha2.js'
import { msgIdKey } from '../core/msgid.ts'

/** WebCrypto, where the context has it (browsers expose it only to secure contexts: https, localhost) */
const subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle

/**
 * sha256 of `data` as a binary string, one char per byte (the core's map key form). WebCrypto's
 * digest, although a promise per message, beats sha256 in JS several times over in Chromium
 * (benchmarks/sha256.bench.ts: ≈ 10 against 30 µs for 1 KiB, 0.1 against 1.7 ms for 64 KiB);
 * `@noble/hashes` where there is no WebCrypto.
 */
export function sha256Key (data: Uint8Array): string | Promise<string> {
  if (subtle === undefined) { return msgIdKey(sha256(data)) }
  return subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>).then(d => msgIdKey(new Uint8Array(d)))
}

/** sha256Key, always synchronous (`@noble/hashes`), for the rare callers that cannot wait. */
export function sha256KeySync (data: Uint8Array): string {
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
