// Length-prefixed framing: writing varint-prefixed frames and reading them back from a stream.
// State: FrameReader owns the bytes received but not yet returned as frames.

import { Uint8ArrayList } from 'uint8arraylist'
import { CodecError, malformed, overLimit } from './errors.ts'
import { Writer, varintSize, writeBytes, writeVarint } from './write.ts'

/** Default maximum frame (RPC) size, in and out: 1 MiB (docs/protocol.md §4, go). */
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
 * How far frames are merged by `coalesceFrames`. A merged body stays under 60 KiB, below the
 * smallest default frame limit among implementations (64 KiB), and holds at most 128 frames and
 * 128 messages. At most one of its frames carries subscriptions: go drops a whole RPC whose
 * subscriptions exceed its subscription filter's limit, so merging must not add them up.
 */
export const MERGE_MAX_BODY = 60 * 1024
export const MERGE_MAX_FRAMES = 128
export const MERGE_MAX_MESSAGES = 128

/** What one frame holds, as far as merging is concerned (see `scanFrame`). */
const scan = { messages: 0, subscriptions: 0 }

/**
 * Frames (varint length ‖ RPC body) in one buffer for a single write. Runs of consecutive frames
 * that carry nothing but subscriptions and messages (fields 1 and 2) are merged under one length
 * prefix: the concatenation of two encoded RPCs is the encoding of one RPC with both lists, so the
 * receiver decodes one RPC instead of many (it handles a merged RPC's subscriptions before its
 * messages, as any RPC's). Frames with any other field (control, extensions) are copied as they
 * are, since some decoders keep only the last occurrence of a singular field where protobuf says to
 * merge. Merged bodies stay within `maxBody` bytes and the MERGE_MAX_* limits.
 */
export function coalesceFrames (frames: Uint8Array[], maxBody: number = MERGE_MAX_BODY): Uint8Array {
  if (frames.length === 1) { return frames[0] }
  // pass 1: each frame's prefix length, and whether it starts a group (a frame that cannot merge
  // is a group of its own); the output size
  const prefix = new Array<number>(frames.length)
  const starts = new Array<boolean>(frames.length)
  let size = 0
  let open = false
  let body = 0
  let count = 0
  let messages = 0
  let subscribed = false
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]
    const p = prefixLength(f)
    prefix[i] = p
    const b = f.length - p
    // only frames with a minimal prefix, so that pass 2 rewrites it in as many bytes
    const mergeable = p > 0 && p === varintSize(b) && scanFrame(f, p)
    const joins = mergeable && open && body + b <= maxBody && count < MERGE_MAX_FRAMES &&
      messages + scan.messages <= MERGE_MAX_MESSAGES && !(subscribed && scan.subscriptions > 0)
    if (joins) {
      size += varintSize(body + b) - varintSize(body) + b
      body += b
      count++
      messages += scan.messages
      subscribed ||= scan.subscriptions > 0
    } else {
      size += f.length
      open = mergeable
      body = b
      count = 1
      messages = mergeable ? scan.messages : 0
      subscribed = mergeable && scan.subscriptions > 0
    }
    starts[i] = !joins
  }
  return writeGroups(frames, prefix, starts, size)
}

/** Pass 2 of coalesceFrames: each group under a prefix of its total body length. */
function writeGroups (frames: Uint8Array[], prefix: number[], starts: boolean[], size: number): Uint8Array {
  const w = new Writer(size)
  for (let i = 0; i < frames.length;) {
    let j = i + 1
    while (j < frames.length && !starts[j]) { j++ }
    if (j === i + 1) {
      writeBytes(w, frames[i])
    } else {
      let total = 0
      for (let k = i; k < j; k++) { total += frames[k].length - prefix[k] }
      writeVarint(w, total)
      for (let k = i; k < j; k++) { writeBytes(w, frames[k].subarray(prefix[k])) }
    }
    i = j
  }
  return w.done()
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

/**
 * True when the RPC body f[start..] holds only fields 1 (subscriptions) and 2 (messages); counts
 * them into `scan`.
 */
function scanFrame (f: Uint8Array, start: number): boolean {
  scan.messages = 0
  scan.subscriptions = 0
  let pos = start
  while (pos < f.length) {
    const tag = f[pos++]
    // fields 1 and 2, length-delimited: tags 0x0a and 0x12 (one byte each)
    if (tag === 0x0a) {
      scan.subscriptions++
    } else if (tag === 0x12) {
      scan.messages++
    } else {
      return false
    }
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
