import { expect } from 'aegir/chai'
import { PeerWriter, readFrames } from '../../src/adapter/stream.ts'
import { FrameReader, encodeFrame } from '../../src/codec/frame.ts'
import { Priority } from '../../src/core/types.ts'
import { createNode, waitFor } from './nodes.ts'
import type { TransportKind } from './nodes.ts'
import type { Libp2p, Stream } from '@libp2p/interface'

/** A writer whose failures fail the test. */
class TestWriter extends PeerWriter {
  override writeFailed (err: Error): void { throw err }
}

const PROTO = '/meshsub-test/stream/1.0.0'

function body (i: number, size: number): Uint8Array {
  const b = new Uint8Array(size)
  new DataView(b.buffer).setUint32(0, i)
  return b
}

for (const kind of ['tcp', 'memory'] as TransportKind[]) {
  describe(`adapter/stream over ${kind}`, () => {
    let a: Libp2p
    let b: Libp2p
    let inbound: Stream[] = []

    beforeEach(async () => {
      inbound = []
      a = await createNode(kind, {})
      b = await createNode(kind, {})
      await b.handle(PROTO, (stream) => { inbound.push(stream) })
    })

    afterEach(async () => {
      await a?.stop()
      await b?.stop()
    })

    it('delivers every queued frame in order through the writer and the read loop', async () => {
      const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTO)
      await waitFor(() => inbound.length === 1)
      const got: number[] = []
      const done = readFrames(inbound[0], new FrameReader(), (f) => { got.push(new DataView(f.buffer, f.byteOffset).getUint32(0)) })
      const writer = new TestWriter({ queue: {}, now: () => performance.now() })
      writer.attach(stream)
      for (let i = 0; i < 2000; i++) {
        writer.push(encodeFrame(body(i, 100 + (i % 7) * 300)), Priority.Control, performance.now())
        if (i % 100 === 0) { writer.schedule() }
      }
      writer.schedule()
      await waitFor(() => got.length === 2000)
      expect(got).to.deep.equal(Array.from({ length: 2000 }, (_, i) => i))
      await stream.close()
      await done
    })

    it('waits for drain when the reader stops: the queue holds the rest, bounded, and drops are counted', async () => {
      const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTO)
      await waitFor(() => inbound.length === 1)
      // the receiver never reads: its window fills, then our stream's buffer, then the queue
      inbound[0].pause()
      inbound[0].maxReadBufferLength = 64 * 1024 * 1024
      const writer = new TestWriter({ queue: { maxBytes: 2 * 1024 * 1024 }, now: () => performance.now() })
      const queue = writer
      writer.attach(stream)
      const frame = encodeFrame(new Uint8Array(64 * 1024))
      let sent = 0
      for (let round = 0; round < 40 && !stream.writableNeedsDrain; round++) {
        for (let i = 0; i < 16; i++) { sent += queue.push(frame, Priority.Forward, performance.now()) ? 1 : 0 }
        writer.schedule()
        await new Promise(resolve => setTimeout(resolve, 20))
      }
      expect(stream.writableNeedsDrain).to.equal(true)
      // the stream is full: further frames stay queued and the queue's bounds apply
      for (let i = 0; i < 100; i++) { queue.push(frame, Priority.Forward, performance.now()) }
      writer.schedule()
      await new Promise(resolve => setTimeout(resolve, 50))
      expect(queue.bytes).to.be.at.most(2 * 1024 * 1024)
      expect(queue.drops.overflow).to.be.greaterThan(0)
      expect(queue.slow).to.equal(true)
      expect(sent).to.be.greaterThan(0)
      stream.abort(new Error('test over'))
    })

    // over tcp only: a memory connection never needs a drain
    ;(kind === 'tcp' ? it : it.skip)('a drain of the connection does not grow a stalled stream\'s buffer: frames stay in the bounded queue', async () => {
      // the regression: the muxer repeats the connection's 'drain' to every stream, also to ours
      // whose send window is closed; taking each as room handed the stream another 1 MiB per
      // drain, unbounded (a browser page reached 146 MB), and own publishes never waited
      const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTO)
      await waitFor(() => inbound.length === 1)
      inbound[0].pause()
      inbound[0].maxReadBufferLength = 256 * 1024 * 1024
      const writer = new TestWriter({ queue: { maxBytes: 64 * 1024 * 1024, maxCount: 100_000 }, now: () => performance.now() })
      writer.attach(stream)
      const frame = encodeFrame(new Uint8Array(64 * 1024))
      for (let i = 0; i < 400; i++) { writer.push(frame, Priority.Control, performance.now()) }
      writer.schedule()
      await waitFor(() => stream.writableNeedsDrain)
      // traffic on a second stream of the same connection, read by the other side: the
      // connection fills and drains over and over, and each drain reaches our stream too
      const other = await a.dialProtocol(b.getMultiaddrs()[0], PROTO)
      await waitFor(() => inbound.length === 2)
      let read = 0
      const reading = (async () => { for await (const chunk of inbound[1]) { read += chunk.byteLength } })()
      const chunk = new Uint8Array(256 * 1024)
      let drains = 0
      stream.addEventListener('drain', () => { drains++ })
      for (let i = 0; i < 64; i++) {
        if (!other.send(chunk)) { await other.onDrain() }
      }
      await waitFor(() => read >= 64 * chunk.byteLength)
      expect(drains).to.be.greaterThan(0)
      // at most what was handed before the window closed plus one write's worth
      expect(stream.writeBufferLength).to.be.at.most(2 * 1024 * 1024 + frame.byteLength)
      expect(writer.length).to.be.greaterThan(0)
      stream.abort(new Error('test over'))
      other.abort(new Error('test over'))
      await reading.catch(() => {})
    })

    it('a frame over the size limit makes the read loop throw a CodecError', async () => {
      const stream = await a.dialProtocol(b.getMultiaddrs()[0], PROTO)
      await waitFor(() => inbound.length === 1)
      const done = readFrames(inbound[0], new FrameReader({ maxTransmitSize: 1000 }), () => {})
      stream.send(encodeFrame(new Uint8Array(2000)))
      await expect(done).to.eventually.be.rejected.with.property('name', 'CodecError')
      stream.abort(new Error('test over'))
    })
  })
}
