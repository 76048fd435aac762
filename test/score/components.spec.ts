import { expect } from 'aegir/chai'
import { PeerScore } from '../../src/score/peer-score.ts'
import { msg, peerOnly, topicOnly } from './util.ts'
import type { TopicScoreParams } from '../../src/score/params.ts'

function scorer (tp: Partial<TopicScoreParams>, peer: Parameters<typeof peerOnly>[0] = {}): PeerScore {
  return new PeerScore(peerOnly({ topics: { t: topicOnly(tp) }, ...peer }), {}, { now: 0 })
}

describe('score/components', () => {
  it('P1 grows with time in mesh per quantum, is capped, and ends with the prune', () => {
    const s = scorer({ timeInMeshWeight: 0.5, timeInMeshQuantum: 1000, timeInMeshCap: 10 })
    s.addPeer('a', 0)
    s.graft('a', 't', 0)
    s.handleTimeout(3000)
    expect(s.score('a')).to.equal(1.5)
    expect(s.getScoreSnapshot('a')?.topics.t.p1).to.deep.equal({ value: 3, weighted: 1.5 })
    s.handleTimeout(60_000)
    expect(s.score('a')).to.equal(5)
    s.prune('a', 't', 60_000)
    expect(s.score('a')).to.equal(0)
  })

  it('P2 counts first deliveries up to the cap and decays', () => {
    const s = scorer({ firstMessageDeliveriesWeight: 2, firstMessageDeliveriesDecay: 0.5, firstMessageDeliveriesCap: 3 })
    s.addPeer('a', 0)
    for (let i = 0; i < 5; i++) {
      const m = msg()
      s.validateMessage('a', m, 10)
      s.deliverMessage('a', m, 20)
    }
    expect(s.score('a')).to.equal(6)
    s.handleTimeout(1000)
    expect(s.score('a')).to.equal(3)
  })

  it('P2 is not earned by a duplicate, nor twice for one message', () => {
    const s = scorer({ firstMessageDeliveriesWeight: 1, firstMessageDeliveriesCap: 100 })
    s.addPeer('a', 0)
    s.addPeer('b', 0)
    const m = msg()
    s.validateMessage('a', m, 1)
    s.duplicateMessage('b', m, 2)
    s.deliverMessage('a', m, 3)
    s.deliverMessage('a', m, 4)
    expect(s.score('a')).to.equal(1)
    expect(s.score('b')).to.equal(0)
  })

  describe('P3 mesh message deliveries', () => {
    const p3 = {
      meshMessageDeliveriesWeight: -1,
      meshMessageDeliveriesThreshold: 4,
      meshMessageDeliveriesCap: 10,
      meshMessageDeliveriesActivation: 2000,
      meshMessageDeliveriesDecay: 0.9,
      meshMessageDeliveriesWindow: 10
    }

    it('the deficit squared counts only after activation', () => {
      const s = scorer(p3)
      s.addPeer('a', 0)
      s.graft('a', 't', 0)
      const m = msg()
      s.validateMessage('a', m, 5)
      s.deliverMessage('a', m, 5)
      s.handleTimeout(1000)
      s.handleTimeout(2000)
      // meshTime 2000 is not yet past the activation
      expect(s.score('a')).to.equal(0)
      expect(s.getScoreSnapshot('a')?.topics.t.meshDeliveriesActive).to.equal(false)
      s.handleTimeout(3000)
      const counter = 0.9 ** 3
      expect(s.getScoreSnapshot('a')?.topics.t.meshMessageDeliveries).to.be.closeTo(counter, 1e-12)
      expect(s.score('a')).to.be.closeTo(-((4 - counter) ** 2), 1e-9)
    })

    it('no deficit at or above the threshold; the counter is capped', () => {
      const s = scorer(p3)
      s.addPeer('a', 0)
      s.graft('a', 't', 0)
      for (let i = 0; i < 20; i++) {
        const m = msg()
        s.validateMessage('a', m, 10 + i)
        s.deliverMessage('a', m, 10 + i)
      }
      s.handleTimeout(3000)
      expect(s.getScoreSnapshot('a')?.topics.t.meshMessageDeliveries).to.be.closeTo(10 * 0.9 ** 3, 1e-9)
      expect(s.score('a')).to.equal(0)
    })

    it('near-first copies count (within the window or during validation), late ones and non-mesh ones do not', () => {
      const s = scorer({ ...p3, firstMessageDeliveriesWeight: 1, firstMessageDeliveriesCap: 100 })
      for (const p of ['first', 'during', 'near', 'late', 'outside']) {
        s.addPeer(p, 0)
        if (p !== 'outside') { s.graft(p, 't', 0) }
      }
      const m = msg()
      s.validateMessage('first', m, 100)
      s.duplicateMessage('during', m, 150)
      s.duplicateMessage('outside', m, 160)
      s.deliverMessage('first', m, 200)
      s.duplicateMessage('near', m, 210)
      s.duplicateMessage('late', m, 211)
      const c = (p: string): number | undefined => s.getScoreSnapshot(p)?.topics.t?.meshMessageDeliveries
      expect([c('first'), c('during'), c('near'), c('late'), c('outside')]).to.deep.equal([1, 1, 1, 0, undefined])
      // near-first copies earn no P2
      expect(['first', 'during', 'near'].map(p => s.getScoreSnapshot(p)?.topics.t.p2.value)).to.deep.equal([1, 0, 0])
    })

    it('a forged copy (bad signature) earns its sender no credit when the genuine copy validates', () => {
      const s = scorer({ ...p3, firstMessageDeliveriesWeight: 1, firstMessageDeliveriesCap: 100 })
      for (const p of ['forger', 'honest']) {
        s.addPeer(p, 0)
        s.graft(p, 't', 0)
      }
      const m = msg()
      s.validateMessage('forger', m, 100)
      s.rejectMessage('forger', m, 'invalid-signature', 101)
      s.validateMessage('honest', m, 102)
      s.deliverMessage('honest', m, 103)
      const c = (p: string): number | undefined => s.getScoreSnapshot(p)?.topics.t?.meshMessageDeliveries
      expect([c('forger'), c('honest')]).to.deep.equal([0, 1])
      expect(s.getScoreSnapshot('honest')?.topics.t.p2.value).to.equal(1)
    })

    it('P3b: a prune with an active deficit adds the deficit squared, sticky and decaying', () => {
      const s = scorer({ ...p3, meshFailurePenaltyWeight: -2, meshFailurePenaltyDecay: 0.5 })
      s.addPeer('a', 0)
      s.graft('a', 't', 0)
      s.handleTimeout(3000)
      expect(s.score('a')).to.equal(-16)
      s.prune('a', 't', 3500)
      const snap = s.getScoreSnapshot('a')
      expect(snap?.topics.t.p3.value).to.equal(0)
      expect(snap?.topics.t.p3b).to.deep.equal({ value: 16, weighted: -32 })
      expect(snap?.lastPenalty?.cause).to.equal('mesh-failure')
      expect(s.score('a')).to.equal(-32)
      s.handleTimeout(4000)
      expect(s.score('a')).to.equal(-16)
    })

    it('P3b: no penalty for a prune before activation', () => {
      const s = scorer({ ...p3, meshFailurePenaltyWeight: -2, meshFailurePenaltyDecay: 0.5 })
      s.addPeer('a', 0)
      s.graft('a', 't', 0)
      s.handleTimeout(1000)
      s.prune('a', 't', 1500)
      expect(s.score('a')).to.equal(0)
    })
  })

  describe('P4 invalid messages', () => {
    const p4 = { invalidMessageDeliveriesWeight: -1, invalidMessageDeliveriesDecay: 0.5 }

    it('counts rejects squared; Ignore costs nothing', () => {
      const s = scorer(p4)
      s.addPeer('a', 0)
      for (let i = 0; i < 3; i++) {
        const m = msg()
        s.validateMessage('a', m, 1)
        s.rejectMessage('a', m, 'validator-reject', 2)
      }
      const ignored = msg()
      s.validateMessage('a', ignored, 3)
      s.ignoreMessage('a', ignored, 4)
      s.duplicateMessage('a', ignored, 5)
      expect(s.score('a')).to.equal(-9)
      s.handleTimeout(1000)
      expect(s.score('a')).to.equal(-2.25)
    })

    it('penalises copies received during validation and later copies, once per peer', () => {
      const s = scorer(p4)
      for (const p of ['a', 'b', 'c']) { s.addPeer(p, 0) }
      const m = msg()
      s.validateMessage('a', m, 1)
      s.duplicateMessage('b', m, 2)
      s.rejectMessage('a', m, 'validator-reject', 3)
      s.duplicateMessage('c', m, 4)
      s.duplicateMessage('c', m, 5)
      s.duplicateMessage('a', m, 6)
      expect(['a', 'b', 'c'].map(p => s.score(p))).to.deep.equal([-1, -1, -1])
      expect(s.getScoreSnapshot('c')?.lastPenalty).to.deep.include({ cause: 'invalid-message:duplicate', topic: 't' })
    })

    it('a bad signature penalises only the sender of that copy', () => {
      const s = scorer(p4)
      s.addPeer('a', 0)
      s.addPeer('b', 0)
      const m = msg()
      s.rejectMessage('a', m, 'invalid-signature', 1)
      s.duplicateMessage('b', m, 2)
      expect(s.score('a')).to.equal(-1)
      expect(s.score('b')).to.equal(0)
    })

    it('messages on unscored topics leave no counters', () => {
      const s = scorer(p4)
      s.addPeer('a', 0)
      const m = msg('other')
      s.validateMessage('a', m, 1)
      s.rejectMessage('a', m, 'validator-reject', 2)
      expect(s.score('a')).to.equal(0)
      expect(s.getScoreSnapshot('a')?.topics).to.deep.equal({})
    })
  })

  it('P5 is the application score times its weight', () => {
    const s = scorer({}, { appSpecificWeight: 2, appSpecificScore: (p) => p === 'a' ? 3 : -1 })
    s.addPeer('a', 0)
    s.addPeer('b', 0)
    expect(s.score('a')).to.equal(6)
    expect(s.score('b')).to.equal(-2)
  })

  describe('P6 IP colocation', () => {
    const p6 = { IPColocationFactorWeight: -1, IPColocationFactorThreshold: 1 }

    it('three peers on one IPv4 address with threshold 1 and weight −1 give −4 each', () => {
      const s = scorer({}, p6)
      for (const p of ['a', 'b', 'c']) { s.addPeer(p, 0, '1.2.3.4') }
      s.addPeer('d', 0, '1.2.3.5')
      expect(['a', 'b', 'c', 'd'].map(p => s.score(p))).to.deep.equal([-4, -4, -4, 0])
      expect(s.getScoreSnapshot('a')?.ips).to.deep.equal([{ ip: '1.2.3.4', peers: 3 }])
      s.removePeer('c', 10)
      expect(s.score('a')).to.equal(-1)
    })

    it('groups IPv6 peers per /64 and maps IPv4-mapped addresses to IPv4', () => {
      const s = scorer({}, p6)
      s.addPeer('a', 0, '2001:db8::1')
      s.addPeer('b', 0, '2001:db8:0:0:ffff::2')
      s.addPeer('c', 0, '2001:db8:0:1::1')
      s.addPeer('d', 0, '::ffff:10.0.0.1')
      s.addPeer('e', 0, '10.0.0.1')
      expect(['a', 'b', 'c', 'd', 'e'].map(p => s.score(p))).to.deep.equal([-1, -1, 0, -1, -1])
      expect(s.getScoreSnapshot('a')?.ips).to.deep.equal([{ ip: '2001:db8:0:0::/64', peers: 2 }])
    })

    it('whitelisted ranges, loopback and unknown addresses are not counted', () => {
      const s = scorer({}, { ...p6, IPColocationFactorWhitelist: ['10.1.0.0/16', '2001:db8::/32'] })
      for (const p of ['a', 'b']) { s.addPeer(p, 0, '10.1.2.3') }
      for (const p of ['c', 'd']) { s.addPeer(p, 0, '2001:db8::5') }
      for (const p of ['e', 'f']) { s.addPeer(p, 0, '127.0.0.1') }
      for (const p of ['g', 'h']) { s.addPeer(p, 0) }
      for (const p of ['i', 'j']) { s.addPeer(p, 0, 'not-an-ip') }
      for (const p of ['k', 'l']) { s.addPeer(p, 0, '10.2.0.1') }
      expect(['a', 'c', 'e', 'g', 'i', 'k'].map(p => s.score(p))).to.deep.equal([0, 0, 0, 0, 0, -1])
    })

    it('sums over a peer\'s addresses', () => {
      const s = scorer({}, p6)
      s.addPeer('a', 0, '1.1.1.1')
      s.addPeer('b', 0, '1.1.1.1')
      s.addPeer('c', 0, '2.2.2.2')
      s.addPeer('d', 0, '2.2.2.2')
      s.setPeerIPs('a', ['1.1.1.1', '2.2.2.2'])
      expect(s.score('a')).to.equal(-5)
      expect(s.score('c')).to.equal(-4)
      expect(s.getScoreSnapshot('a')?.ips).to.deep.equal([{ ip: '1.1.1.1', peers: 2 }, { ip: '2.2.2.2', peers: 3 }])
      // from two groups to one and to none: each leaves the groups it held
      s.setPeerIPs('a', ['2.2.2.2'])
      expect(['a', 'b', 'c'].map(p => s.score(p))).to.deep.equal([-4, 0, -4])
      expect(s.getScoreSnapshot('a')?.ips).to.deep.equal([{ ip: '2.2.2.2', peers: 3 }])
      s.setPeerIPs('a', [])
      expect(['a', 'b', 'c'].map(p => s.score(p))).to.deep.equal([0, 0, -1])
      expect(s.getScoreSnapshot('a')?.ips).to.deep.equal([])
    })
  })

  it('P7 applies the square of the excess over the threshold and decays', () => {
    const s = scorer({}, { behaviourPenaltyWeight: -1, behaviourPenaltyThreshold: 2, behaviourPenaltyDecay: 0.5 })
    s.addPeer('a', 0)
    s.addPenalty('a', 2, 'graft-backoff')
    expect(s.score('a')).to.equal(0)
    s.addPenalty('a', 1, 'graft-backoff')
    expect(s.score('a')).to.equal(-1)
    s.addPenalty('a', 2, 'broken-promise')
    expect(s.score('a')).to.equal(-9)
    s.handleTimeout(1000)
    expect(s.score('a')).to.equal(-0.25)
    expect(s.getScoreSnapshot('a')?.lastPenalty?.cause).to.equal('broken-promise')
  })

  it('topicScoreCap bounds only a positive topic sum', () => {
    const tp = topicOnly({ firstMessageDeliveriesWeight: 1, firstMessageDeliveriesCap: 100, invalidMessageDeliveriesWeight: -1, invalidMessageDeliveriesDecay: 0.5 })
    const s = new PeerScore(peerOnly({ topics: { t: tp, u: tp }, topicScoreCap: 5, appSpecificWeight: 1, appSpecificScore: () => 3 }), {}, { now: 0 })
    s.addPeer('a', 0)
    s.addPeer('b', 0)
    for (let i = 0; i < 4; i++) {
      for (const topic of ['t', 'u']) {
        const m = msg(topic)
        s.validateMessage('a', m, 1)
        s.deliverMessage('a', m, 1)
      }
    }
    expect(s.getScoreSnapshot('a')).to.deep.include({ topicsSum: 8, topicsCapped: true, score: 8 })
    for (let i = 0; i < 4; i++) {
      const m = msg('t')
      s.validateMessage('b', m, 1)
      s.rejectMessage('b', m, 'validator-reject', 1)
    }
    expect(s.score('b')).to.equal(-16 + 3)
  })

  it('decay catches up on missed intervals and schedules the next deadline', () => {
    const tp = { firstMessageDeliveriesWeight: 1, firstMessageDeliveriesDecay: 0.5, firstMessageDeliveriesCap: 100 }
    const a = scorer(tp)
    const b = scorer(tp)
    for (const s of [a, b]) {
      s.addPeer('p', 0)
      for (let i = 0; i < 64; i++) {
        const m = msg()
        s.validateMessage('p', m, 0)
        s.deliverMessage('p', m, 0)
      }
    }
    expect(a.nextDeadline()).to.equal(1000)
    for (let t = 1000; t <= 4000; t += 1000) { a.handleTimeout(t) }
    b.handleTimeout(4500)
    expect(a.score('p')).to.equal(4)
    expect(b.score('p')).to.equal(4)
    expect(b.nextDeadline()).to.equal(5000)
  })

  it('delivery records are bounded by count (oldest first) and by age', () => {
    const p4 = topicOnly({ invalidMessageDeliveriesWeight: -1, invalidMessageDeliveriesDecay: 0.5 })
    const s = new PeerScore(peerOnly({ topics: { t: p4 } }), {}, { now: 0, maxDeliveryRecords: 3, deliveryRecordTTL: 5000 })
    s.addPeer('a', 0)
    s.addPeer('b', 0)
    const ms = [msg(), msg(), msg(), msg()]
    for (const [i, m] of ms.entries()) {
      s.validateMessage('a', m, i)
      s.rejectMessage('a', m, 'validator-reject', i)
    }
    expect(s.size.deliveryRecords).to.equal(3)
    // the oldest record is gone: a later copy of it costs nothing, copies of the others do
    s.duplicateMessage('b', ms[0], 10)
    expect(s.score('b')).to.equal(0)
    s.duplicateMessage('b', ms[1], 10)
    expect(s.score('b')).to.equal(-1)
    s.handleTimeout(5003)
    expect(s.size.deliveryRecords).to.equal(0)
    s.duplicateMessage('b', ms[2], 5003)
    expect(s.getScoreSnapshot('b')?.topics.t.invalidMessageDeliveries).to.equal(0)
  })

  it('messages of unscored topics get no delivery record; a topic scored at runtime starts counting', () => {
    const p2 = topicOnly({ firstMessageDeliveriesWeight: 1, firstMessageDeliveriesDecay: 0.5, firstMessageDeliveriesCap: 10 })
    const s = new PeerScore(peerOnly({ topics: { t: p2 } }), {}, { now: 0 })
    s.addPeer('a', 0)
    const other = { ...msg(), topic: 'u' }
    s.validateMessage('a', other, 1)
    s.deliverMessage('a', other, 1)
    s.duplicateMessage('a', other, 1)
    expect(s.size.deliveryRecords).to.equal(0)
    const scored = msg()
    s.validateMessage('a', scored, 1)
    s.deliverMessage('a', scored, 1)
    expect(s.size.deliveryRecords).to.equal(1)
    expect(s.getScoreSnapshot('a')?.topics.t.p2.value).to.equal(1)
    s.setTopicScoreParams('u', p2)
    const later = { ...msg(), topic: 'u' }
    s.validateMessage('a', later, 2)
    s.deliverMessage('a', later, 2)
    expect(s.size.deliveryRecords).to.equal(2)
    expect(s.getScoreSnapshot('a')?.topics.u.p2.value).to.equal(1)
  })
})
