// Decode limits (docs/protocol.md §7) and malformed input: soft caps skip and count, hard caps and
// malformed frames throw a named CodecError, and nothing else is ever thrown (fast-check fuzz).

import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { CodecError, decodeRpc, defaultDecodeLimits, encodeRpc, totalSkipped } from '../../src/codec/index.ts'
import { fromHex, rpcArb } from './fixtures.ts'
import type { DecodeLimits } from '../../src/codec/index.ts'
import type { ControlMessage, Rpc, WireMessage } from '../../src/types.ts'

const L = defaultDecodeLimits

function ids (n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => Uint8Array.of(i & 0xff, i >> 8))
}

function msg (i: number): WireMessage {
  return { topic: 't', data: Uint8Array.of(i & 0xff) }
}

function ctrl (part: Partial<ControlMessage>): ControlMessage {
  return { ihave: [], iwant: [], graft: [], prune: [], idontwant: [], ...part }
}

/** An RPC whose control (or subscriptions) is followed by two messages, which must survive. */
function withMessages (rpc: Partial<Rpc>): Rpc {
  return { subscriptions: [], messages: [msg(1), msg(2)], ...rpc }
}

/** Runs fn and returns the CodecError it throws (failing if it throws anything else or nothing). */
function codecError (fn: () => unknown): CodecError {
  try {
    fn()
  } catch (err) {
    expect(err).to.be.instanceOf(CodecError)
    return err as CodecError
  }
  throw new Error('expected a CodecError')
}

describe('codec soft limits: at the cap kept, one over skipped and counted', () => {
  const soft: Array<{ name: string, cap: number, build(n: number): Rpc, kept(r: Rpc): number, key: keyof ReturnType<typeof decodeRpc>['skipped'] }> = [
    { name: 'subscriptions', cap: L.maxSubscriptions, key: 'subscriptions', build: n => withMessages({ subscriptions: Array.from({ length: n }, (_, i) => ({ subscribe: true, topic: `t${i}` })) }), kept: r => r.subscriptions.length },
    { name: 'IHAVE ids', cap: L.maxIHaveIds, key: 'ihaveIds', build: n => withMessages({ control: ctrl({ ihave: [{ topic: 't', messageIds: ids(n) }] }) }), kept: r => r.control?.ihave[0].messageIds.length ?? -1 },
    { name: 'IWANT ids', cap: L.maxIWantIds, key: 'iwantIds', build: n => withMessages({ control: ctrl({ iwant: [{ messageIds: ids(n) }] }) }), kept: r => r.control?.iwant[0].messageIds.length ?? -1 },
    { name: 'IDONTWANT ids (over all entries of the RPC)', cap: L.maxIDontWantIds, key: 'idontwantIds', build: n => withMessages({ control: ctrl({ idontwant: [{ messageIds: ids(300) }, { messageIds: ids(n - 300) }] }) }), kept: r => (r.control?.idontwant ?? []).reduce((s, e) => s + e.messageIds.length, 0) },
    { name: 'PX peers per PRUNE', cap: L.maxPeersPerPrune, key: 'peers', build: n => withMessages({ control: ctrl({ prune: [{ topic: 't', backoff: 60, peers: Array.from({ length: n }, (_, i) => ({ peerId: Uint8Array.of(i) })) }] }) }), kept: r => r.control?.prune[0].peers.length ?? -1 },
    { name: 'GRAFT entries', cap: L.maxControlEntries, key: 'graft', build: n => withMessages({ control: ctrl({ graft: Array.from({ length: n }, (_, i) => ({ topic: `t${i}` })) }) }), kept: r => r.control?.graft.length ?? -1 }
  ]
  for (const s of soft) {
    it(s.name, () => {
      const atCap = decodeRpc(encodeRpc(s.build(s.cap)))
      expect(s.kept(atCap.rpc)).to.equal(s.cap)
      expect(totalSkipped(atCap.skipped)).to.equal(0)
      const over = decodeRpc(encodeRpc(s.build(s.cap + 1)))
      expect(s.kept(over.rpc)).to.equal(s.cap)
      expect(over.skipped[s.key]).to.equal(1)
      expect(totalSkipped(over.skipped)).to.equal(1)
      expect(over.rpc.messages.map(m => m.data)).to.deep.equal([Uint8Array.of(1), Uint8Array.of(2)])
    })
  }

  it('messages', () => {
    const build = (n: number): Rpc => ({ subscriptions: [], messages: Array.from({ length: n }, (_, i) => msg(i)), control: ctrl({ graft: [{ topic: 'g' }] }) })
    expect(decodeRpc(encodeRpc(build(L.maxMessages))).rpc.messages).to.have.length(L.maxMessages)
    const over = decodeRpc(encodeRpc(build(L.maxMessages + 1)))
    expect(over.rpc.messages).to.have.length(L.maxMessages)
    expect(over.skipped.messages).to.equal(1)
    expect(over.rpc.control?.graft).to.deep.equal([{ topic: 'g' }])
  })

  it('message ids longer than maxIdLength (1 KiB) in IHAVE, IWANT and IDONTWANT are skipped and counted', () => {
    const id = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill)
    const rpc = withMessages({
      control: ctrl({
        ihave: [{ topic: 't', messageIds: [id(L.maxIdLength, 1), id(L.maxIdLength + 1, 2), id(20, 3)] }],
        iwant: [{ messageIds: [id(L.maxIdLength + 1, 4), id(32, 5)] }],
        idontwant: [{ messageIds: [id(100_000, 6), id(46, 7)] }]
      })
    })
    const { rpc: got, skipped } = decodeRpc(encodeRpc(rpc))
    expect(got.control?.ihave[0].messageIds.map(x => x[0])).to.deep.equal([1, 3])
    expect(got.control?.iwant[0].messageIds.map(x => x[0])).to.deep.equal([5])
    expect(got.control?.idontwant[0].messageIds.map(x => x[0])).to.deep.equal([7])
    expect(skipped.longIds).to.equal(3)
    expect(totalSkipped(skipped)).to.equal(3)
    expect(got.messages.map(m => m.data)).to.deep.equal([Uint8Array.of(1), Uint8Array.of(2)])
    // a long id does not use up the count cap of the ids after it
    const capped = decodeRpc(encodeRpc(rpc), { maxIHaveIds: 1 })
    expect(capped.rpc.control?.ihave[0].messageIds.map(x => x[0])).to.deep.equal([1])
    expect(decodeRpc(encodeRpc(rpc), { maxIHaveIds: 1, maxIdLength: 30 }).rpc.control?.ihave[0].messageIds.map(x => x[0])).to.deep.equal([3])
  })

  it('entries over a cap are skipped unread: their malformed insides do not fail the frame', () => {
    // message 1: topic 't' (12 03 22 01 74); message 2: a length-overflowing field inside (12 02 0a 09)
    const frame = fromHex('12 03 22 01 74 12 02 0a 09 0a 05 08 01 12 01 61')
    const { rpc, skipped } = decodeRpc(frame, { maxMessages: 1 })
    expect(rpc.messages.map(m => m.topic)).to.deep.equal(['t'])
    expect(skipped.messages).to.equal(1)
    expect(rpc.subscriptions).to.have.length(1)
    // the same frame without the cap reads the second message and rejects it
    expect(codecError(() => decodeRpc(frame)).limit).to.equal('length')
  })

  it('caps are configurable per call (partial override)', () => {
    const over = decodeRpc(encodeRpc({ subscriptions: [], messages: [msg(1), msg(2), msg(3)] }), { maxMessages: 2 })
    expect(over.rpc.messages).to.have.length(2)
    expect(over.skipped.messages).to.equal(1)
  })
})

describe('codec hard limits reject the frame with a named error', () => {
  it('hardMaxIds: total ids over the RPC (default 131072)', () => {
    const ihave = Array.from({ length: 27 }, (_, i) => ({ topic: `t${i}`, messageIds: ids(5000) }))
    const err = codecError(() => decodeRpc(encodeRpc({ subscriptions: [], messages: [], control: ctrl({ ihave }) })))
    expect(err.code).to.equal('ERR_LIMIT')
    expect(err.limit).to.equal('hardMaxIds')
    expect(err.value).to.equal(L.hardMaxIds + 1)
  })

  it('hardMaxEntries: empty subscriptions padding a frame (default 262144)', () => {
    const frame = new Uint8Array(2 * (L.hardMaxEntries + 1))
    for (let i = 0; i < frame.length; i += 2) { frame[i] = 0x0a }
    const err = codecError(() => decodeRpc(frame))
    expect([err.code, err.limit, err.value]).to.deep.equal(['ERR_LIMIT', 'hardMaxEntries', L.hardMaxEntries + 1])
  })

  it('hardMaxPeersPerPrune', () => {
    const peers = Array.from({ length: L.hardMaxPeersPerPrune + 1 }, () => ({}))
    const err = codecError(() => decodeRpc(encodeRpc({ subscriptions: [], messages: [], control: ctrl({ prune: [{ topic: 't', peers }] }) })))
    expect([err.code, err.limit, err.value]).to.deep.equal(['ERR_LIMIT', 'hardMaxPeersPerPrune', L.hardMaxPeersPerPrune + 1])
  })

  it('maxGroupDepth: nested unknown groups', () => {
    const depth = L.maxGroupDepth + 1
    const frame = fromHex('a301'.repeat(depth) + 'a401'.repeat(depth)) // field 20 start/end group
    const err = codecError(() => decodeRpc(frame))
    expect([err.code, err.limit]).to.deep.equal(['ERR_LIMIT', 'maxGroupDepth'])
    expect(decodeRpc(fromHex('a301'.repeat(depth - 1) + 'a401'.repeat(depth - 1))).rpc.messages).to.deep.equal([])
  })

  it('hard caps are configurable', () => {
    const limits: Partial<DecodeLimits> = { hardMaxIds: 3 }
    expect(codecError(() => decodeRpc(encodeRpc({ subscriptions: [], messages: [], control: ctrl({ iwant: [{ messageIds: ids(4) }] }) }), limits)).limit).to.equal('hardMaxIds')
  })
})

describe('codec malformed frames', () => {
  const bad: Array<[string, string, string]> = [
    ['truncated tag varint', '80', 'truncated'],
    ['truncated length varint', '0a 80', 'truncated'],
    ['length past the end of the frame', '0a 05 08 01', 'length'],
    ['nested length overflowing its parent (IHAVE longer than its control)', '1a 02 0a 05 0a 01 74 12 01 01', 'length'],
    ['wrong wire type for subscriptions (varint)', '08 01', 'wireType'],
    ['wrong wire type for Message.topic (varint)', '12 02 20 01', 'wireType'],
    ['wrong wire type for PRUNE backoff (bytes)', '1a 05 22 03 1a 01 00', 'wireType'],
    ['wrong wire type for an id (fixed32)', '1a 06 12 04 0d 01 02 03', 'wireType'],
    ['field number 0', '00 01', 'fieldNumber'],
    ['varint longer than 10 bytes', '78 ffffffffffffffffffff01', 'varint'],
    ['varint overflowing 64 bits', '78 ffffffffffffffffff7f', 'varint'],
    ['reserved wire type 6', '7e', 'wireType'],
    ['stray end group', 'a401', 'wireType'],
    ['unclosed group', 'a301 0807', 'group'],
    ['mismatched end group', 'a301 ac01', 'group'],
    ['truncated fixed64', '79 0102', 'truncated']
  ]
  for (const [name, bytes, check] of bad) {
    it(`${name} → CodecError(ERR_MALFORMED, ${check})`, () => {
      const err = codecError(() => decodeRpc(fromHex(bytes)))
      expect(err.code).to.equal('ERR_MALFORMED')
      expect(err.limit).to.equal(check)
    })
  }
})

describe('codec fuzz: only CodecError ever escapes', () => {
  function onlyCodecErrors (bytes: Uint8Array): void {
    try {
      decodeRpc(bytes, { maxMessages: 3, maxIHaveIds: 2, maxPeersPerPrune: 1, maxIDontWantIds: 2 })
    } catch (err) {
      if (!(err instanceof CodecError)) { throw err }
      // the decoder's last-resort wrapper of foreign exceptions must never be needed
      if (err.limit === 'internal') { throw err }
    }
  }

  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), onlyCodecErrors), { numRuns: 3000 })
  })

  it('mutated valid frames', () => {
    const mutation = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 4 }), fc.uint8Array({ minLength: 1, maxLength: 8 }))
    fc.assert(fc.property(rpcArb, fc.array(mutation, { minLength: 1, maxLength: 4 }), (rpc, mutations) => {
      let bytes = encodeRpc(rpc)
      for (const [at, kind, junk] of mutations) {
        const i = bytes.length === 0 ? 0 : at % bytes.length
        const b = Array.from(bytes)
        if (kind === 0) { b[i] = junk[0] } // overwrite a byte
        if (kind === 1) { b.splice(i, 0, ...junk) } // insert bytes
        if (kind === 2) { b.splice(i, junk.length) } // delete bytes
        if (kind === 3) { b.length = i } // truncate
        if (kind === 4) { b[i] = (b[i] ?? 0) ^ (1 << (junk[0] & 7)) } // flip a bit
        bytes = Uint8Array.from(b)
      }
      onlyCodecErrors(bytes)
    }), { numRuns: 1500 })
  })
})
