import { expect } from 'aegir/chai'
import { GossipsubIDv11 } from '../../src/core/types.ts'
import { Harness, TestScore, makeMsg, messageRecipients, outputsOf, sends } from './harness.ts'

const enc = new TextEncoder()

function joined (n: number, opts = {}): Harness {
  const h = new Harness(opts)
  for (let i = 0; i < n; i++) { h.connect(`p${i}`, ['t']) }
  h.router.subscribe('t', h.now)
  h.take()
  return h
}

describe('core/idontwant (v1.2)', () => {
  it('own publish of a large message sends IDONTWANT first to ≥1.2 mesh peers that do not get the message', () => {
    // flood publish skips peers below publishThreshold; one of them is a mesh peer
    const score = new TestScore()
    const h = new Harness({ floodPublish: true, scoreThresholds: { gossipThreshold: -10, publishThreshold: -20, graylistThreshold: -30 } }, { score })
    h.connect('old', ['t'], { protocol: GossipsubIDv11 })
    h.connect('new', ['t'])
    h.connect('low', ['t'])
    h.router.subscribe('t', h.now)
    h.take()
    expect(h.router.getMeshPeers('t')).to.include('low')
    score.scores.set('low', -25)
    const m = makeMsg('t', { size: 2048 })
    h.router.publish(m, h.now)
    const out = h.take()
    expect(messageRecipients(out, m.idKey).sort()).to.deep.equal(['new', 'old'])
    // 'new' gets the message itself in the same write: an IDONTWANT could not arrive ahead of it
    const idw = sends(out).filter(o => (o.rpc.control?.idontwant.length ?? 0) > 0)
    expect(idw.map(o => o.peer)).to.deep.equal(['low'])
    expect(out.indexOf(idw[0])).to.be.lessThan(out.findIndex(o => o.type === 'send' && o.rpc.messages !== undefined))
  })

  it('a peer\'s IDONTWANT stops forwarding and IWANT serving of that message to it', () => {
    const h = joined(6)
    const mesh = h.router.getMeshPeers('t')
    const m = makeMsg('t')
    h.feed(mesh[1], { control: { idontwant: [{ messageIds: [m.id] }] } })
    expect(h.router.sizes().idontwant).to.equal(1)
    h.feed(mesh[0], { messages: [m] })
    h.router.reportValidation(m.idKey, 'accept', h.now)
    expect(messageRecipients(h.take(), m.idKey)).to.not.include(mesh[1])
    expect(sends(h.feed(mesh[1], { control: { iwant: [{ messageIds: [m.id] }] } }), mesh[1])).to.have.length(0)
  })

  it('an IDONTWANT after an IWANT reply asks the adapter to drop the queued reply', () => {
    const h = joined(3)
    const m = makeMsg('t')
    h.router.publish(m, h.now)
    h.take()
    expect(sends(h.feed('p1', { control: { iwant: [{ messageIds: [m.id] }] } }), 'p1')).to.have.length(1)
    const out = h.feed('p1', { control: { idontwant: [{ messageIds: [m.id] }] } })
    expect(outputsOf(out, 'cancel')).to.deep.equal([{ type: 'cancel', peer: 'p1', idKey: m.idKey }])
    // no cancel for ids never served
    expect(outputsOf(h.feed('p2', { control: { idontwant: [{ messageIds: [m.id] }] } }), 'cancel')).to.have.length(0)
  })

  it('caps: ids read per RPC, RPCs per heartbeat, ids stored per peer', () => {
    const h = joined(2, { idontwantMaxIds: 3, idontwantMaxMessages: 2, idontwantMaxStored: 5 })
    const ids = (p: string, n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => enc.encode(`${p}${i}`))
    h.feed('p0', { control: { idontwant: [{ messageIds: ids('a', 10) }] } })
    expect(h.router.sizes().idontwant).to.equal(3)
    h.feed('p0', { control: { idontwant: [{ messageIds: ids('b', 2) }, { messageIds: ids('c', 2) }] } })
    expect(h.router.sizes().idontwant).to.equal(5)
    h.feed('p0', { control: { idontwant: [{ messageIds: ids('d', 1) }] } })
    expect(h.router.counters().idontwantThrottled).to.equal(1)
    expect(h.router.sizes().idontwant).to.equal(5)
    h.heartbeats(1)
    h.feed('p0', { control: { idontwant: [{ messageIds: ids('e', 3) }] } })
    expect(h.router.sizes().maxIdontwantPerPeer).to.equal(5)
  })

  it('remembers ids for idontwantRetentionTicks heartbeats', () => {
    const h = joined(2)
    h.feed('p0', { control: { idontwant: [{ messageIds: [enc.encode('x')] }] } })
    h.heartbeats(2)
    expect(h.router.sizes().idontwant).to.equal(1)
    h.heartbeats(1)
    expect(h.router.sizes().idontwant).to.equal(0)
  })
})
