// Node's native primitives behind `#platform` (package.json `imports`, condition `node`): sha256,
// base64, Ed25519 and uninitialised slabs from node:crypto / node:buffer. Twin: platform.ts.

import { Buffer } from 'node:buffer'
import { createPrivateKey, createPublicKey, hash, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'

/**
 * sha256 of `data` as a binary string, one char per byte (the core's map key form). The one-shot
 * `hash` with a latin1 result makes the string in one step: no Hash object, no buffer with its own
 * backing store per message, no bytes-to-string pass (≈ 0.5 µs less per 1 KiB message).
 */
export function sha256Key (data: Uint8Array): string {
  return hash('sha256', data, 'binary')
}

/** sha256Key, which is synchronous here already (the portable twin's may not be). */
export const sha256KeySync = sha256Key

/** Standard base64 with padding. */
export function toBase64 (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** A slab for the codec's pools, not zero-filled (its users write every byte they hand out). */
export function allocSlab (size: number): ArrayBuffer {
  return Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer
}

// The key classes of @libp2p/crypto build a new KeyObject from JWK text on every call, which costs
// about as much as the signature itself; a KeyObject made once per key is reused instead.

/** DER headers that turn a raw Ed25519 seed or public key into PKCS#8 / SPKI (RFC 8410). */
const PKCS8_ED25519 = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20)
const SPKI_ED25519 = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00)

/** A synchronous signer for a 32-byte Ed25519 seed; undefined if node:crypto refuses it. */
export function ed25519Signer (seed: Uint8Array): ((data: Uint8Array) => Uint8Array) | undefined {
  const key = fromDer(der => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), PKCS8_ED25519, seed)
  if (key === undefined) { return undefined }
  return (data) => {
    const sig = sign(null, data, key)
    return new Uint8Array(sig.buffer, sig.byteOffset, sig.byteLength)
  }
}

/** A synchronous verifier for a 32-byte Ed25519 public key; undefined if node:crypto refuses it. */
export function ed25519Verifier (publicKey: Uint8Array): ((data: Uint8Array, signature: Uint8Array) => boolean) | undefined {
  const key = fromDer(der => createPublicKey({ key: der, format: 'der', type: 'spki' }), SPKI_ED25519, publicKey)
  if (key === undefined) { return undefined }
  return (data, signature) => verify(null, data, key, signature)
}

/** `make` applied to header ‖ raw; undefined if node:crypto refuses the key. */
function fromDer (make: (der: Buffer) => KeyObject, header: Uint8Array, raw: Uint8Array): KeyObject | undefined {
  try {
    return make(Buffer.concat([header, raw]))
  } catch {
    return undefined
  }
}
