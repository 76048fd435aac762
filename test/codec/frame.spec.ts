// Length-prefixed framing: encodeFrame/encodeFrames and the FrameReader's buffering, chunking,
// size limit (checked before any body byte is buffered) and truncation handling.

import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { Uint8ArrayList } from 'uint8arraylist'
import { coalesceFrames } from '../../src/codec/frame.ts'
import { CodecError, FrameReader, decodeRpc, encodeFrame, encodeFrames, encodeRpc, encodeRpcFrame } from '../../src/codec/index.ts'
import { fromHex, hex, rpcArb, withoutRaw } from './fixtures.ts'
import type { Rpc } from '../../src/types.ts'

function varint (n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 128) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return Uint8Array.from(out)
}

function thrown (fn: () => unknown): CodecError {
  try {
    fn()
  } catch (err) {
    expect(err).to.be.instanceOf(CodecError)
    return err as CodecError
  }
  throw new Error('expected a CodecError')
}

describe('codec framing', () => {
  it('encodeFrame writes a varint length prefix', () => {
    expect(hex(encodeFrame(Uint8Array.of(1, 2, 3)))).to.equal('03010203')
    expect(hex(encodeFrame(new Uint8Array(300)).subarray(0, 2))).to.equal('ac02')
  })

  it('encodeFrames concatenates frames; the reader splits them back, however chunked', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), (bodies, cuts) => {
      const stream = encodeFrames(bodies)
      expect(hex(stream)).to.equal(bodies.map(b => hex(encodeFrame(b))).join(''))
      const reader = new FrameReader()
      const out: Uint8Array[] = []
      let pos = 0
      let c = 0
      while (pos < stream.length) {
        const next = Math.min(stream.length, pos + cuts[c++ % cuts.length])
        reader.push(stream.subarray(pos, next))
        pos = next
        for (let f = reader.next(); f !== undefined; f = reader.next()) { out.push(f) }
      }
      reader.end()
      expect(out.map(hex)).to.deep.equal(bodies.map(hex))
    }))
  })

  it('accepts Uint8ArrayList chunks', () => {
    const reader = new FrameReader()
    reader.push(new Uint8ArrayList(fromHex('02 aa'), fromHex('bb 00')))
    expect(hex(reader.next() ?? new Uint8Array([9]))).to.equal('aabb')
    expect(reader.next()).to.deep.equal(new Uint8Array(0))
    expect(reader.next()).to.equal(undefined)
  })

  it('accepts a frame of exactly maxTransmitSize (1 MiB)', () => {
    const reader = new FrameReader()
    reader.push(varint(1048576))
    reader.push(new Uint8Array(1048576))
    expect(reader.next()?.length).to.equal(1048576)
  })

  it('rejects a 1 MiB + 1 prefix as soon as the prefix is read, before any body byte arrives', () => {
    const reader = new FrameReader()
    reader.push(varint(1048577))
    const err = thrown(() => reader.next())
    expect([err.code, err.limit, err.value]).to.deep.equal(['ERR_LIMIT', 'maxTransmitSize', 1048577])
    expect(reader.buffered).to.equal(3)
    // the reader stays failed: the stream must be closed
    expect(thrown(() => reader.next())).to.equal(err)
  })

  it('rejects a 2^53 prefix without allocating its body', () => {
    const reader = new FrameReader()
    reader.push(varint(2 ** 53))
    const err = thrown(() => reader.next())
    expect([err.code, err.limit, err.value]).to.deep.equal(['ERR_LIMIT', 'maxTransmitSize', 2 ** 53])
    expect(reader.buffered).to.equal(8)
  })

  it('rejects a huge prefix as soon as its value passes the limit, before the varint ends', () => {
    const reader = new FrameReader()
    reader.push(fromHex('ffffff')) // already 2^21 − 1 and still continuing
    const err = thrown(() => reader.next())
    expect([err.limit, err.value]).to.deep.equal(['maxTransmitSize', 2 ** 21 - 1])
  })

  it('honours a custom maxTransmitSize', () => {
    const reader = new FrameReader({ maxTransmitSize: 10 })
    reader.push(encodeFrame(new Uint8Array(10)))
    expect(reader.next()?.length).to.equal(10)
    reader.push(varint(11))
    expect(thrown(() => reader.next()).limit).to.equal('maxTransmitSize')
  })

  it('rejects a length prefix longer than 10 bytes', () => {
    const reader = new FrameReader()
    reader.push(fromHex('80'.repeat(11)))
    const err = thrown(() => reader.next())
    expect([err.code, err.limit]).to.deep.equal(['ERR_MALFORMED', 'varint'])
  })

  it('waits on a truncated prefix or body, and end() reports the leftover', () => {
    const reader = new FrameReader()
    reader.push(fromHex('ac')) // first byte of a two-byte prefix
    expect(reader.next()).to.equal(undefined)
    reader.push(fromHex('02 0102'))
    expect(reader.next()).to.equal(undefined)
    const err = thrown(() => { reader.end() })
    expect([err.code, err.limit]).to.deep.equal(['ERR_MALFORMED', 'truncated'])
  })

  it('fuzz: arbitrary byte streams give frames or CodecError, nothing else', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), chunks => {
      const reader = new FrameReader({ maxTransmitSize: 64 })
      try {
        for (const chunk of chunks) {
          reader.push(chunk)
          for (let f = reader.next(); f !== undefined; f = reader.next()) {
            expect(f.length).to.be.at.most(64)
            decodeRpc(f)
          }
        }
        reader.end()
      } catch (err) {
        if (!(err instanceof CodecError) || err.limit === 'internal') { throw err }
      }
    }), { numRuns: 2000 })
  })
  it('coalesceFrames merges runs of subscription/message frames and keeps every other frame as it is', () => {
    // message-only RPCs often, so that runs form
    const frameArb: fc.Arbitrary<Rpc> = fc.oneof(rpcArb, rpcArb.map(r => ({ subscriptions: r.subscriptions, messages: r.messages })), rpcArb.map(r => ({ subscriptions: [], messages: r.messages })))
    fc.assert(fc.property(fc.array(frameArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 400 }), (rpcs, maxBody) => {
      const frames = rpcs.map(r => encodeRpcFrame(r))
      const out = coalesceFrames(frames, maxBody)
      const reader = new FrameReader()
      reader.push(out)
      const bodies: Uint8Array[] = []
      for (let b = reader.next(); b !== undefined; b = reader.next()) { bodies.push(b) }
      expect(reader.buffered).to.equal(0)
      expect(bodies.length).to.be.at.most(frames.length)
      // the same subscriptions and messages in the same order, and the same control messages
      const decoded = bodies.map(b => withoutRaw(decodeRpc(b).rpc))
      expect(decoded.flatMap(r => r.subscriptions)).to.deep.equal(rpcs.flatMap(r => r.subscriptions))
      expect(decoded.flatMap(r => r.messages)).to.deep.equal(rpcs.flatMap(r => r.messages))
      expect(decoded.map(r => r.control).filter(c => c !== undefined)).to.deep.equal(rpcs.map(r => r.control).filter(c => c !== undefined))
      // a merged body stays within the bound; a body over it is an input frame passed through
      const inputs = new Set(frames.map(f => hex(f)))
      for (const b of bodies) {
        if (b.length > maxBody) { expect(inputs.has(hex(encodeFrame(b)))).to.equal(true) }
      }
      // frames with anything but subscriptions and messages are never merged
      for (const r of rpcs) {
        const other = encodeRpc({ ...r, subscriptions: [], messages: [] }).length > 0
        if (other) { expect(bodies.some(b => hex(b) === hex(encodeRpc(r)))).to.equal(true) }
      }
    }), { numRuns: 300 })
  })

  it('coalesceFrames merges message frames into one RPC and caps the frames per merge', () => {
    const msg = (i: number): { topic: string, data: Uint8Array } => ({ topic: 't', data: Uint8Array.of(i) })
    const frames = Array.from({ length: 300 }, (_, i) => encodeRpcFrame({ subscriptions: [], messages: [msg(i)] }))
    const reader = new FrameReader()
    reader.push(coalesceFrames(frames))
    const sizes: number[] = []
    for (let b = reader.next(); b !== undefined; b = reader.next()) { sizes.push(decodeRpc(b).rpc.messages.length) }
    expect(sizes).to.deep.equal([128, 128, 44])
    // one frame goes out as it is
    expect(coalesceFrames([frames[0]])).to.equal(frames[0])
  })

  it('coalesceFrames never adds up subscriptions of two frames, nor more than 128 messages', () => {
    const sub = (t: string): Uint8Array => encodeRpcFrame({ subscriptions: [{ subscribe: true, topic: t }], messages: [] })
    const msgs = (n: number): Uint8Array => encodeRpcFrame({ subscriptions: [], messages: Array.from({ length: n }, (_, i) => ({ topic: 't', data: Uint8Array.of(i) })) })
    const read = (buf: Uint8Array): Array<{ subs: number, msgs: number }> => {
      const reader = new FrameReader()
      reader.push(buf)
      const out: Array<{ subs: number, msgs: number }> = []
      for (let b = reader.next(); b !== undefined; b = reader.next()) {
        const { rpc } = decodeRpc(b)
        out.push({ subs: rpc.subscriptions.length, msgs: rpc.messages.length })
      }
      return out
    }
    expect(read(coalesceFrames([sub('a'), msgs(2), sub('b'), msgs(1)]))).to.deep.equal([{ subs: 1, msgs: 2 }, { subs: 1, msgs: 1 }])
    expect(read(coalesceFrames([msgs(100), msgs(20), msgs(20), msgs(8)]))).to.deep.equal([{ subs: 0, msgs: 120 }, { subs: 0, msgs: 28 }])
  })

  it('coalesceFrames passes a frame with a padded (non-minimal) length prefix through as it is', () => {
    const body = encodeRpc({ subscriptions: [], messages: [{ topic: 't', data: Uint8Array.of(1) }] })
    const padded = Uint8Array.from([body.length | 0x80, 0x00, ...body])
    const plain = encodeRpcFrame({ subscriptions: [], messages: [{ topic: 'u', data: Uint8Array.of(2) }] })
    const out = coalesceFrames([padded, plain, plain])
    expect(hex(out.subarray(0, padded.length))).to.equal(hex(padded))
    const reader = new FrameReader()
    reader.push(out)
    const bodies: Uint8Array[] = []
    for (let b = reader.next(); b !== undefined; b = reader.next()) { bodies.push(b) }
    expect(bodies.map(b => decodeRpc(b).rpc.messages.length)).to.deep.equal([1, 2])
  })
})
