import { expect } from 'aegir/chai'
import { GossipsubIDv10, GossipsubIDv11 } from '../../src/core/types.ts'
import { Harness, TestScore, controlTo, outputsOf, sends, traces } from './harness.ts'

const enc = new TextEncoder()

function meshOf (n: number, opts = {}, score?: TestScore): Harness {
  const h = new Harness(opts, { score })
  for (let i = 0; i < n; i++) { h.connect(`p${i}`, ['t']) }
  h.router.subscribe('t', h.now)
  h.take()
  return h
}

describe('core/graft: GRAFT rules', () => {
  it('a GRAFT for a topic we did not join is ignored silently (no PRUNE)', () => {
    const h = new Harness()
    h.connect('x', ['u'])
    const out = h.feed('x', { control: { graft: [{ topic: 'u' }] } })
    expect(sends(out)).to.have.length(0)
    expect(h.router.getMeshPeers('u')).to.deep.equal([])
  })

  it('a GRAFT from an eligible peer adds it to the mesh', () => {
    const score = new TestScore()
    const h2 = meshOf(0, {}, score)
    h2.connect('y')
    const out = h2.feed('y', { subscriptions: [{ subscribe: true, topic: 'other' }], control: { graft: [{ topic: 't' }] } })
    expect(h2.router.getMeshPeers('t')).to.deep.equal(['y'])
    expect(traces(out, 'graft')).to.deep.equal([{ type: 'graft', peer: 'y', topic: 't', direction: 'in' }])
    expect(score.named('graft')).to.deep.include(['y', 't'])
  })

  it('a GRAFT from a direct peer is answered with a PRUNE without PX', () => {
    const h = meshOf(3, { directPeers: ['d'], doPX: true })
    h.connect('d', ['t'])
    const out = h.feed('d', { control: { graft: [{ topic: 't' }] } })
    expect(controlTo(out, 'd').prune).to.deep.equal([{ topic: 't', peers: [], backoff: 60 }])
    expect(h.router.getMeshPeers('t')).to.not.include('d')
  })

  it('a GRAFT during backoff: PRUNE, refreshed backoff, penalty 1 (2 inside graftFloodThreshold)', () => {
    const score = new TestScore()
    const h = meshOf(1, { doPX: true }, score)
    h.connect('q', ['t'])
    h.feed('p0', { control: { prune: [{ topic: 't', peers: [], backoff: 60 }] } })
    const start = h.now
    expect(h.router.backoffExpiry('t', 'p0')).to.equal(start + 60_000)
    // within graftFloodThreshold (10 s) of the backoff's start
    h.now += 5000
    let out = h.feed('p0', { control: { graft: [{ topic: 't' }] } })
    expect(controlTo(out, 'p0').prune).to.deep.equal([{ topic: 't', peers: [], backoff: 60 }])
    expect(score.penalty('p0')).to.equal(2)
    expect(h.router.backoffExpiry('t', 'p0')).to.equal(h.now + 60_000)
    expect(h.router.getMeshPeers('t')).to.not.include('p0')
    // later in the (refreshed) backoff: one more
    h.now += 20_000
    out = h.feed('p0', { control: { graft: [{ topic: 't' }] } })
    expect(controlTo(out, 'p0').prune).to.have.length(1)
    expect(score.penalty('p0')).to.equal(3)
  })

  it('a GRAFT from a negative-score peer: PRUNE without PX and a backoff', () => {
    const score = new TestScore()
    const h = meshOf(2, { doPX: true }, score)
    score.scores.set('bad', -1)
    h.connect('bad', ['t'])
    const out = h.feed('bad', { control: { graft: [{ topic: 't' }] } })
    expect(controlTo(out, 'bad').prune).to.deep.equal([{ topic: 't', peers: [], backoff: 60 }])
    expect(h.router.backoffExpiry('t', 'bad')).to.equal(h.now + 60_000)
  })

  it('mesh at Dhi: an inbound GRAFT is refused with PX; an outbound peer is accepted', () => {
    const h = meshOf(12, { doPX: true })
    for (let i = 0; i < 12; i++) { h.feed(`p${i}`, { control: { graft: [{ topic: 't' }] } }) }
    expect(h.router.getMeshPeers('t')).to.have.length(12)
    h.connect('in', ['t'])
    const out = h.feed('in', { control: { graft: [{ topic: 't' }] } })
    const prune = controlTo(out, 'in').prune
    expect(prune).to.have.length(1)
    expect(prune[0].peers.length).to.be.within(1, 16)
    expect(prune[0].peers.map(p => new TextDecoder().decode(p.peerId))).to.not.include('in')
    expect(h.router.backoffExpiry('t', 'in')).to.equal(h.now + 60_000)
    h.connect('out', ['t'], { outbound: true })
    h.feed('out', { control: { graft: [{ topic: 't' }] } })
    expect(h.router.getMeshPeers('t')).to.include('out')
  })

  it('no PX in any PRUNE answering an RPC that also grafted an unknown topic', () => {
    const h = meshOf(12, { doPX: true })
    for (let i = 0; i < 12; i++) { h.feed(`p${i}`, { control: { graft: [{ topic: 't' }] } }) }
    h.connect('in', ['t'])
    const out = h.feed('in', { control: { graft: [{ topic: 't' }, { topic: 'unknown' }] } })
    expect(controlTo(out, 'in').prune).to.deep.equal([{ topic: 't', peers: [], backoff: 60 }])
  })

  it('PX candidates are at most prunePeers, non-negative, and never the pruned peer', () => {
    const score = new TestScore()
    const h = meshOf(30, { doPX: true, prunePeers: 5 }, score)
    score.scores.set('p29', -5)
    for (let i = 0; i < 12; i++) { h.feed(`p${i}`, { control: { graft: [{ topic: 't' }] } }) }
    const out = h.feed('p20', { control: { graft: [{ topic: 't' }] } })
    const pxPeers = controlTo(out, 'p20').prune[0].peers.map(p => new TextDecoder().decode(p.peerId))
    expect(pxPeers).to.have.length(5)
    expect(pxPeers).to.not.include('p20')
    expect(pxPeers).to.not.include('p29')
  })

  it('a PRUNE to a /meshsub/1.0.0 peer carries only the topic', () => {
    const h = meshOf(0, { doPX: true })
    h.connect('old', ['t'], { protocol: GossipsubIDv10, outbound: true })
    h.router.unsubscribe('t', h.now)
    expect(controlTo(h.take(), 'old').prune).to.deep.equal([{ topic: 't', peers: [] }])
  })
})

describe('core/prune: PRUNE handling and PX', () => {
  it('removes the peer from the mesh and takes its backoff', () => {
    const score = new TestScore()
    const h = meshOf(3, {}, score)
    const out = h.feed('p0', { control: { prune: [{ topic: 't', peers: [], backoff: 30 }] } })
    expect(h.router.getMeshPeers('t')).to.not.include('p0')
    expect(h.router.backoffExpiry('t', 'p0')).to.equal(h.now + 30_000)
    expect(score.named('prune')).to.deep.equal([['p0', 't']])
    expect(traces(out, 'prune')).to.deep.equal([{ type: 'prune', peer: 'p0', topic: 't', direction: 'in', backoff: 30_000 }])
  })

  it('ignores a PRUNE for a topic we did not join', () => {
    const h = meshOf(1)
    h.feed('p0', { control: { prune: [{ topic: 'u', peers: [], backoff: 30 }] } })
    expect(h.router.backoffExpiry('u', 'p0')).to.equal(undefined)
  })

  it('clamps remote backoff to 1 h, overflow-safe; absent or 0 means pruneBackoff', () => {
    const h = meshOf(4)
    h.feed('p0', { control: { prune: [{ topic: 't', peers: [], backoff: 2 ** 64 - 1 }] } })
    expect(h.router.backoffExpiry('t', 'p0')).to.equal(h.now + 3_600_000)
    h.feed('p1', { control: { prune: [{ topic: 't', peers: [], backoff: Number.MAX_VALUE }] } })
    expect(h.router.backoffExpiry('t', 'p1')).to.equal(h.now + 3_600_000)
    h.feed('p2', { control: { prune: [{ topic: 't', peers: [], backoff: 0 }] } })
    expect(h.router.backoffExpiry('t', 'p2')).to.equal(h.now + 60_000)
    h.feed('p3', { control: { prune: [{ topic: 't', peers: [] }] } })
    expect(h.router.backoffExpiry('t', 'p3')).to.equal(h.now + 60_000)
    // the clamp keeps the peer out of our mesh for an hour, then it is graftable again
    h.advance(3_600_000 - 1)
    expect(h.router.getMeshPeers('t')).to.not.include('p0')
    h.advance(3000)
    expect(h.router.getMeshPeers('t')).to.include('p0')
  })

  it('accepts PX from peers with score ≥ acceptPXThreshold: dial outputs for unknown, valid ids', () => {
    const score = new TestScore()
    const h = meshOf(2, {}, score)
    score.scores.set('p0', 10)
    const px = [
      { peerId: enc.encode('new1'), signedPeerRecord: new Uint8Array([1, 2]) },
      { peerId: enc.encode('new2') },
      { peerId: enc.encode('p1') }, // already connected
      { peerId: enc.encode('me') }, // ourselves
      { peerId: new Uint8Array([0xff, 1]) }, // not a peer id
      {}
    ]
    const out = h.feed('p0', { control: { prune: [{ topic: 't', peers: px, backoff: 60 }] } })
    const dials = outputsOf(out, 'dial')
    expect(dials).to.deep.equal([
      { type: 'dial', peer: 'new1', signedPeerRecord: new Uint8Array([1, 2]), reason: 'px' },
      { type: 'dial', peer: 'new2', signedPeerRecord: undefined, reason: 'px' }
    ])
    expect(h.router.sizes().pendingDials).to.equal(2)
    // connecting answers the dial
    h.connect('new1')
    expect(h.router.sizes().pendingDials).to.equal(1)
    // pending dials are forgotten after pendingDialTTL
    h.advance(31_000)
    expect(h.router.sizes().pendingDials).to.equal(0)
  })

  it('ignores PX from peers below acceptPXThreshold', () => {
    const score = new TestScore()
    const h = meshOf(2, {}, score)
    score.scores.set('p0', 9)
    const out = h.feed('p0', { control: { prune: [{ topic: 't', peers: [{ peerId: enc.encode('n') }], backoff: 60 }] } })
    expect(outputsOf(out, 'dial')).to.have.length(0)
  })

  it('takes at most prunePeers PX entries per PRUNE and bounds pending dials', () => {
    const score = new TestScore()
    const h = meshOf(12, { maxPendingDials: 20 }, score)
    for (let i = 0; i < 12; i++) { score.scores.set(`p${i}`, 100) }
    let total = 0
    for (let i = 0; i < 3; i++) {
      const px = Array.from({ length: 40 }, (_, j) => ({ peerId: enc.encode(`n${i}-${j}`) }))
      const out = h.feed(`p${i}`, { control: { prune: [{ topic: 't', peers: px, backoff: 60 }] } })
      const n = outputsOf(out, 'dial').length
      expect(n).to.be.at.most(16)
      total += n
    }
    expect(total).to.equal(20)
    expect(h.router.sizes().pendingDials).to.equal(20)
    expect(h.router.counters().pxDialsDropped).to.equal(28)
  })

  it('a /meshsub/1.1.0 peer gets PX on oversubscription prunes when doPX is set', () => {
    const h = meshOf(0, { doPX: true })
    for (let i = 0; i < 14; i++) { h.connect(`q${i}`, ['t'], { protocol: GossipsubIDv11 }) }
    for (let i = 0; i < 14; i++) { h.feed(`q${i}`, { control: { graft: [{ topic: 't' }] } }) }
    const out = h.heartbeats(1)
    const pruned = traces(out, 'prune')
    expect(pruned.length).to.be.greaterThan(0)
    const somePrune = controlTo(out, (pruned[0] as { peer: string }).peer).prune[0]
    expect(somePrune.peers.length).to.be.greaterThan(0)
    expect(somePrune.backoff).to.equal(60)
  })
})
