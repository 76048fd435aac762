// Outgoing side: splitting an RPC into frames ≤ maxSize that together carry all of it, splicing
// pre-encoded message bytes, and the signed bytes of a message.

import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { CodecError, FrameReader, SIGN_PREFIX, decodeRpc, encodeFrame, encodeMessage, encodeMessageForSigning, encodeRpc, encodeRpcFrame, splitRpc } from '../../src/codec/index.ts'
import { hex, messageArb, rpcArb, withoutRaw } from './fixtures.ts'
import type { ControlPrune, PeerInfo, Rpc, WireMessage } from '../../src/types.ts'

/** Everything an RPC carries, with split entries merged back (consecutive same-topic runs). */
function content (rpcs: Rpc[]): unknown {
  const all = <T>(pick: (r: Rpc) => T[]): T[] => rpcs.flatMap(pick)
  const merge = <E, K>(entries: E[], key: (e: E) => K, items: (e: E) => unknown[]): Array<[K, unknown[]]> => {
    const out: Array<[K, unknown[]]> = []
    for (const e of entries) {
      const last = out[out.length - 1]
      if (last !== undefined && JSON.stringify(last[0]) === JSON.stringify(key(e))) {
        last[1].push(...items(e))
      } else {
        out.push([key(e), [...items(e)]])
      }
    }
    return out
  }
  const ctrl = all(r => r.control === undefined ? [] : [r.control])
  return {
    subscriptions: all(r => r.subscriptions),
    messages: all(r => r.messages),
    ihave: merge(ctrl.flatMap(c => c.ihave), e => e.topic, e => e.messageIds.map(hex)),
    iwant: ctrl.flatMap(c => c.iwant).flatMap(e => e.messageIds.map(hex)),
    graft: ctrl.flatMap(c => c.graft),
    prune: merge(ctrl.flatMap(c => c.prune), (e: ControlPrune) => [e.topic, e.backoff], (e: ControlPrune) => e.peers),
    idontwant: ctrl.flatMap(c => c.idontwant).flatMap(e => e.messageIds.map(hex)),
    extensions: ctrl.flatMap(c => c.extensions === undefined ? [] : [c.extensions]),
    partial: all(r => r.partial === undefined ? [] : [r.partial]),
    testExtension: all(r => r.testExtension === true ? [true] : [])
  }
}

function decodeAll (frames: Uint8Array[]): Rpc[] {
  return frames.map(f => withoutRaw(decodeRpc(f).rpc))
}

describe('codec split', () => {
  it('every frame ≤ maxSize, the union equals the input, oversized messages reported', () => {
    const bigArb = fc.array(fc.uint8Array({ minLength: 100, maxLength: 1500 }).map((data): WireMessage => ({ from: undefined, data, seqno: undefined, topic: 'big', signature: undefined, key: undefined })), { maxLength: 2 })
    fc.assert(fc.property(rpcArb, bigArb, fc.integer({ min: 160, max: 1200 }), (small, big, maxSize) => {
      const rpc = { ...small, messages: [...big, ...small.messages, ...big] }
      const { frames, oversized } = splitRpc(rpc, maxSize)
      for (const f of frames) { expect(f.length).to.be.at.most(maxSize) }
      const tooBig = rpc.messages.filter(m => encodeRpc({ subscriptions: [], messages: [m] }).length > maxSize)
      expect(oversized).to.deep.equal(tooBig)
      const expected = content([{ ...rpc, messages: rpc.messages.filter(m => !tooBig.includes(m)) }])
      const decoded = decodeAll(frames)
      expect(content(decoded)).to.deep.equal(expected)
      // extensions must arrive in the first RPC of a stream
      if (rpc.control?.extensions !== undefined) { expect(decoded[0].control?.extensions).to.deep.equal(rpc.control.extensions) }
    }), { numRuns: 300 })
  })

  it('lengthPrefixed gives the same frames with their varint prefix, readable by FrameReader', () => {
    fc.assert(fc.property(rpcArb, fc.integer({ min: 300, max: 1200 }), (rpc, maxSize) => {
      const bodies = splitRpc(rpc, maxSize).frames
      const frames = splitRpc(rpc, maxSize, { lengthPrefixed: true }).frames
      expect(frames.map(hex)).to.deep.equal(bodies.map(b => hex(encodeFrame(b))))
      const reader = new FrameReader({ maxTransmitSize: maxSize })
      for (const f of frames) { reader.push(f) }
      const read: string[] = []
      for (let f = reader.next(); f !== undefined; f = reader.next()) { read.push(hex(f)) }
      expect(read).to.deep.equal(bodies.map(hex))
    }), { numRuns: 100 })
  })

  it('encodeRpcFrame equals encodeFrame(encodeRpc(rpc))', () => {
    fc.assert(fc.property(rpcArb, rpc => {
      expect(hex(encodeRpcFrame(rpc))).to.equal(hex(encodeFrame(encodeRpc(rpc))))
    }), { numRuns: 100 })
  })

  it('a small RPC stays one frame, identical to encodeRpc', () => {
    fc.assert(fc.property(rpcArb, rpc => {
      const { frames, oversized } = splitRpc(rpc, 1048576)
      expect(frames.map(hex)).to.deep.equal([hex(encodeRpc(rpc))])
      expect(oversized).to.deep.equal([])
    }), { numRuns: 50 })
  })

  it('splits a 5000-id IHAVE and a long IDONTWANT over several frames', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => new Uint8Array(32).fill(i & 0xff))
    const rpc: Rpc = { subscriptions: [], messages: [], control: { ihave: [{ topic: 'big', messageIds: ids }], iwant: [], graft: [], prune: [], idontwant: [{ messageIds: ids.slice(0, 900) }] } }
    const { frames } = splitRpc(rpc, 16384)
    expect(frames.length).to.be.greaterThan(10)
    for (const f of frames) { expect(f.length).to.be.at.most(16384) }
    expect(content(decodeAll(frames))).to.deep.equal(content([rpc]))
  })

  it('splits a PRUNE whose PX records do not fit one frame, keeping topic and backoff', () => {
    const peers: PeerInfo[] = Array.from({ length: 40 }, (_, i) => ({ peerId: Uint8Array.of(i), signedPeerRecord: new Uint8Array(100) }))
    const rpc: Rpc = { subscriptions: [], messages: [], control: { ihave: [], iwant: [], graft: [], prune: [{ topic: 'p', peers, backoff: 60 }], idontwant: [] } }
    const { frames } = splitRpc(rpc, 1000)
    expect(frames.length).to.be.greaterThan(4)
    for (const r of decodeAll(frames)) { expect(r.control?.prune.every(e => e.topic === 'p' && e.backoff === 60)).to.equal(true) }
    expect(content(decodeAll(frames))).to.deep.equal(content([rpc]))
  })

  it('reports a single message larger than maxSize as oversized and sends the rest', () => {
    const big: WireMessage = { topic: 't', data: new Uint8Array(2048) }
    const small: WireMessage = { topic: 't', data: new Uint8Array(10) }
    const { frames, oversized } = splitRpc({ subscriptions: [{ subscribe: true, topic: 't' }], messages: [small, big, small] }, 1024)
    expect(oversized).to.deep.equal([big])
    const decoded = decodeAll(frames)
    expect(decoded.flatMap(r => r.messages)).to.have.length(2)
    expect(decoded.flatMap(r => r.subscriptions)).to.have.length(1)
  })

  it('throws CodecError(maxSize) for a control entry that cannot fit any frame', () => {
    const rpc: Rpc = { subscriptions: [], messages: [], control: { ihave: [], iwant: [], graft: [{ topic: 'x'.repeat(500) }], prune: [], idontwant: [] } }
    let err: unknown
    try { splitRpc(rpc, 100) } catch (e) { err = e }
    expect(err).to.be.instanceOf(CodecError)
    expect((err as CodecError).limit).to.equal('maxSize')
  })
})

describe('codec splicing of pre-encoded messages', () => {
  it('an RPC built from encodeMessage bytes encodes and decodes like a normal encode', () => {
    fc.assert(fc.property(rpcArb, rpc => {
      const spliced = { ...rpc, messages: rpc.messages.map(m => ({ ...m, id: Uint8Array.of(1), idKey: '\x01', raw: encodeMessage(m) })) }
      const bytes = encodeRpc(spliced)
      expect(hex(bytes)).to.equal(hex(encodeRpc(rpc)))
      expect(withoutRaw(decodeRpc(bytes).rpc)).to.deep.equal(rpc)
    }), { numRuns: 200 })
  })

  it('forwards decoded messages verbatim, unknown fields included', () => {
    // Message: topic 22 01 't', unknown field 9 varint 48 2a · RPC publish 12 05
    const frame = Uint8Array.of(0x12, 0x05, 0x22, 0x01, 0x74, 0x48, 0x2a)
    const { rpc } = decodeRpc(frame)
    const forwarded = encodeRpc({ subscriptions: [], messages: rpc.messages })
    expect(hex(forwarded)).to.equal(hex(frame))
  })

  it('raw is spliced even when the fields say otherwise (raw is the truth)', () => {
    const raw = encodeMessage({ topic: 'a', data: Uint8Array.of(1) })
    const bytes = encodeRpc({ subscriptions: [], messages: [{ topic: 'ignored', raw } as WireMessage] })
    expect(decodeRpc(bytes).rpc.messages[0].topic).to.equal('a')
  })
})

describe('codec signed bytes', () => {
  it("are 'libp2p-pubsub:' ‖ the message without signature and key, from fields or from raw", () => {
    fc.assert(fc.property(messageArb, m => {
      const expected = hex(SIGN_PREFIX) + hex(encodeMessage({ ...m, signature: undefined, key: undefined }))
      expect(hex(encodeMessageForSigning(m))).to.equal(expected)
      expect(hex(encodeMessageForSigning({ ...m, raw: encodeMessage(m) } as WireMessage))).to.equal(expected)
    }), { numRuns: 200 })
  })

  it('throw CodecError for malformed raw bytes', () => {
    let err: unknown
    try { encodeMessageForSigning({ topic: 't', raw: Uint8Array.of(0x0a, 0x09) } as WireMessage) } catch (e) { err = e }
    expect(err).to.be.instanceOf(CodecError)
  })
})
