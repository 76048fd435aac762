// Protobuf wire writing primitives into a preallocated buffer: varints, tags, strings, bytes.
// State: the Writer's buffer and position; sizes are computed before writing (see encode.ts).

import { allocSlab } from '#platform'

const utf8 = new TextEncoder()

/**
 * Output buffers up to POOLED_MAX bytes are carved from shared 64 KiB slabs: a typed array above
 * 64 bytes otherwise costs a separate backing store (~0.7–1 µs for 1 KiB, more than encoding it).
 * Such a buffer is a plain Uint8Array view; its `.buffer` is the slab, shared with other outputs.
 * Frames are short-lived, so a slab is soon garbage.
 * Long-lived bytes (encodeMessage: our own messages, kept in the message cache) come from a second
 * pool of 16 KiB slabs, up to 2 KiB each: messages live about equally long (the cache's
 * windows, FIFO), so a slab's pieces die together, and one outliving the rest pins at most 16 KiB.
 * Larger bytes get a backing store of their own.
 * On Node the slabs are not zero-filled (allocSlab): safe because every encoder writes each byte of
 * its output sequentially, which Writer.done() and writeString verify.
 */

/** Carves views of at most `max` bytes out of slabs of `slabSize` bytes, 8-byte aligned. */
class SlabPool {
  private readonly slabSize: number
  private readonly max: number
  private slab: ArrayBuffer
  private offset = 0

  constructor (slabSize: number, max: number) {
    this.slabSize = slabSize
    this.max = max
    this.slab = this.newSlab()
  }

  allocate (size: number): Uint8Array {
    if (size > this.max) { return new Uint8Array(size) }
    if (this.offset + size > this.slabSize) {
      this.slab = this.newSlab()
      this.offset = 0
    }
    const out = new Uint8Array(this.slab, this.offset, size)
    this.offset = (this.offset + size + 7) & ~7
    return out
  }

  private newSlab (): ArrayBuffer {
    return allocSlab(this.slabSize)
  }
}

const transient = new SlabPool(65536, 8192)
const kept = new SlabPool(16384, 2048)

/** `size` bytes from the pool of long-lived bytes (not zero-filled on Node: the caller writes them all). */
export function keptBytes (size: number): Uint8Array {
  return kept.allocate(size)
}

export class Writer {
  buf: Uint8Array
  pos: number

  /** `keep`: bytes kept long (a message body for the cache), from the pool of long-lived bytes */
  constructor (size: number, keep = false) {
    this.buf = keep ? kept.allocate(size) : transient.allocate(size)
    this.pos = 0
  }

  /** The output, after checking the size pass and the write pass agree (a codec bug otherwise). */
  done (): Uint8Array {
    if (this.pos !== this.buf.length) { throw new Error(`codec bug: wrote ${this.pos} of ${this.buf.length} bytes`) }
    return this.buf
  }
}

/** Bytes taken by an unsigned varint of a non-negative integer (up to 2^64 − 1). */
export function varintSize (n: number): number {
  if (n < 0x80) { return 1 }
  if (n < 0x4000) { return 2 }
  if (n < 0x200000) { return 3 }
  if (n < 0x10000000) { return 4 }
  let size = 4
  n = Math.floor(n / 0x10000000)
  while (n > 0) {
    size++
    n = Math.floor(n / 128)
  }
  return Math.min(size, 10)
}

/** Writes an unsigned varint; values at or above 2^64 are written as 2^64 − 1. */
export function writeVarint (w: Writer, n: number): void {
  const buf = w.buf
  let pos = w.pos
  if (n < 0x80000000) {
    while (n >= 0x80) {
      buf[pos++] = (n & 0x7f) | 0x80
      n >>>= 7
    }
    buf[pos++] = n
    w.pos = pos
    return
  }
  if (n >= 18446744073709552000) { // 2^64: the nearest double above 2^64 − 1
    buf.fill(0xff, pos, pos + 9)
    buf[pos + 9] = 0x01
    w.pos = pos + 10
    return
  }
  while (n >= 0x80) {
    buf[pos++] = (n % 128) | 0x80
    n = Math.floor(n / 128)
  }
  buf[pos++] = n
  w.pos = pos
}

/** Writes a tag byte sequence (precomputed by tagBytes). */
export function writeTag (w: Writer, tag: number): void {
  if (tag < 0x80) {
    w.buf[w.pos++] = tag
  } else {
    writeVarint(w, tag)
  }
}

/** UTF-8 length of a string, counting a lone surrogate as U+FFFD (3 bytes) as TextEncoder does. */
export function utf8Length (s: string): number {
  const n = s.length
  let len = n
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) { continue }
    if (c < 0x800) {
      len += 1
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      len += 2 // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++
    } else {
      len += 2
    }
  }
  return len
}

/** Writes a string whose UTF-8 length the caller computed with utf8Length. */
export function writeString (w: Writer, s: string, byteLength: number): void {
  const buf = w.buf
  let pos = w.pos
  if (byteLength === s.length) {
    for (let i = 0; i < byteLength; i++) { buf[pos++] = s.charCodeAt(i) }
  } else {
    const { written } = utf8.encodeInto(s, buf.subarray(pos, pos + byteLength))
    if (written !== byteLength) { throw new Error(`codec bug: UTF-8 length ${written} ≠ ${byteLength}`) }
    pos += byteLength
  }
  w.pos = pos
}

export function writeBytes (w: Writer, b: Uint8Array): void {
  if (b.length < 16) { // a loop beats TypedArray.set's fixed cost for short arrays
    const buf = w.buf
    let pos = w.pos
    for (let i = 0; i < b.length; i++) { buf[pos++] = b[i] }
    w.pos = pos
  } else {
    w.buf.set(b, w.pos)
    w.pos += b.length
  }
}

/** Size of a length-delimited field (tag, length prefix, body) given tag size and body length. */
export function ldSize (tagSize: number, len: number): number {
  return tagSize + varintSize(len) + len
}
