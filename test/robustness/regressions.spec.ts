import { expect } from 'aegir/chai'
import { decodeRpc, encodeRpc } from '../../src/codec/index.ts'
import { Harness, controlTo } from '../core/harness.ts'
import { tag, varint } from '../fuzz/wire.ts'

describe('robustness/regressions found by fuzzing', () => {
  it('a peer that SUBSCRIBEs and PRUNEs with a backoff in one RPC is not sent a GRAFT into that backoff', () => {
    const h = new Harness()
    h.router.subscribe('a', h.now)
    h.connect('p1')
    h.take()
    // the SUBSCRIBE grafts p1 into the thin mesh; the PRUNE in the same RPC removes it again
    const outs = h.feed('p1', { subscriptions: [{ subscribe: true, topic: 'a' }], control: { prune: [{ topic: 'a', peers: [], backoff: 3600 }] } })
    expect(controlTo(outs, 'p1').graft).to.deep.equal([])
    expect(h.router.getMeshPeers('a')).to.not.include('p1')
    expect(h.router.backoffExpiry('a', 'p1')).to.equal(h.now + 3_600_000)
  })

  it('a peer that SUBSCRIBEs and UNSUBSCRIBEs in one RPC is not sent a GRAFT for the topic it left', () => {
    const h = new Harness()
    h.router.subscribe('a', h.now)
    h.connect('p3')
    h.take()
    const outs = h.feed('p3', { subscriptions: [{ subscribe: true, topic: 'a' }, { subscribe: false, topic: 'a' }] })
    expect(controlTo(outs, 'p3').graft).to.deep.equal([])
    expect(h.router.getMeshPeers('a')).to.deep.equal([])
  })

  it('a small message in a frame padded to 1 MiB does not keep the frame alive (mcacheMaxBytes counts the message only)', () => {
    const msg = encodeRpc({ subscriptions: [], messages: [{ topic: 't', data: new Uint8Array(10) }] })
    const pad = 1_000_000
    const body = new Uint8Array([...msg, ...tag(15, 2), ...varint(pad)])
    const frame = new Uint8Array(body.length + pad)
    frame.set(body)
    const m = decodeRpc(frame).rpc.messages[0]
    expect(m.raw.buffer.byteLength).to.equal(m.raw.length)
    expect(m.data?.buffer).to.equal(m.raw.buffer)
    expect(m.data).to.deep.equal(new Uint8Array(10))
    // a frame that is mostly one message, and ordinary small frames, keep the zero-copy views
    const big = encodeRpc({ subscriptions: [], messages: [{ topic: 't', data: new Uint8Array(500_000) }] })
    expect(decodeRpc(big).rpc.messages[0].raw.buffer).to.equal(big.buffer)
    const small = encodeRpc({ subscriptions: [], messages: [{ topic: 't', data: new Uint8Array(100) }] })
    expect(decodeRpc(small).rpc.messages[0].raw.buffer).to.equal(small.buffer)
  })
})
