import { expect } from 'aegir/chai'
import { msgIdKey } from '../../src/core/msgid.ts'
import { FloodsubID } from '../../src/core/types.ts'
import { Harness, TestScore, controlTo, makeMsg, sends, traces } from './harness.ts'

const enc = new TextEncoder()
const ids = (n: number, prefix = 'x'): Uint8Array[] => Array.from({ length: n }, (_, i) => enc.encode(`${prefix}${i}`))

function joined (n: number, opts = {}, score?: TestScore): Harness {
  const h = new Harness(opts, { score })
  for (let i = 0; i < n; i++) { h.connect(`p${i}`, ['t']) }
  h.router.subscribe('t', h.now)
  h.take()
  return h
}

describe('core/ihave: answering IHAVE', () => {
  it('asks for unseen ids of joined topics and tracks one promise', () => {
    const h = joined(2)
    const seen = makeMsg('t')
    h.feed('p0', { messages: [seen] })
    const out = h.feed('p1', { control: { ihave: [{ topic: 't', messageIds: [seen.id, ...ids(3)] }, { topic: 'u', messageIds: ids(2, 'u') }] } })
    const iwant = controlTo(out, 'p1').iwant
    expect(iwant).to.have.length(1)
    expect(iwant[0].messageIds.map(msgIdKey).sort()).to.deep.equal(ids(3).map(msgIdKey))
    expect(h.router.sizes().promises).to.equal(1)
    expect(h.router.sizes().iwantAsked).to.equal(3)
  })

  it('ignores IHAVE from peers below gossipThreshold', () => {
    const score = new TestScore()
    const h = joined(2, {}, score)
    score.scores.set('p1', -11)
    expect(controlTo(h.feed('p1', { control: { ihave: [{ topic: 't', messageIds: ids(3) }] } }), 'p1').iwant).to.have.length(0)
  })

  it('accepts at most maxIHaveMessages IHAVE RPCs per peer per heartbeat', () => {
    const h = joined(2, { maxIHaveMessages: 2 })
    let asked = 0
    for (let i = 0; i < 5; i++) {
      asked += controlTo(h.feed('p1', { control: { ihave: [{ topic: 't', messageIds: ids(1, `r${i}-`) }] } }), 'p1').iwant.length
    }
    expect(asked).to.equal(2)
    expect(h.router.counters().ihaveThrottled).to.equal(3)
    h.heartbeats(1)
    expect(controlTo(h.feed('p1', { control: { ihave: [{ topic: 't', messageIds: ids(1, 'next') }] } }), 'p1').iwant).to.have.length(1)
  })

  it('asks at most maxIHaveLength ids of one peer per heartbeat', () => {
    const h = joined(2, { maxIHaveLength: 10 })
    const first = controlTo(h.feed('p1', { control: { ihave: [{ topic: 't', messageIds: ids(25, 'a') }] } }), 'p1').iwant
    expect(first[0].messageIds).to.have.length(10)
    expect(controlTo(h.feed('p1', { control: { ihave: [{ topic: 't', messageIds: ids(5, 'b') }] } }), 'p1').iwant).to.have.length(0)
    h.heartbeats(1)
    expect(controlTo(h.feed('p1', { control: { ihave: [{ topic: 't', messageIds: ids(5, 'b') }] } }), 'p1').iwant[0].messageIds).to.have.length(5)
  })

  it('a broken promise costs one behaviour penalty after iwantFollowupTime; a kept one nothing', () => {
    const score = new TestScore()
    const h = joined(3, {}, score)
    h.feed('p1', { control: { ihave: [{ topic: 't', messageIds: [enc.encode('never')] }] } })
    const kept = makeMsg('t')
    h.feed('p2', { control: { ihave: [{ topic: 't', messageIds: [kept.id] }] } })
    h.feed('p2', { messages: [kept] })
    expect(h.router.sizes().promises).to.equal(1)
    h.advance(2500)
    expect(score.penalty('p1')).to.equal(0)
    const out = h.advance(1500)
    expect(score.penalty('p1')).to.equal(1)
    expect(score.penalty('p2')).to.equal(0)
    expect(traces(out, 'promise-broken')).to.deep.equal([{ type: 'promise-broken', peer: 'p1', count: 1 }])
    expect(h.router.sizes().promises).to.equal(0)
  })
})

describe('core/iwant: serving IWANT', () => {
  it('serves cached messages at most gossipRetransmission times per (peer, id)', () => {
    const h = joined(2, { gossipRetransmission: 2 })
    const m = makeMsg('t')
    h.feed('p0', { messages: [m] })
    h.router.reportValidation(m.idKey, 'accept', h.now)
    h.take()
    const served = (): number => sends(h.feed('p1', { control: { iwant: [{ messageIds: [m.id] }] } }), 'p1').length
    expect(served()).to.equal(1)
    expect(sends(h.log, 'p1').at(-1)?.priority).to.equal(3)
    expect(served()).to.equal(1)
    expect(served()).to.equal(0)
    expect(h.router.counters().iwantOverRetransmission).to.equal(1)
    // another peer has its own budget
    expect(sends(h.feed('p0', { control: { iwant: [{ messageIds: [m.id] }] } }), 'p0')).to.have.length(1)
  })

  it('ignores IWANT from peers below gossipThreshold and ids not cached', () => {
    const score = new TestScore()
    const h = joined(2, {}, score)
    const m = makeMsg('t')
    h.router.publish(m, h.now)
    h.take()
    score.scores.set('p1', -11)
    expect(sends(h.feed('p1', { control: { iwant: [{ messageIds: [m.id] }] } }), 'p1')).to.have.length(0)
    expect(sends(h.feed('p0', { control: { iwant: [{ messageIds: [enc.encode('nope')] }] } }), 'p0')).to.have.length(0)
  })
})

describe('core/gossip emission (heartbeat)', () => {
  it('IHAVE goes to max(Dlazy, gossipFactor × eligible) non-mesh, non-direct meshsub peers ≥ gossipThreshold', () => {
    const score = new TestScore()
    const h = new Harness({ directPeers: ['d'] }, { score })
    for (let i = 0; i < 50; i++) { h.connect(`p${i}`, ['t']) }
    h.connect('d', ['t'])
    h.connect('f', ['t'], { protocol: FloodsubID })
    score.scores.set('p49', -11)
    h.router.subscribe('t', h.now)
    const m = makeMsg('t')
    h.router.publish(m, h.now)
    h.take()
    const out = h.heartbeats(1)
    const mesh = h.router.getMeshPeers('t')
    const gossiped = sends(out).filter(o => (o.rpc.control?.ihave.length ?? 0) > 0).map(o => o.peer)
    // 50 − 6 mesh − 1 low score = 43 eligible; max(6, floor(0.25 × 43)) = 10
    expect(gossiped).to.have.length(10)
    for (const p of gossiped) {
      expect(mesh).to.not.include(p)
      expect(['d', 'f', 'p49']).to.not.include(p)
      expect(controlTo(out, p).ihave).to.deep.equal([{ topic: 't', messageIds: [m.id] }])
    }
  })

  it('advertises only the mcacheGossip most recent windows', () => {
    const h = joined(20)
    h.router.publish(makeMsg('t'), h.now)
    const countIHave = (): number => sends(h.heartbeats(1)).filter(o => (o.rpc.control?.ihave.length ?? 0) > 0).length
    expect(countIHave()).to.be.greaterThan(0)
    expect(countIHave()).to.be.greaterThan(0)
    expect(countIHave()).to.be.greaterThan(0)
    expect(countIHave()).to.equal(0)
  })

  it('caps one emitted IHAVE at maxIHaveLength ids', () => {
    const h = joined(20, { maxIHaveLength: 3 })
    for (let i = 0; i < 10; i++) { h.router.publish(makeMsg('t'), h.now) }
    const out = h.heartbeats(1)
    const lists = sends(out).flatMap(o => o.rpc.control?.ihave ?? [])
    expect(lists.length).to.be.greaterThan(0)
    for (const l of lists) { expect(l.messageIds).to.have.length(3) }
  })
})
