// Streams of one peer: the writer (the peer's send queue, extended with its drain into the outbound
// stream under real backpressure), and the inbound read loop that cuts frames out of the peer's
// inbound stream.

import { DEFAULT_MAX_TRANSMIT_SIZE, MERGE_MAX_BODY, coalesceFrames } from '../codec/frame.ts'
import { SendQueue } from './send-queue.ts'
import type { SendQueueOptions } from './send-queue.ts'
import type { FrameReader } from '../codec/frame.ts'
import type { Stream } from '@libp2p/interface'

/** Most bytes coalesced into one write (a single frame may exceed it). */
const MAX_WRITE_BYTES = 1024 * 1024

/**
 * The flush runs as a microtask: after everything the current task (one inbound chunk, one timer,
 * one publish) queued, but before the event loop polls again. setImmediate waited for every other
 * socket's callbacks of the loop turn, one turn per hop: in a 20-node network at the reference's
 * saturation rate that cost p50 ×3 and p99 ×1.5 latency with no CPU saved (benchmarks/README.md).
 */
const nextTick: (fn: () => void) => void = queueMicrotask

/**
 * Writers with frames queued in the current task, flushed together by one microtask (no closure
 * per schedule or per writer). A writer scheduled while they flush waits for the next microtask.
 */
let pending: PeerWriter[] = []
let spare: PeerWriter[] = []

function flushPending (): void {
  const writers = pending
  pending = spare
  spare = writers
  for (let i = 0; i < writers.length; i++) { writers[i].flushScheduled() }
  writers.length = 0
}

/** What every peer's writer shares (one object for all of them). */
export interface PeerWriterOptions {
  /** the send queue's bounds */
  queue: SendQueueOptions
  /** the clock of the queue's expiry (ms) */
  now(): number
  /** the largest frame body the peers accept (bounds the frames merged into one) */
  maxTransmitSize?: number
}

/**
 * Writes a peer's queued frames to its outbound stream: the peer's send queue, and what drains it.
 * Frames queued in one task go out in one `send`; when `send` reports a full buffer the writer
 * waits for the stream's 'drain' event, and meanwhile frames stay in the bounded queue, where
 * priorities, expiry and drops apply. A subclass says what a failed write means (`writeFailed`).
 */
export abstract class PeerWriter<O extends PeerWriterOptions = PeerWriterOptions> extends SendQueue {
  protected readonly opts: O
  private stream: Stream | undefined = undefined
  private scheduled = false
  private waitingDrain = false

  constructor (opts: O) {
    super(opts.queue)
    this.opts = opts
  }

  /** writing a frame failed (the stream's close handles the rest) */
  abstract writeFailed (err: Error): void

  get attached (): boolean { return this.stream !== undefined }

  /** Starts writing to `stream` (frames queued before it opened are sent first). */
  attach (stream: Stream): void {
    this.detach()
    this.stream = stream
    this.waitingDrain = stream.writableNeedsDrain
    // the writer itself is the listener (handleEvent): no closure per peer
    stream.addEventListener('drain', this)
    stream.addEventListener('idle', this)
    this.schedule()
  }

  /**
   * The stream's 'drain' (writing may resume) or 'idle' (its buffer emptied) event. A 'drain'
   * does not mean the stream's own buffer went down: the muxer repeats its connection's drain to
   * every stream, also one whose send window is still closed, so `flush` checks the buffer.
   */
  handleEvent (): void {
    if (!this.waitingDrain) { return }
    this.waitingDrain = false
    this.schedule()
  }

  /** Stops writing (the stream closed); queued frames stay for a replacement stream. */
  detach (): void {
    this.stream?.removeEventListener('drain', this)
    this.stream?.removeEventListener('idle', this)
    this.stream = undefined
    this.waitingDrain = false
  }

  /** Call after queueing frames: flushes once the current task is done unless one is pending or the stream is full. */
  schedule (): void {
    if (this.scheduled || this.waitingDrain || this.stream === undefined) { return }
    this.scheduled = true
    if (pending.length === 0) { nextTick(flushPending) }
    pending.push(this)
  }

  /** Runs the flush `schedule` asked for (called from the shared microtask only). */
  flushScheduled (): void {
    this.scheduled = false
    try {
      this.flush()
    } catch (err) {
      // one writer's failure must not stop the others in the shared microtask
      this.writeFailed(err as Error)
    }
  }

  private flush (): void {
    const stream = this.stream
    if (stream === undefined || this.waitingDrain) { return }
    if (stream.status !== 'open' || stream.writeStatus !== 'writable') {
      this.detach()
      return
    }
    if (stream.writeBufferLength >= MAX_WRITE_BYTES) {
      // the stream still holds a write's worth: frames stay in the bounded queue (where own
      // publishes wait for room) until it drains further or empties ('idle')
      this.waitingDrain = true
      return
    }
    const frames = this.drain(this.opts.now(), MAX_WRITE_BYTES)
    if (frames.length === 0) {
      // nothing due, yet held own publishes may have just been let in
      if (this.length > 0) { this.schedule() }
      return
    }
    try {
      if (!stream.send(coalesceFrames(frames, Math.min(this.opts.maxTransmitSize ?? DEFAULT_MAX_TRANSMIT_SIZE, MERGE_MAX_BODY)))) {
        this.waitingDrain = true
        return
      }
    } catch (err) {
      this.detach()
      this.writeFailed(err as Error)
      return
    }
    if (this.length > 0) { this.schedule() }
  }
}

/**
 * Reads frames from an inbound stream until it ends, handing each body to `onFrame` in order. Throws what the
 * reader or `onFrame` throws (a CodecError for a malformed or over-limit frame); the caller resets.
 */
export async function readFrames (stream: Stream, reader: FrameReader, onFrame: (body: Uint8Array) => void | Promise<void>): Promise<void> {
  for await (const chunk of stream) {
    reader.push(chunk)
    for (let body = reader.next(); body !== undefined; body = reader.next()) {
      // an asynchronous frame (e.g. an async msgIdFn) finishes before the next one starts
      const pending = onFrame(body)
      if (pending !== undefined) { await pending }
    }
  }
  reader.end()
}
