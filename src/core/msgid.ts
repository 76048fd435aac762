// Message ids as map keys. Ids are bytes (often not UTF-8); the core keys its maps by a binary
// string with one char per byte, which is cheap to build and compare, unlike base64.

import type { MsgIdKey } from './types.ts'

/** Bytes turned into chars by one fromCharCode call (well under V8's argument limit). */
const CHUNK = 8192

/** The binary-string map key of a message id. */
export function msgIdKey (id: Uint8Array): MsgIdKey {
  if (id.length <= 64) {
    // one flat string from a plain array of small ints; `s +=` per byte built a rope that every
    // Map lookup had to flatten first (about 3x slower per key, measured in benchmarks/)
    const codes = new Array<number>(id.length)
    for (let i = 0; i < id.length; i++) { codes[i] = id[i] }
    return String.fromCharCode.apply(null, codes)
  }
  if (id.length <= CHUNK) { return String.fromCharCode.apply(null, id as unknown as number[]) }
  // ids come from the wire unchecked in size: one apply over > ~125k arguments overflows the stack
  let key = ''
  for (let i = 0; i < id.length; i += CHUNK) {
    key += String.fromCharCode.apply(null, id.subarray(i, i + CHUNK) as unknown as number[])
  }
  return key
}

/** The id bytes back from a key, into `out` (key.length bytes) when given. */
export function msgIdFromKey (key: MsgIdKey, out: Uint8Array = new Uint8Array(key.length)): Uint8Array {
  for (let i = 0; i < key.length; i++) { out[i] = key.charCodeAt(i) }
  return out
}
