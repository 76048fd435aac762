import { expect } from 'aegir/chai'
import { PeerScore } from '../../src/score/peer-score.ts'
import { msg, peerOnly, topicOnly } from './util.ts'
import type { PeerScoreOptions } from '../../src/score/peer-score.ts'

const topic = topicOnly({
  firstMessageDeliveriesWeight: 1,
  firstMessageDeliveriesCap: 100,
  invalidMessageDeliveriesWeight: -1,
  invalidMessageDeliveriesDecay: 0.5,
  meshMessageDeliveriesWeight: -1,
  meshMessageDeliveriesThreshold: 2,
  meshMessageDeliveriesCap: 2,
  meshMessageDeliveriesActivation: 1000,
  meshMessageDeliveriesDecay: 0.5,
  meshFailurePenaltyWeight: -1,
  meshFailurePenaltyDecay: 0.5
})

function scorer (opts: PeerScoreOptions = {}, retainScore = 60_000): PeerScore {
  return new PeerScore(peerOnly({ topics: { t: topic }, retainScore }), {}, { now: 0, ...opts })
}

function reject (s: PeerScore, peer: string, n: number, now: number): void {
  for (let i = 0; i < n; i++) {
    const m = msg()
    s.validateMessage(peer, m, now)
    s.rejectMessage(peer, m, 'validator-reject', now)
  }
}

describe('score/retention', () => {
  it('a negative peer reconnecting within retainScore keeps its score', () => {
    const s = scorer()
    s.addPeer('bad', 0, '1.2.3.4')
    reject(s, 'bad', 3, 10)
    expect(s.score('bad')).to.equal(-9)
    s.removePeer('bad', 100)
    expect(s.size.retained).to.equal(1)
    expect(s.getScoreSnapshot('bad')?.connected).to.equal(false)
    // retained counters do not decay while the peer is away
    s.handleTimeout(1000)
    s.handleTimeout(30_000)
    s.addPeer('bad', 30_000, '5.6.7.8')
    expect(s.score('bad')).to.equal(-9)
    expect(s.size.retained).to.equal(0)
    s.handleTimeout(31_000)
    expect(s.score('bad')).to.equal(-2.25)
  })

  it('a retained record expires after retainScore; then the peer starts afresh', () => {
    const s = scorer()
    s.addPeer('bad', 0)
    reject(s, 'bad', 2, 10)
    s.removePeer('bad', 100)
    s.handleTimeout(60_099)
    expect(s.size.retained).to.equal(1)
    s.handleTimeout(61_000)
    expect(s.size).to.deep.include({ retained: 0, peers: 0 })
    s.addPeer('bad', 61_000)
    expect(s.score('bad')).to.equal(0)
  })

  it('records beyond the bound are evicted oldest first', () => {
    const s = scorer({ maxRetainedPeers: 2 })
    for (const [i, p] of ['a', 'b', 'c'].entries()) {
      s.addPeer(p, 0)
      reject(s, p, 1, 1)
      s.removePeer(p, 10 + i)
    }
    expect(s.size.retained).to.equal(2)
    expect(s.getScoreSnapshot('a')).to.equal(undefined)
    expect(s.getScoreSnapshot('b')?.score).to.equal(-1)
    expect(s.getScoreSnapshot('c')?.score).to.equal(-1)
  })

  it('first-delivery credit is not kept, and a peer without penalties is forgotten', () => {
    const s = scorer()
    s.addPeer('good', 0)
    const m = msg()
    s.validateMessage('good', m, 1)
    s.deliverMessage('good', m, 1)
    expect(s.score('good')).to.equal(1)
    s.removePeer('good', 10)
    expect(s.size.peers).to.equal(0)
    s.addPeer('good', 20)
    expect(s.score('good')).to.equal(0)
  })

  it('an active P3 deficit at disconnection becomes a retained P3b penalty', () => {
    const s = scorer()
    s.addPeer('squat', 0)
    s.graft('squat', 't', 0)
    s.handleTimeout(1000)
    s.handleTimeout(2000)
    expect(s.score('squat')).to.equal(-4)
    s.removePeer('squat', 2500)
    s.addPeer('squat', 3000)
    expect(s.getScoreSnapshot('squat')?.topics.t).to.deep.include({ inMesh: false, p3b: { value: 4, weighted: -4 } })
    expect(s.score('squat')).to.equal(-4)
  })

  it('retainScore 0 retains nothing; a behaviour penalty alone is retained', () => {
    const none = scorer({}, 0)
    none.addPeer('x', 0)
    reject(none, 'x', 1, 1)
    none.removePeer('x', 2)
    expect(none.size.peers).to.equal(0)

    const s = new PeerScore(peerOnly({ retainScore: 1000, behaviourPenaltyWeight: -1, behaviourPenaltyDecay: 0.5 }), {}, { now: 0 })
    s.addPeer('y', 0)
    s.addPenalty('y', 2, 'graft-backoff')
    s.removePeer('y', 1)
    s.addPeer('y', 2)
    expect(s.score('y')).to.equal(-4)
  })
})
