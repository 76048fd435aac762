// Length-prefixed framing: writing varint-prefixed frames and reading them back from a stream.
// State: FrameReader owns the bytes received but not yet returned as frames.

import { Uint8ArrayList } from 'uint8arraylist'
import { CodecError, malformed, overLimit } from './errors.ts'
import { Writer, varintSize, writeVarint } from './write.ts'

/** Default maximum frame (RPC) size, in and out: 1 MiB (SPEC §4, go). */
export const DEFAULT_MAX_TRANSMIT_SIZE = 1048576

/** varint length prefix ‖ body */
export function encodeFrame (body: Uint8Array): Uint8Array {
  const w = new Writer(varintSize(body.length) + body.length)
  writeVarint(w, body.length)
  w.buf.set(body, w.pos)
  return w.buf
}

/** Several frames in one buffer, for a single coalesced socket write. */
export function encodeFrames (bodies: Uint8Array[]): Uint8Array {
  let size = 0
  for (const b of bodies) { size += varintSize(b.length) + b.length }
  const w = new Writer(size)
  for (const b of bodies) {
    writeVarint(w, b.length)
    w.buf.set(b, w.pos)
    w.pos += b.length
  }
  return w.buf
}

/**
 * How far frames are merged by `coalesceFrames`: a merged body stays under 60 KiB, below the
 * smallest default frame limit among implementations (64 KiB), and joins at most 128 frames, far
 * below any per-RPC message cap (ours: 5,000).
 */
export const MERGE_MAX_BODY = 60 * 1024
export const MERGE_MAX_FRAMES = 128

/**
 * Frames (varint length ‖ RPC body) in one buffer for a single write. Runs of consecutive frames
 * that carry nothing but subscriptions and messages (fields 1 and 2) are merged under one length
 * prefix: the concatenation of two encoded RPCs is the encoding of one RPC with both lists, so the
 * receiver decodes one RPC instead of many. Frames with any other field (control, extensions) are
 * copied as they are, since some decoders keep only the last occurrence of a singular field where
 * protobuf says to merge. A merged body stays within `maxBody` bytes and MERGE_MAX_FRAMES frames.
 */
export function coalesceFrames (frames: Uint8Array[], maxBody: number = MERGE_MAX_BODY): Uint8Array {
  if (frames.length === 1) { return frames[0] }
  // pass 1: each frame's prefix length and whether it may merge; group sizes
  const prefix = new Array<number>(frames.length)
  const mergeable = new Array<boolean>(frames.length)
  let size = 0
  let groupBody = -1
  let groupFrames = 0
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]
    const p = prefixLength(f)
    prefix[i] = p
    const body = f.length - p
    mergeable[i] = p > 0 && onlyListFields(f, p)
    if (mergeable[i] && groupBody >= 0 && groupBody + body <= maxBody && groupFrames < MERGE_MAX_FRAMES) {
      size += varintSize(groupBody + body) - varintSize(groupBody) + body
      groupBody += body
      groupFrames++
    } else {
      size += f.length
      groupBody = mergeable[i] ? body : -1
      groupFrames = 1
    }
  }
  // pass 2: write, each merged group under a prefix of its total body length
  const w = new Writer(size)
  for (let i = 0; i < frames.length;) {
    if (!mergeable[i]) {
      writeRaw(w, frames[i])
      i++
      continue
    }
    let j = i
    let body = 0
    while (j < frames.length && mergeable[j] && (j === i || (body + frames[j].length - prefix[j] <= maxBody && j - i < MERGE_MAX_FRAMES))) {
      body += frames[j].length - prefix[j]
      j++
    }
    writeVarint(w, body)
    for (let k = i; k < j; k++) { writeRaw(w, frames[k].subarray(prefix[k])) }
    i = j
  }
  return w.done()
}

function writeRaw (w: Writer, b: Uint8Array): void {
  w.buf.set(b, w.pos)
  w.pos += b.length
}

/** Bytes of the frame's varint length prefix, or 0 if it does not match the frame's length. */
function prefixLength (f: Uint8Array): number {
  let len = 0
  let shift = 1
  for (let i = 0; i < f.length && i < 5; i++) {
    len += (f[i] & 0x7f) * shift
    if (f[i] < 0x80) { return len === f.length - i - 1 ? i + 1 : 0 }
    shift *= 128
  }
  return 0
}

/** True when the RPC body f[start..] holds only fields 1 (subscriptions) and 2 (messages). */
function onlyListFields (f: Uint8Array, start: number): boolean {
  let pos = start
  while (pos < f.length) {
    const tag = f[pos++]
    // fields 1 and 2, length-delimited: tags 0x0a and 0x12 (one byte each)
    if (tag !== 0x0a && tag !== 0x12) { return false }
    let len = 0
    let shift = 1
    for (;;) {
      if (pos >= f.length || shift > 2 ** 28) { return false }
      const b = f[pos++]
      len += (b & 0x7f) * shift
      if (b < 0x80) { break }
      shift *= 128
    }
    pos += len
  }
  return pos === f.length
}

export interface FrameReaderOptions {
  /** largest accepted frame body, in bytes (default 1 MiB) */
  maxTransmitSize?: number
}

/**
 * Splits a byte stream into frame bodies. A length prefix above maxTransmitSize, or a varint
 * longer than 10 bytes, throws CodecError as soon as it is seen, before any body byte is buffered;
 * the reader then stays failed (the stream should be closed). Truncated input waits for more.
 */
export class FrameReader {
  private readonly list = new Uint8ArrayList()
  private readonly maxSize: number
  /** body length of the frame being assembled, or -1 while its prefix is incomplete */
  private bodyLength = -1
  private prefixLength = 0
  private failure: CodecError | undefined

  constructor (opts: FrameReaderOptions = {}) {
    this.maxSize = opts.maxTransmitSize ?? DEFAULT_MAX_TRANSMIT_SIZE
  }

  /** bytes received and not yet returned */
  get buffered (): number {
    return this.list.byteLength
  }

  push (chunk: Uint8Array | Uint8ArrayList): void {
    this.list.append(chunk)
  }

  /**
   * The next complete frame body, or undefined if more bytes are needed. The body may be a view
   * into a pushed chunk (when it lies within one) or a copy.
   */
  next (): Uint8Array | undefined {
    if (this.failure !== undefined) { throw this.failure }
    if (this.bodyLength < 0 && !this.readPrefix()) { return undefined }
    const total = this.prefixLength + this.bodyLength
    if (this.list.byteLength < total) { return undefined }
    const body = this.list.subarray(this.prefixLength, total)
    this.list.consume(total)
    this.bodyLength = -1
    return body
  }

  /** Call at end of stream: throws CodecError if a partial frame is left over. */
  end (): void {
    if (this.failure !== undefined) { throw this.failure }
    if (this.list.byteLength > 0) {
      throw this.fail(malformed('truncated', this.list.byteLength, 'stream ended inside a frame'))
    }
  }

  private readPrefix (): boolean {
    const list = this.list
    const available = list.byteLength
    let value = 0
    let mul = 1
    for (let i = 0; i < 10; i++) {
      if (i >= available) { return false }
      const b = list.get(i)
      value += (b & 0x7f) * mul
      // checked per byte, so a huge or endless prefix is refused before it completes
      if (value > this.maxSize) { throw this.fail(overLimit('maxTransmitSize', value, this.maxSize)) }
      if (b < 0x80) {
        this.prefixLength = i + 1
        this.bodyLength = value
        return true
      }
      mul *= 128
    }
    throw this.fail(malformed('varint', 10, 'length prefix longer than 10 bytes'))
  }

  private fail (err: CodecError): CodecError {
    this.failure = err
    return err
  }
}
