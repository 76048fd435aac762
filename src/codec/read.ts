// Protobuf wire reading primitives over one frame: varints, tags, length-delimited bounds,
// skipping unknown fields, and string decoding. State: the Cursor's position, nothing global.

import { malformed, overLimit } from './errors.ts'

export const WIRE_VARINT = 0
const WIRE_FIXED64 = 1
export const WIRE_LEN = 2
const WIRE_START_GROUP = 3
const WIRE_END_GROUP = 4
const WIRE_FIXED32 = 5

const MAX_FIELD = 0x1fffffff
// ignoreBOM: a leading U+FEFF is part of the topic, not a byte-order mark to drop
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

/** A read position in a buffer. Fields are bounded by explicit `end` arguments, not by the cursor. */
export class Cursor {
  buf: Uint8Array
  /** buf's backing buffer and offset: constructing views from them beats subarray() by ~1/3 */
  ab: ArrayBufferLike
  base: number
  pos: number
  /** the tag's field number and wire type, set by readTag */
  field: number
  wire: number

  constructor (buf: Uint8Array) {
    this.buf = buf
    this.ab = buf.buffer
    this.base = buf.byteOffset
    this.pos = 0
    this.field = 0
    this.wire = 0
  }
}

/**
 * Reads an unsigned varint of up to 10 bytes as a number (exact up to 2^53, approximate above,
 * which only matters for uint64 values the core clamps anyway).
 */
export function readVarint (c: Cursor, end: number): number {
  const buf = c.buf
  let pos = c.pos
  if (pos >= end) { throw malformed('truncated', pos, 'varint cut off') }
  let b = buf[pos++]
  if (b < 0x80) {
    c.pos = pos
    return b
  }
  let value = b & 0x7f
  let mul = 128
  for (let i = 1; i < 10; i++) {
    if (pos >= end) { throw malformed('truncated', pos, 'varint cut off') }
    b = buf[pos++]
    if (i === 9 && b > 1) { throw malformed('varint', pos, 'varint overflows 64 bits') }
    value += (b & 0x7f) * mul
    if (b < 0x80) {
      c.pos = pos
      return value
    }
    mul *= 128
  }
  throw malformed('varint', pos, 'varint longer than 10 bytes')
}

/** Reads a tag into c.field / c.wire; rejects field number 0 and numbers above 2^29 − 1. */
export function readTag (c: Cursor, end: number): void {
  const b = c.buf[c.pos]
  if (b < 0x80 && b > 7 && c.pos < end) { // one-byte tag of fields 1..15
    c.pos++
    c.field = b >>> 3
    c.wire = b & 7
    return
  }
  const tag = readVarint(c, end)
  const field = Math.floor(tag / 8)
  if (field === 0 || field > MAX_FIELD) { throw malformed('fieldNumber', field, 'invalid field number') }
  c.field = field
  c.wire = tag % 8
}

/** Reads a length prefix and returns the end offset of the field it delimits. */
export function readLenEnd (c: Cursor, end: number): number {
  const len = readVarint(c, end)
  if (len > end - c.pos) { throw malformed('length', len, 'length overflows its enclosing message') }
  return c.pos + len
}

/** Throws unless the current tag has the wire type the schema declares for its field. */
export function expectWire (c: Cursor, wire: number): void {
  if (c.wire !== wire) { throw malformed('wireType', c.wire, `field ${c.field} has the wrong wire type`) }
}

/** A plain Uint8Array view of buf[start, stop) (never a Buffer, even if the frame is one). */
export function view (c: Cursor, start: number, stop: number): Uint8Array {
  return new Uint8Array(c.ab, c.base + start, stop - start)
}

/** Reads a length-delimited bytes field as a view into the frame (it aliases the frame). */
export function readBytes (c: Cursor, end: number): Uint8Array {
  expectWire(c, WIRE_LEN)
  const stop = readLenEnd(c, end)
  const start = c.pos
  c.pos = stop
  return view(c, start, stop)
}

/** Reads a length-delimited UTF-8 string (invalid sequences become U+FFFD, as proto2 allows). */
export function readString (c: Cursor, end: number): string {
  expectWire(c, WIRE_LEN)
  const stop = readLenEnd(c, end)
  const start = c.pos
  c.pos = stop
  return decodeUtf8(c.buf, start, stop)
}

/** Reads a varint bool (any non-zero value is true). */
export function readBool (c: Cursor, end: number): boolean {
  expectWire(c, WIRE_VARINT)
  return readVarint(c, end) !== 0
}

/**
 * Strings up to 64 bytes (topics, in practice a few distinct ones) go through a small
 * direct-mapped cache: a hit returns the same string instance, which costs no allocation and keeps
 * the hash V8 cached for later Map lookups. Entries hold a copy of the bytes, never a frame view.
 */
const CACHE_SLOTS = 256
const cacheBytes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(CACHE_SLOTS).fill(undefined)
const cacheStrings: string[] = new Array<string>(CACHE_SLOTS).fill('')

function decodeUtf8 (buf: Uint8Array, start: number, stop: number): string {
  const len = stop - start
  if (len === 0) { return '' }
  if (len > 64) { return utf8.decode(buf.subarray(start, stop)) }
  let h = len
  for (let i = start; i < stop; i++) { h = Math.imul(h ^ buf[i], 0x01000193) }
  const slot = (h >>> 0) & (CACHE_SLOTS - 1)
  const cached = cacheBytes[slot]
  if (cached?.length === len) {
    let i = 0
    while (i < len && cached[i] === buf[start + i]) { i++ }
    if (i === len) { return cacheStrings[slot] }
  }
  const s = decodeShort(buf, start, stop)
  cacheBytes[slot] = buf.slice(start, stop)
  cacheStrings[slot] = s
  return s
}

function decodeShort (buf: Uint8Array, start: number, stop: number): string {
  let s = ''
  for (let i = start; i < stop; i++) {
    const b = buf[i]
    if (b >= 0x80) { return utf8.decode(buf.subarray(start, stop)) }
    s += String.fromCharCode(b)
  }
  return s
}

/**
 * Skips the value of the current (unknown) field. Groups (wire types 3/4, deprecated, sent by no
 * gossipsub implementation) are skipped through to their matching end tag, nested at most
 * maxGroupDepth deep; a stray end-group tag is malformed.
 */
export function skipField (c: Cursor, end: number, maxGroupDepth: number): void {
  switch (c.wire) {
    case WIRE_VARINT:
      readVarint(c, end)
      return
    case WIRE_FIXED64:
      skipBytes(c, end, 8)
      return
    case WIRE_LEN:
      c.pos = readLenEnd(c, end)
      return
    case WIRE_FIXED32:
      skipBytes(c, end, 4)
      return
    case WIRE_START_GROUP:
      skipGroup(c, end, maxGroupDepth, 1)
      return
    default:
      throw malformed('wireType', c.wire, `unexpected wire type for field ${c.field}`)
  }
}

function skipBytes (c: Cursor, end: number, n: number): void {
  if (end - c.pos < n) { throw malformed('truncated', c.pos, 'fixed-size field cut off') }
  c.pos += n
}

function skipGroup (c: Cursor, end: number, maxDepth: number, depth: number): void {
  if (depth > maxDepth) { throw overLimit('maxGroupDepth', depth, maxDepth) }
  const field = c.field
  while (true) {
    if (c.pos >= end) { throw malformed('group', field, 'group not closed') }
    readTag(c, end)
    if (c.wire === WIRE_END_GROUP) {
      if (c.field !== field) { throw malformed('group', c.field, 'end-group tag does not match') }
      return
    }
    if (c.wire === WIRE_START_GROUP) {
      skipGroup(c, end, maxDepth, depth + 1)
    } else {
      skipField(c, end, maxDepth)
    }
  }
}
