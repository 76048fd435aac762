// The wire codec: GossipSub RPC frames ↔ the plain domain types of src/types.ts (docs/protocol.md §2, §7).
// Re-exports only; each concern lives in its own module (read, decode, write, encode, sign, frame, split).
//
// Why hand-written rather than protobufjs-generated classes:
// - Limits must skip entries over a cap WITHOUT materializing them (docs/protocol.md §7): a generated decoder
//   builds every entry before anyone can count it.
// - Speed: one pass, no per-field objects, ids and bytes as views into the frame (no copies),
//   two-pass encoding into one pooled allocation, and already-encoded messages spliced as-is.
// - Domain types stay plain objects (DESIGN §1); no conversion layer on the hot path.
// The schema lives in proto/rpc.proto. `npm run generate` builds a protobufjs static module from it
// into generated/, which only the tests import: they check, both ways, that this codec and
// protobufjs agree on every RPC, so the hand-written code is held to an independent oracle.
// protobufjs therefore stays a devDependency.
//
// Conventions:
// - Decoded objects always carry every key of their type; an absent optional field is `undefined`
//   (stable object shapes; deep-equal round trips compare like with like). The encoder treats a
//   missing key and `undefined` alike. Strings the types declare required (Message.topic, the
//   topic of IHAVE/GRAFT/PRUNE) decode to '' when absent and are always encoded.
// - Message ids, bytes fields and each message's `raw` are plain Uint8Array views into the decoded
//   frame: they alias it and keep it alive (no copies). Ids are never decoded as text. Exception: a
//   message under a quarter of a buffer larger than 64 KiB is decoded from its own copy, so a cached
//   message cannot pin a padded 1 MiB frame (docs/bounds.md).
// - Unknown fields are skipped at every level, any field number (incl. ≥ 0x200000) and wire type;
//   groups (3/4) are skipped to their matching end tag. A known field with the wrong wire type, a
//   length overflowing its parent, a truncated or over-long varint, field number 0 → CodecError.
// - Repeated occurrences of a singular embedded message (control, extensions, partial) merge.
// - Encoded frames up to 8 KiB are views into shared 64 KiB slabs (see write.ts): use byteOffset
//   and length, never `.buffer` alone, and never transfer/detach their buffer. encodeMessage output
//   (kept long as a message's `raw`) gets its own buffer.
// - Limits: see limits.ts. Soft caps skip and count (SkipCounts); hard caps and malformed input
//   throw CodecError, the only exception that leaves decodeRpc, FrameReader or splitRpc.

export { CodecError } from './errors.ts'
export type { CodecErrorCode } from './errors.ts'
export { defaultDecodeLimits, totalSkipped } from './limits.ts'
export type { DecodeLimits, SkipCounts } from './limits.ts'
export { decodeRpc } from './decode.ts'
export type { DecodeResult } from './decode.ts'
export { encodeRpc, encodeRpcFrame, encodeMessage, SIGN_PREFIX } from './encode.ts'
export { encodeMessageForSigning } from './sign.ts'
export { encodeFrame, encodeFrames, FrameReader, DEFAULT_MAX_TRANSMIT_SIZE } from './frame.ts'
export type { FrameReaderOptions } from './frame.ts'
export { splitRpc } from './split.ts'
export type { SplitOptions, SplitResult } from './split.ts'
