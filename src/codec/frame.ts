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
