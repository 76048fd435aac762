// Fuzz inputs at the byte level: a tiny protobuf writer for hand-built hostile frames, the seeded
// mutations applied to valid frames, and fast-check arbitraries for structure-aware RPCs.

import fc from 'fast-check'
import { encodeRpc } from '../../src/codec/index.ts'
import type { SeededRng } from '../../src/core/rng.ts'
import type { ControlMessage, Rpc, WireMessage } from '../../src/types.ts'

const enc = new TextEncoder()

/** Bytes of an unsigned varint (as a bigint, so 2^64 − 1 is exact). */
export function varint (n: number | bigint): number[] {
  let v = BigInt(n)
  const out: number[] = []
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  }
  out.push(Number(v))
  return out
}

export function tag (field: number, wire: number): number[] {
  return varint(field * 8 + wire)
}

/** A length-delimited field. */
export function ld (field: number, body: ArrayLike<number>): number[] {
  return [...tag(field, 2), ...varint(body.length), ...Array.from(body)]
}

export function vfield (field: number, value: number | bigint): number[] {
  return [...tag(field, 0), ...varint(value)]
}

export const UINT64_MAX = (1n << 64n) - 1n

/** A PRUNE of `topic` asking for the largest uint64 backoff (the rust overflow advisories). */
export function pruneMaxBackoffFrame (topic: string): Uint8Array {
  return new Uint8Array(ld(3, ld(4, [...ld(1, enc.encode(topic)), ...vfield(3, UINT64_MAX)])))
}

/** Topic pool shared by frames and the router under test: joined, fanout-only and unknown topics. */
export const TOPICS = ['a', 'b', 'c', 'd', 'e', '']

/** `author ‖ seqno(n)` as 8 big-endian bytes: the default message id of that message. */
export function seqno (n: number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setUint32(4, n)
  return b
}

function concat (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

/** Authors of messages in frames; 'me' is the router under test (forgeries of our own messages). */
export const AUTHORS = ['p0', 'p1', 'p2', 'me']

const topicArb = fc.oneof(
  { weight: 16, arbitrary: fc.constantFrom(...TOPICS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  // long names; hugeField adds 100–500 KB ones
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5000 }).map(n => 'x'.repeat(n)) }
)
const idArb = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...AUTHORS), fc.nat({ max: 63 })).map(([a, n]) => concat(enc.encode(a), seqno(n))) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 48 }) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  { weight: 1, arbitrary: fc.integer({ min: 65, max: 2000 }).map(n => new Uint8Array(n).fill(7)) }
)
const messageArb: fc.Arbitrary<WireMessage> = fc.record({
  from: fc.option(fc.constantFrom(...AUTHORS).map(a => enc.encode(a)), { nil: undefined }),
  seqno: fc.option(fc.nat({ max: 63 }).map(seqno), { nil: undefined }),
  data: fc.option(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1024, max: 4096 }).map(n => new Uint8Array(n).fill(n & 0xff))), { nil: undefined }),
  topic: topicArb,
  signature: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
  key: fc.option(fc.uint8Array({ maxLength: 36 }), { nil: undefined })
})
const backoffArb = fc.option(fc.oneof(fc.nat({ max: 120 }), fc.constant(2 ** 64), fc.constant(2 ** 53), fc.nat()), { nil: undefined })
const peerInfoArb = fc.record({
  peerId: fc.option(fc.oneof(fc.constantFrom('p0', 'p5', 'q1', 'q2', 'q3').map(s => enc.encode(s)), fc.uint8Array({ maxLength: 40 })), { nil: undefined }),
  signedPeerRecord: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined })
})
const ids = (max: number): fc.Arbitrary<Uint8Array[]> => fc.array(idArb, { maxLength: max })
const controlArb: fc.Arbitrary<ControlMessage> = fc.record({
  ihave: fc.array(fc.record({ topic: topicArb, messageIds: ids(12) }), { maxLength: 3 }),
  iwant: fc.array(fc.record({ messageIds: ids(12) }), { maxLength: 3 }),
  graft: fc.array(fc.record({ topic: topicArb }), { maxLength: 4 }),
  prune: fc.array(fc.record({ topic: topicArb, peers: fc.array(peerInfoArb, { maxLength: 20 }), backoff: backoffArb }), { maxLength: 3 }),
  idontwant: fc.array(fc.record({ messageIds: ids(16) }), { maxLength: 3 }),
  extensions: fc.option(fc.record({ testExtension: fc.option(fc.boolean(), { nil: undefined }), partialMessages: fc.option(fc.boolean(), { nil: undefined }) }), { nil: undefined })
})

/** Structure-aware RPCs: pooled topics and ids (so frames hit the router's state), plus extremes. */
export const rpcArb: fc.Arbitrary<Rpc> = fc.record({
  subscriptions: fc.array(fc.record({ subscribe: fc.option(fc.boolean(), { nil: undefined }), topic: fc.option(topicArb, { nil: undefined }) }), { maxLength: 6 }),
  messages: fc.array(messageArb, { maxLength: 4 }),
  control: fc.option(controlArb, { nil: undefined }),
  testExtension: fc.option(fc.constant(true), { nil: undefined })
})

/** `n` encoded valid frames drawn from rpcArb with a fixed seed. */
export function corpus (n: number, seed: number): Uint8Array[] {
  return fc.sample(rpcArb, { numRuns: n, seed }).map(r => encodeRpc(r))
}

export const MUTATIONS = [
  'bitflip', 'byte', 'truncate', 'extend', 'longVarint', 'wireType', 'lengthOverflow', 'duplicate',
  'unknownField', 'splice', 'hugeCount', 'maxBackoff', 'hugeField', 'group'
] as const
export type Mutation = typeof MUTATIONS[number]

/** A random field number: mostly small, sometimes one of the large experimental ones. */
function fieldNumber (rng: SeededRng): number {
  return rng.next() < 0.8 ? 1 + rng.int(15) : 16 + rng.int(0x1fffffff - 16)
}

/** `b` with `ins` inserted at `at` and `del` bytes removed there. */
function splice (b: Uint8Array, at: number, ins: ArrayLike<number>, del = 0): Uint8Array {
  const out = new Uint8Array(b.length - del + ins.length)
  out.set(b.subarray(0, at))
  out.set(ins, at)
  out.set(b.subarray(at + del), at + ins.length)
  return out
}

/** One small entry repeated past the soft caps (and now and then past the hard caps). */
function hugeCount (rng: SeededRng, b: Uint8Array): Uint8Array {
  const entries = [ld(1, ld(2, enc.encode(TOPICS[rng.int(3)]))), ld(3, ld(1, ld(2, [1, 2, 3, 4]))), ld(3, ld(5, ld(1, [9, 9]))), ld(3, ld(3, ld(1, [97])))]
  const hard = rng.next() < 0.02
  // past the hard cap only empty SubOpts fit in 1 MiB (2 bytes each)
  const e = hard ? [0x0a, 0x00] : entries[rng.int(entries.length)]
  const n = hard ? 262_145 + rng.int(1000) : 5000 + rng.int(2000)
  const out = new Uint8Array(b.length + e.length * n)
  out.set(b)
  for (let i = 0, o = b.length; i < n; i++, o += e.length) { out.set(e, o) }
  return out
}

/** A 100–500 KB topic, id or unknown field (still within one 1 MiB frame). */
function hugeField (rng: SeededRng, b: Uint8Array): Uint8Array {
  const n = 100_000 + rng.int(400_000)
  const kind = rng.int(3)
  const head = kind === 0 ? tag(1, 2) : kind === 1 ? tag(3, 2) : tag(15, 2)
  const inner = kind === 0 ? [...tag(2, 2), ...varint(n)] : kind === 1 ? [...tag(1, 2), ...varint(n + 1 + varint(n).length), ...tag(2, 2), ...varint(n)] : []
  const lenBytes = kind === 2 ? varint(n) : varint(inner.length + n)
  const pre = [...head, ...lenBytes, ...inner]
  // 0xfe bytes: read as a length prefix they are over-long, so leftovers fail fast
  const out = new Uint8Array(b.length + pre.length + n).fill(0xfe)
  out.set(b)
  out.set(pre, b.length)
  return out
}

/**
 * Applies one mutation to a frame body. `other` is another valid frame (for splicing); the result
 * is a new array, never the input.
 */
export function mutate (rng: SeededRng, frame: Uint8Array, m: Mutation, other: Uint8Array): Uint8Array {
  const b = frame
  const at = (): number => rng.int(b.length + 1)
  switch (m) {
    case 'bitflip': {
      if (b.length === 0) { return b }
      const i = rng.int(b.length)
      return splice(b, i, [b[i] ^ (1 << rng.int(8))], 1)
    }
    case 'byte': return b.length === 0 ? b : splice(b, rng.int(b.length), [rng.int(256)], 1)
    case 'truncate': return b.subarray(0, rng.int(b.length + 1)).slice()
    case 'extend': return splice(b, b.length, new Array<number>(1 + rng.int(16)).fill(0).map(() => rng.int(256)))
    case 'longVarint': {
      // a varint of 10 to 12 continuation bytes where a tag or length would start
      const n = 10 + rng.int(3)
      return splice(b, at(), [...new Array<number>(n - 1).fill(0x80 | rng.int(128)), rng.int(128)])
    }
    case 'wireType': {
      if (b.length === 0) { return b }
      const i = rng.int(b.length)
      return splice(b, i, [(b[i] & ~7) | rng.int(8)], 1)
    }
    case 'lengthOverflow': {
      // a known field whose length runs past its parent's end
      const inner = [...ld(1, enc.encode('a')), ...tag(2, 2), ...varint(1000 + rng.int(1 << 20))]
      return splice(b, at(), ld(1 + rng.int(3), inner))
    }
    case 'duplicate': {
      if (b.length === 0) { return b }
      const s = rng.int(b.length)
      const e = s + rng.int(Math.min(b.length - s, 4096) + 1)
      const piece = b.subarray(s, e)
      const times = 1 + rng.int(4)
      const rep = new Uint8Array(piece.length * times)
      for (let i = 0; i < times; i++) { rep.set(piece, i * piece.length) }
      return splice(b, e, rep)
    }
    case 'unknownField': {
      const f = fieldNumber(rng)
      const w = [0, 1, 2, 5][rng.int(4)]
      const payload = w === 0 ? varint(rng.int(1 << 30)) : w === 1 ? new Array(8).fill(1) : w === 5 ? new Array(4).fill(2) : [...varint(3), 1, 2, 3]
      return splice(b, rng.next() < 0.5 ? b.length : at(), [...tag(f, w), ...payload])
    }
    case 'splice': {
      const cut = rng.int(b.length + 1)
      const tail = other.subarray(rng.int(other.length + 1))
      const out = new Uint8Array(cut + tail.length)
      out.set(b.subarray(0, cut))
      out.set(tail, cut)
      return out
    }
    case 'hugeCount': return hugeCount(rng, b)
    case 'maxBackoff': return splice(b, b.length, pruneMaxBackoffFrame(TOPICS[rng.int(3)]))
    case 'hugeField': return hugeField(rng, b)
    case 'group': {
      // start-group tags (nested), sometimes closed, sometimes not
      const depth = 1 + rng.int(12)
      const f = 20 + rng.int(100)
      const open = new Array(depth).fill(0).flatMap(() => tag(f, 3))
      const close = rng.next() < 0.5 ? new Array(depth).fill(0).flatMap(() => tag(f, 4)) : []
      return splice(b, at(), [...open, ...close])
    }
    default: return b
  }
}
