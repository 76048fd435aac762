// Round-trip properties of the codec, and agreement with the protobufjs oracle in both directions.
// Stateless; fast-check generates RPCs with non-UTF-8 ids and absent or empty fields.

import { expect } from 'aegir/chai'
import fc from 'fast-check'
import { dataInEncoded } from '../../src/codec/encode.ts'
import { decodeRpc, encodeMessage, encodeRpc } from '../../src/codec/index.ts'
import { decodeWithOracle, encodeWithOracle, hex, messageArb, rpcArb, withoutRaw } from './fixtures.ts'

const runs = { numRuns: 300 }

/** Node's Buffer where there is one (a Uint8Array subclass), for frames as Node sockets deliver them */
const NodeBuffer = (globalThis as { Buffer?: { alloc(size: number, fill: number): Uint8Array } }).Buffer

describe('codec round trip', () => {
  it('decode(encode(rpc)) equals rpc', () => {
    fc.assert(fc.property(rpcArb, rpc => {
      const { rpc: back, skipped } = decodeRpc(encodeRpc(rpc))
      expect(withoutRaw(back)).to.deep.equal(rpc)
      expect(Object.values(skipped).every(n => n === 0)).to.equal(true)
    }), runs)
  })

  it('each decoded message raw is exactly encodeMessage of it', () => {
    fc.assert(fc.property(rpcArb, rpc => {
      const { rpc: back } = decodeRpc(encodeRpc(rpc))
      back.messages.forEach((m, i) => { expect(hex(m.raw)).to.equal(hex(encodeMessage(rpc.messages[i]))) })
    }), runs)
  })

  it('dataInEncoded finds a message\'s data inside its encoding', () => {
    fc.assert(fc.property(messageArb, m => {
      const raw = encodeMessage(m)
      const data = dataInEncoded(raw, m)
      if (m.data === undefined) {
        expect(data).to.equal(undefined)
      } else {
        expect(hex(data as Uint8Array)).to.equal(hex(m.data))
        // a view of the encoding, at the offset the decoder finds the field
        expect(data?.buffer).to.equal(raw.buffer)
        expect(hex(decodeRpc(encodeRpc({ subscriptions: [], messages: [m] })).rpc.messages[0].data as Uint8Array)).to.equal(hex(data as Uint8Array))
      }
    }), runs)
  })

  it('keeps non-UTF-8 ids as the same bytes', () => {
    const ids = [Uint8Array.of(0xff, 0xfe, 0x00, 0xc3), Uint8Array.of(0xed, 0xa0, 0x80), new Uint8Array(0)]
    const rpc = { subscriptions: [], messages: [], control: { ihave: [{ topic: 't', messageIds: ids }], iwant: [{ messageIds: ids }], graft: [], prune: [], idontwant: [{ messageIds: ids }] } }
    const back = decodeRpc(encodeRpc(rpc)).rpc.control
    expect(back?.ihave[0].messageIds).to.deep.equal(ids)
    expect(back?.iwant[0].messageIds).to.deep.equal(ids)
    expect(back?.idontwant[0].messageIds).to.deep.equal(ids)
  })

  it('decodes a frame at any offset of a larger buffer (e.g. a Node Buffer) into plain Uint8Array views', () => {
    fc.assert(fc.property(rpcArb, fc.nat(64), (rpc, offset) => {
      const body = encodeRpc(rpc)
      const size = offset + body.length + 5
      const backing = NodeBuffer?.alloc(size, 0xee) ?? new Uint8Array(size).fill(0xee)
      backing.set(body, offset)
      const { rpc: back } = decodeRpc(backing.subarray(offset, offset + body.length))
      expect(withoutRaw(back)).to.deep.equal(rpc)
      for (const m of back.messages) {
        expect(Object.getPrototypeOf(m.raw)).to.equal(Uint8Array.prototype)
        expect(hex(m.raw)).to.equal(hex(encodeMessage(m)))
      }
    }), { numRuns: 100 })
  })

  it('an empty RPC encodes to zero bytes and back', () => {
    const bytes = encodeRpc({ subscriptions: [], messages: [] })
    expect(bytes.length).to.equal(0)
    expect(decodeRpc(bytes).rpc).to.deep.equal({ subscriptions: [], messages: [], control: undefined, partial: undefined, testExtension: undefined })
  })
})

describe('codec agrees with the protobufjs oracle', () => {
  it('protobufjs decodes our encoding to the same RPC', () => {
    fc.assert(fc.property(rpcArb, rpc => {
      expect(decodeWithOracle(encodeRpc(rpc))).to.deep.equal(rpc)
    }), runs)
  })

  it('we decode protobufjs encoding to the same RPC', () => {
    fc.assert(fc.property(rpcArb, rpc => {
      expect(withoutRaw(decodeRpc(encodeWithOracle(rpc)).rpc)).to.deep.equal(rpc)
    }), runs)
  })

  it('both encoders produce identical bytes (field-number order)', () => {
    fc.assert(fc.property(rpcArb, rpc => {
      expect(hex(encodeRpc(rpc))).to.equal(hex(encodeWithOracle(rpc)))
    }), runs)
  })

  it('encodeMessage matches protobufjs Message encoding', () => {
    fc.assert(fc.property(messageArb, m => {
      const viaOracle = encodeWithOracle({ subscriptions: [], messages: [m] })
      // strip the RPC field-2 tag and length the oracle wraps around the message
      const back = decodeRpc(viaOracle).rpc.messages[0].raw
      expect(hex(encodeMessage(m))).to.equal(hex(back))
    }), runs)
  })
})
