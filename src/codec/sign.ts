// The bytes a message signature covers (docs/protocol.md §3): 'libp2p-pubsub:' ‖ Message without fields 5, 6.
// Stateless; for received messages the unknown fields stay in, as the author signed them.

import { SIGN_PREFIX, signedBytesFromFields } from './encode.ts'
import { CodecError, malformed } from './errors.ts'
import { defaultDecodeLimits } from './limits.ts'
import { Cursor, readTag, skipField } from './read.ts'
import type { WireMessage } from '../types.ts'

/**
 * 'libp2p-pubsub:' ‖ the marshalled message without `signature` (5) and `key` (6). A message with
 * `raw` bytes (received, or encoded once) is signed over exactly those bytes minus fields 5 and 6,
 * so fields this codec does not know stay covered; otherwise it is encoded from its fields.
 * Throws CodecError if `raw` is not a valid encoding.
 */
export function encodeMessageForSigning (msg: WireMessage): Uint8Array {
  const raw = (msg as { raw?: Uint8Array }).raw
  if (!(raw instanceof Uint8Array)) { return signedBytesFromFields(msg) }
  try {
    return stripSignature(raw)
  } catch (err) {
    if (err instanceof CodecError) { throw err }
    throw malformed('internal', 0, String(err))
  }
}

function stripSignature (raw: Uint8Array): Uint8Array {
  const c = new Cursor(raw)
  const end = raw.length
  // ranges [start, stop) of the fields to keep, as a flat list
  const keep: number[] = []
  let kept = 0
  while (c.pos < end) {
    const start = c.pos
    readTag(c, end)
    skipField(c, end, defaultDecodeLimits.maxGroupDepth)
    if (c.field !== 5 && c.field !== 6) {
      const last = keep.length - 1
      if (last > 0 && keep[last] === start) {
        keep[last] = c.pos // adjacent to the previous kept range: extend it
      } else {
        keep.push(start, c.pos)
      }
      kept += c.pos - start
    }
  }
  const out = new Uint8Array(SIGN_PREFIX.length + kept)
  out.set(SIGN_PREFIX, 0)
  let pos = SIGN_PREFIX.length
  for (let i = 0; i < keep.length; i += 2) {
    out.set(raw.subarray(keep[i], keep[i + 1]), pos)
    pos += keep[i + 1] - keep[i]
  }
  return out
}
