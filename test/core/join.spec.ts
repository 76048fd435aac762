import { expect } from 'aegir/chai'
import { Harness, TestScore, controlTo, makeMsg, messageRecipients, sends, traces } from './harness.ts'

function peers (n: number, prefix = 'p'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`)
}

describe('core/join: JOIN and LEAVE', () => {
  it('JOIN grafts D peers at once (GRAFT sent without waiting for a heartbeat)', () => {
    const h = new Harness()
    for (const p of peers(10)) { h.connect(p, ['t']) }
    h.router.subscribe('t', h.now)
    const out = h.take()
    const mesh = h.router.getMeshPeers('t')
    expect(mesh).to.have.length(6)
    for (const p of mesh) { expect(controlTo(out, p).graft).to.deep.equal([{ topic: 't' }]) }
    // every peer heard about the subscription
    for (const p of peers(10)) { expect(sends(out, p).some(o => o.rpc.subscriptions?.[0]?.topic === 't')).to.equal(true) }
    expect(traces(out, 'join')).to.deep.equal([{ type: 'join', topic: 't' }])
    expect(h.router.getTopics()).to.deep.equal(['t'])
  })

  it('JOIN takes fanout peers first, skipping negative-score ones', () => {
    const score = new TestScore()
    const h = new Harness({ floodPublish: false }, { score })
    for (const p of peers(20)) { h.connect(p, ['t']) }
    h.router.publish(makeMsg('t'), h.now)
    const fanout = h.router.getFanoutPeers('t')
    expect(fanout).to.have.length(6)
    score.scores.set(fanout[0], -1)
    h.router.subscribe('t', h.now)
    const mesh = h.router.getMeshPeers('t')
    expect(mesh).to.have.length(6)
    for (const p of fanout.slice(1)) { expect(mesh).to.include(p) }
    expect(mesh).to.not.include(fanout[0])
    expect(h.router.getFanoutPeers('t')).to.deep.equal([])
  })

  it('JOIN skips peers in backoff and direct peers', () => {
    const h = new Harness({ directPeers: ['d'] })
    h.connect('d', ['t'])
    h.connect('b', ['t'])
    h.router.subscribe('t', h.now)
    expect(h.router.getMeshPeers('t')).to.deep.equal(['b'])
    h.router.unsubscribe('t', h.now)
    h.router.subscribe('t', h.now)
    // b is in the unsubscribe backoff now
    expect(h.router.getMeshPeers('t')).to.deep.equal([])
  })

  it('LEAVE prunes every mesh peer with the unsubscribe backoff and records it', () => {
    const score = new TestScore()
    const h = new Harness({ unsubcribeBackoff: 15_000 }, { score })
    for (const p of peers(4)) { h.connect(p, ['t']) }
    h.router.subscribe('t', h.now)
    h.take()
    h.router.unsubscribe('t', h.now)
    const out = h.take()
    for (const p of peers(4)) {
      expect(controlTo(out, p).prune).to.deep.equal([{ topic: 't', peers: [], backoff: 15 }])
      expect(h.router.backoffExpiry('t', p)).to.equal(h.now + 15_000)
      expect(sends(out, p).some(o => o.rpc.subscriptions?.[0]?.subscribe === false)).to.equal(true)
    }
    expect(score.named('prune')).to.have.length(4)
    expect(h.router.getMeshPeers('t')).to.deep.equal([])
    expect(h.router.getTopics()).to.deep.equal([])
    expect(traces(out, 'leave')).to.have.length(1)
  })

  it('LEAVE sends each mesh peer its PRUNE in an RPC before the UNSUBSCRIBE (go order; rust keeps a 60 s backoff otherwise)', () => {
    const h = new Harness({ unsubcribeBackoff: 5000 })
    for (const p of peers(3)) { h.connect(p, ['t']) }
    h.router.subscribe('t', h.now)
    h.take()
    h.router.unsubscribe('t', h.now)
    const out = h.take()
    for (const p of peers(3)) {
      const rpcs = sends(out, p).map(o => o.rpc)
      const prune = rpcs.findIndex(r => (r.control?.prune.length ?? 0) > 0)
      const unsub = rpcs.findIndex(r => r.subscriptions?.some(x => x.subscribe === false) === true)
      expect(prune).to.be.at.least(0)
      expect(unsub).to.be.greaterThan(prune)
    }
  })

  it('grafts a newly subscribed peer we dialled at once when the mesh is below Dlo', () => {
    const h = new Harness()
    h.router.subscribe('t', h.now)
    h.take()
    const out = h.connect('p1', ['t'], { outbound: true })
    expect(controlTo(out, 'p1').graft).to.deep.equal([{ topic: 't' }])
    expect(h.router.getMeshPeers('t')).to.deep.equal(['p1'])
  })

  it('a newly subscribed peer that dialled us is grafted at the next heartbeat, not at once', () => {
    // both ends of a new connection see each other's SUBSCRIBE at once: only the dialler grafts
    const h = new Harness()
    h.router.subscribe('t', h.now)
    h.take()
    const out = h.connect('p1', ['t'])
    expect(controlTo(out, 'p1').graft).to.have.length(0)
    expect(h.router.getMeshPeers('t')).to.deep.equal([])
    h.advance(h.router.nextDeadline() - h.now)
    expect(h.router.getMeshPeers('t')).to.deep.equal(['p1'])
  })

  it('does not graft a newly subscribed peer when the mesh has Dlo', () => {
    const h = new Harness()
    for (const p of peers(4)) { h.connect(p, ['t']) }
    h.router.subscribe('t', h.now)
    h.take()
    const out = h.connect('late', ['t'])
    expect(controlTo(out, 'late').graft).to.have.length(0)
  })

  it('a publish right after subscribe reaches the new mesh (not lost)', () => {
    const h = new Harness({ floodPublish: false })
    h.connect('p1', ['t'])
    h.router.subscribe('t', h.now)
    const m = makeMsg('t')
    const res = h.router.publish(m, h.now)
    expect(res.recipients).to.deep.equal(['p1'])
    expect(messageRecipients(h.take(), m.idKey)).to.deep.equal(['p1'])
  })

  it('removes a peer from the mesh when it unsubscribes', () => {
    const score = new TestScore()
    const h = new Harness({}, { score })
    h.connect('p1', ['t'])
    h.router.subscribe('t', h.now)
    h.feed('p1', { subscriptions: [{ subscribe: false, topic: 't' }] })
    expect(h.router.getMeshPeers('t')).to.deep.equal([])
    expect(score.named('prune')).to.deep.equal([['p1', 't']])
  })
})
