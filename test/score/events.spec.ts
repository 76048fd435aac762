import { expect } from 'aegir/chai'
import { PeerScore } from '../../src/score/peer-score.ts'
import { msg, peerOnly, topicOnly } from './util.ts'

describe('score/threshold events and snapshots', () => {
  it('crossings down and back up carry the level, scores, breakdown and last penalty', () => {
    const s = new PeerScore(peerOnly({ behaviourPenaltyWeight: -1, behaviourPenaltyDecay: 0.5 }), {}, { now: 0 })
    s.addPeer('a', 0)
    s.addPenalty('a', 4, 'broken-promise')
    expect(s.takeEvents()).to.deep.equal([])
    expect(s.score('a')).to.equal(-16)
    const down = s.takeEvents()
    expect(down.map(e => [e.threshold, e.level, e.direction])).to.deep.equal([['gossip', -10, 'down'], ['zero', 0, 'down']])
    expect(down[0]).to.deep.include({ peer: 'a', oldScore: 0, newScore: -16, lastPenalty: { cause: 'broken-promise', at: 0 } })
    expect(down[0].snapshot.p7).to.deep.equal({ value: 16, weighted: -16 })
    expect(down[0].snapshot.behaviourPenalty).to.equal(4)
    // decay alone is enough for the events to fire: the decay step refreshes every score
    s.handleTimeout(1000)
    expect(s.takeEvents().map(e => [e.threshold, e.direction, e.newScore])).to.deep.equal([['gossip', 'up', -4]])
    s.handleTimeout(6000)
    expect(s.takeEvents().map(e => [e.threshold, e.direction, e.at, e.newScore])).to.deep.equal([['zero', 'up', 6000, 0]])
    expect(s.takeEvents()).to.deep.equal([])
  })

  it('a peer sending invalid messages crosses down to the graylist in one update', () => {
    const s = new PeerScore(peerOnly({ topics: { t: topicOnly({ invalidMessageDeliveriesWeight: -10, invalidMessageDeliveriesDecay: 0.5 }) } }), {}, { now: 0 })
    s.addPeer('spam', 0)
    for (let i = 0; i < 6; i++) {
      const m = msg()
      s.validateMessage('spam', m, 5)
      s.rejectMessage('spam', m, 'validator-reject', 5)
    }
    s.handleTimeout(1000)
    const events = s.takeEvents()
    expect(events.map(e => e.threshold)).to.deep.equal(['graylist', 'publish', 'gossip', 'zero'])
    expect(events[0]).to.deep.include({ oldScore: 0, newScore: -90, at: 1000 })
    expect(events[0].lastPenalty).to.deep.equal({ cause: 'invalid-message:validator-reject', topic: 't', at: 5 })
    expect(events[0].snapshot.topics.t.p4).to.deep.equal({ value: 9, weighted: -90 })
  })

  it('the queue is bounded and counts what it drops', () => {
    const s = new PeerScore(peerOnly({ behaviourPenaltyWeight: -1, behaviourPenaltyDecay: 0.5 }), {}, { now: 0, maxEvents: 3 })
    for (const p of ['a', 'b', 'c']) {
      s.addPeer(p, 0)
      s.addPenalty(p, 10, 'x')
      s.score(p)
    }
    const events = s.takeEvents()
    expect(events).to.have.length(3)
    expect(s.droppedEvents).to.equal(9)
    expect(events.map(e => e.peer)).to.deep.equal(['c', 'c', 'c'])
  })

  it('the snapshot agrees with score() and lists every component per topic', () => {
    const tp = topicOnly({
      timeInMeshWeight: 1,
      timeInMeshQuantum: 1000,
      timeInMeshCap: 100,
      firstMessageDeliveriesWeight: 0.5,
      firstMessageDeliveriesCap: 10,
      meshMessageDeliveriesWeight: -0.25,
      meshMessageDeliveriesThreshold: 5,
      meshMessageDeliveriesCap: 5,
      meshMessageDeliveriesActivation: 1000,
      meshMessageDeliveriesDecay: 0.5,
      topicWeight: 2
    })
    const s = new PeerScore(peerOnly({ topics: { t: tp }, appSpecificWeight: 1, appSpecificScore: () => 1.5 }), {}, { now: 0 })
    s.addPeer('a', 0)
    s.graft('a', 't', 0)
    const m = msg()
    s.validateMessage('a', m, 1)
    s.deliverMessage('a', m, 1)
    s.handleTimeout(1000)
    s.handleTimeout(2000)
    const snap = s.getScoreSnapshot('a')
    expect(snap?.topics.t).to.deep.equal({
      inMesh: true,
      meshTime: 2000,
      meshDeliveriesActive: true,
      topicWeight: 2,
      meshMessageDeliveries: 0.25,
      invalidMessageDeliveries: 0,
      p1: { value: 2, weighted: 2 },
      p2: { value: 0.25, weighted: 0.125 },
      p3: { value: 4.75 ** 2, weighted: -0.25 * 4.75 ** 2 },
      p3b: { value: 0, weighted: 0 },
      p4: { value: 0, weighted: 0 },
      score: 2 * (2 + 0.125 - 0.25 * 4.75 ** 2)
    })
    expect(snap?.p5).to.deep.equal({ value: 1.5, weighted: 1.5 })
    expect(snap?.score).to.equal(s.score('a'))
    expect(s.getScoreSnapshot('nobody')).to.equal(undefined)
  })

  it('setTopicScoreParams changes scoring at runtime and keeps counters', () => {
    const s = new PeerScore(peerOnly({}), {}, { now: 0 })
    s.addPeer('a', 0)
    s.graft('a', 't', 0)
    s.handleTimeout(5000)
    expect(s.score('a')).to.equal(0)
    s.setTopicScoreParams('t', topicOnly({ timeInMeshWeight: 1, timeInMeshQuantum: 1000, timeInMeshCap: 100 }))
    // the mesh time was tracked before the topic was scored
    expect(s.score('a')).to.equal(5)
    s.setTopicScoreParams('t', undefined)
    expect(s.score('a')).to.equal(0)
  })
})
